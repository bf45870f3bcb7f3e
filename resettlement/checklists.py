"""The plan's checklist: rows made from the rule set in rules/, and changes to their status."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from resettlement import audit, clock, history, plan_snapshot
from resettlement.actors import Actor
from resettlement.errors import InvalidInput, NotFound, TransitionNotAllowed
from resettlement.models import OPEN_STATES, ChecklistItem, ChecklistStatus, Person, ReleasePlan
from resettlement.transactions import check_version, commit, get_or_404, service
from rules.checklists import Need, Owner, checklist_for

NEEDS_A_REASON = (ChecklistStatus.NOT_NEEDED, ChecklistStatus.BLOCKED)


def create_items(session: Session, plan: ReleasePlan, needs: Iterable[Need]) -> list[ChecklistItem]:
    items = [ChecklistItem(**values) for values in item_values(plan, needs)]
    session.add_all(items)
    return items


def item_values(plan: ReleasePlan, needs: Iterable[Need]) -> list[dict[str, Any]]:
    """A new plan's checklist rows as column values."""
    return [
        {"plan_id": plan.id, **values}
        for values in item_columns(tuple(needs), plan.walk_out_date, clock.today(), clock.now())
    ]


def item_columns(
    needs: tuple[Need, ...], walk_out_date: date | None, today: date, now: datetime
) -> list[dict[str, Any]]:
    """A new checklist's rows but for the plan they belong to: the same for every plan with
    these needs and this walk-out date (the intake writes them once for all such plans)."""
    return [
        {
            "key": spec.key,
            "title": spec.title,
            "category": spec.category.value,
            "owner": spec.owner.value,
            "partner": spec.partner,
            "status": ChecklistStatus.NOT_STARTED.value,
            "reason": None,
            "note": None,
            "due_date": spec.due_date,
            "rule_id": spec.rule_id,
            "updated_at": now,
        }
        for spec in checklist_for(needs, walk_out_date, today=today)
    ]


def reschedule(session: Session, plan: ReleasePlan) -> None:
    """A new walk-out date moves the due dates of items not yet finished."""
    person = get_or_404(session, Person, plan.person_id, "person")
    due = {
        s.key: s.due_date
        for s in checklist_for(person.needs, plan.walk_out_date, today=clock.today())
    }
    for item in session.exec(select(ChecklistItem).where(ChecklistItem.plan_id == plan.id)):
        if (
            item.status not in (ChecklistStatus.DONE, ChecklistStatus.NOT_NEEDED)
            and item.key in due
        ):
            item.due_date = due[item.key]
            session.add(item)


@service
def update_item(
    *,
    session: Session,
    actor: Actor,
    plan_id: int,
    key: str,
    expected_version: int,
    status: ChecklistStatus,
    reason: str | None = None,
    note: str | None = None,
    owner: Owner | None = None,
    partner: str | None = None,
) -> ChecklistItem:
    plan = get_or_404(session, ReleasePlan, plan_id, "plan")
    check_version(plan, expected_version, "plan")
    if plan.state not in {s.value for s in OPEN_STATES}:
        raise TransitionNotAllowed(f"The plan is {plan.state} and can no longer be changed.")
    item = session.exec(
        select(ChecklistItem).where(ChecklistItem.plan_id == plan_id, ChecklistItem.key == key)
    ).first()
    if item is None:
        raise NotFound(f"This plan has no checklist item '{key}'.")
    reason = reason.strip() if reason else None
    if status in NEEDS_A_REASON and not reason:
        word = "not needed" if status == ChecklistStatus.NOT_NEEDED else "blocked"
        raise InvalidInput(f"Say why '{item.title}' is {word}.", field="reason")
    if owner == Owner.PARTNER and not (partner or item.partner):
        raise InvalidInput("Name the partner organisation that owns this item.", field="partner")
    before = item.status
    kept_reason = reason if status in NEEDS_A_REASON else None
    unchanged = (
        status == item.status
        and kept_reason == item.reason
        and (note is None or note == (item.note or ""))
        and (owner is None or (owner == item.owner and partner == item.partner))
    )
    if unchanged:
        # Saving the item as it was is no change: no history, and the plan keeps its version.
        commit(session, "plan")
        return item
    item.status = status
    item.reason = reason if status in NEEDS_A_REASON else None
    if note is not None:
        item.note = note
    if owner is not None:
        item.owner = owner
        item.partner = partner if owner == Owner.PARTNER else None
    item.updated_at = clock.now()
    session.add(item)
    history.record(
        session,
        plan,
        actor,
        "checklist",
        from_state=before,
        to_state=status,
        reason=reason or note,
        detail={"item": key},
    )
    plan_snapshot.note_change(session, plan, actor)
    audit.record(session, actor, "update_checklist", "plan", plan.id)
    commit(session, "plan")
    return item
