"""The published 48-hour plan and the plan as it now stands: the snapshot the person is shown,
whether the published one is still current, and republishing a new walk-out date.

Any change to what the person sees marks the published plan out of date until the officer
publishes again (release refuses until then). A new walk-out date needs no officer judgement,
so it is republished at once on top of what the person already had: the person never holds a
wrong date, and is told that it changed.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from resettlement import history, plan_checks
from resettlement.actors import Actor
from resettlement.models import (
    Appointment,
    ChecklistItem,
    Goal,
    Person,
    PublishedPlan,
    ReleasePlan,
    SupportContact,
)
from resettlement.transactions import get_or_404

# Snapshot keys the person does not see as such: how a version came about, and the nation
# whose calendar dates are worked out with. Goals are the person's own words, written with
# them and shown to them as they stand (resettlement/goals.py): a change to them is nothing the
# officer must publish, so it never holds up release.
_NOT_SHOWN = ("walk_out_date_was", "nation", "goals")
# The person sees a checklist item as done, not needed, or still to do.
_SEEN_STATUS = {"done": "done", "not_needed": "not_needed"}


def snapshot(session: Session, plan: ReleasePlan) -> dict[str, Any]:
    """What the person is shown: plain values only, so a published version never changes."""
    person = get_or_404(session, Person, plan.person_id, "person")
    appointments = session.exec(
        select(Appointment)
        .where(Appointment.plan_id == plan.id)
        .order_by(col(Appointment.starts_at))
    ).all()
    contacts = session.exec(
        select(SupportContact)
        .where(SupportContact.plan_id == plan.id)
        .order_by(col(SupportContact.id))
    ).all()
    items = session.exec(select(ChecklistItem).where(ChecklistItem.plan_id == plan.id)).all()
    goals = session.exec(
        select(Goal).where(Goal.plan_id == plan.id).order_by(col(Goal.position))
    ).all()
    return {
        "given_name": person.given_name,
        "preferred_language": str(person.preferred_language),
        "nation": str(person.nation),
        "walk_out_date": plan.walk_out_date.isoformat() if plan.walk_out_date else None,
        "accommodation": {
            "address": plan.accommodation_address,
            "ask_for": plan.accommodation_contact,
            "from": plan.accommodation_from,
        },
        "travel": plan.travel_arrangements,
        "appointments": [
            {
                "id": a.id,
                "kind": str(a.kind),
                "starts_at": a.starts_at.isoformat(),
                "location": a.location,
                "with_whom": a.with_whom,
                "what_to_bring": a.what_to_bring,
                "sequence": a.sequence,
            }
            for a in appointments
        ],
        "contacts": [
            {"kind": str(c.kind), "name": c.name, "phone": c.phone, "hours": c.hours}
            for c in contacts
        ],
        "checklist": [
            {"key": i.key, "title": i.title, "status": str(i.status), "category": str(i.category)}
            for i in items
        ],
        "goals": [{"area": str(g.area), "in_their_words": g.in_their_words} for g in goals],
    }


def latest(session: Session, plan_id: int) -> PublishedPlan | None:
    return session.exec(
        select(PublishedPlan)
        .where(PublishedPlan.plan_id == plan_id)
        .order_by(col(PublishedPlan.number).desc())
        .limit(1)
    ).first()


def seen(snapshot: dict[str, Any]) -> dict[str, Any]:
    """What the person would notice in a snapshot: a checklist item moving from not started to
    in progress changes nothing on their page."""
    shown = {k: v for k, v in snapshot.items() if k not in _NOT_SHOWN}
    shown["checklist"] = sorted(
        (i["key"], _SEEN_STATUS.get(i["status"], "to_do")) for i in snapshot.get("checklist", [])
    )
    return shown


def walk_out_date_was(previous: PublishedPlan | None, walk_out_date: str | None) -> str | None:
    """The date the person held before, while it differs from the date they hold now."""
    if previous is None:
        return None
    before = previous.snapshot.get("walk_out_date")
    was = before if before != walk_out_date else previous.snapshot.get("walk_out_date_was")
    return was if was != walk_out_date else None


def note_change(session: Session, plan: ReleasePlan, actor: Actor) -> None:
    """After a change to the plan: is the published version still what the person would be
    shown now? Called by every service that changes something the person sees."""
    published = latest(session, plan.id)  # type: ignore[arg-type]
    if published is None:
        plan.published_out_of_date = False
        return
    out_of_date = seen(snapshot(session, plan)) != seen(published.snapshot)
    _mark(session, plan, actor, published, out_of_date)


def _mark(
    session: Session, plan: ReleasePlan, actor: Actor, published: PublishedPlan, out: bool
) -> None:
    if out and not plan.published_out_of_date:
        history.record(
            session,
            plan,
            actor,
            "published_plan_out_of_date",
            reason=f"The plan has changed since version {published.number} was published.",
            detail={"number": published.number},
        )
    plan.published_out_of_date = out
    session.add(plan)


def republish_walk_out_date(session: Session, plan: ReleasePlan, actor: Actor, reason: str) -> None:
    """A new walk-out date reaches the person at once: the version they hold, with the new
    date and the old one it replaces. Whatever else the officer has changed since waits for
    them to publish; so does a plan the new date breaks (an appointment now before walk-out)."""
    published = latest(session, plan.id)  # type: ignore[arg-type]
    new_date = plan.walk_out_date.isoformat() if plan.walk_out_date else None
    if published is None or published.snapshot.get("walk_out_date") == new_date:
        if published is not None:
            note_change(session, plan, actor)
        return
    shown = {
        **published.snapshot,
        "walk_out_date": new_date,
        "walk_out_date_was": walk_out_date_was(published, new_date),
    }
    republished = PublishedPlan(
        plan_id=published.plan_id,
        number=published.number + 1,
        snapshot=shown,
        published_by=actor.user_id,
    )
    session.add(republished)
    history.record(
        session,
        plan,
        actor,
        "published",
        reason=f"Republished automatically with the new walk-out date: {reason}",
        detail={"number": republished.number, "automatic": True},
    )
    session.flush()
    out = seen(snapshot(session, plan)) != seen(shown) or bool(
        plan_checks.blocking(plan_checks.findings(session, plan))
    )
    _mark(session, plan, actor, republished, out)
