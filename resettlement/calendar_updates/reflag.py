"""Re-assessing open plans after the bank holiday calendar changed.

A plan's release date, flag and early-release request were worked out with the calendar of the
day they were set; the daily scan trusts the stored flag. When the calendar changes (a new
bank holiday is proclaimed), each open plan is assessed again and, where the answer differs,
changed through this service: one transaction per plan, versioned, with history and audit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from resettlement import audit, checklists, early_release, history, plan_snapshot
from resettlement.actors import Actor
from resettlement.models import Person, ReleasePlan
from resettlement.plans import apply_assessment, assessment_for, load_open_plan
from resettlement.scheduling import BEFORE_RELEASE
from resettlement.transactions import commit, get_or_404, service

REASON = "The bank holiday calendar changed"


@dataclass(frozen=True)
class Outcome:
    plan_id: int
    changed: str  # "release_date", "flagged", "unflagged", "flag_reason" or "" (no change)


def due_reassessment(session: Session, today: date) -> list[int]:
    """Open plans before release with a release date from today on."""
    return list(
        session.exec(
            select(ReleasePlan.id)
            .where(
                col(ReleasePlan.state).in_(BEFORE_RELEASE),
                col(ReleasePlan.requested_release_date).is_not(None),
                col(ReleasePlan.release_date) >= today,
            )
            .order_by(col(ReleasePlan.id))
        ).all()  # type: ignore[arg-type]
    )


def differs(plan: ReleasePlan, person: Person) -> bool:
    """Whether today's calendar gives this plan another release date or flag (read only)."""
    assessment = assessment_for(plan, person)
    if assessment is None:
        return False
    return (assessment.release_date, assessment.flagged, assessment.flag_reason) != (
        plan.release_date,
        plan.flagged,
        plan.flag_reason,
    )


@service
def reassess_for_calendar(
    *, session: Session, actor: Actor, plan_id: int, expected_version: int
) -> Outcome:
    """Applies the current calendar to one plan. A new release date is handled as a new
    sentence calculation is (requests withdrawn, a new one opened if flagged, checklist due
    dates moved, the person's published plan given the new date); the same date newly flagged
    opens a request; no longer flagged withdraws the live ones."""
    plan = load_open_plan(session, plan_id, expected_version)
    person = get_or_404(session, Person, plan.person_id, "person")
    assessment = assessment_for(plan, person)
    if assessment is None or plan.state not in BEFORE_RELEASE:
        return Outcome(plan_id, "")
    before = (plan.release_date, plan.walk_out_date, plan.flagged, plan.flag_reason)
    if (assessment.release_date, assessment.flagged, assessment.flag_reason) == (
        before[0],
        before[2],
        before[3],
    ):
        return Outcome(plan_id, "")
    if assessment.release_date != plan.release_date:
        changed = "release_date"
        apply_assessment(plan, assessment)
    else:
        changed = (
            "flagged"
            if assessment.flagged and not plan.flagged
            else "unflagged"
            if not assessment.flagged
            else "flag_reason"
        )
        plan.flagged = assessment.flagged
        plan.flag_reason = assessment.flag_reason
    history.record(
        session,
        plan,
        actor,
        "calendar_changed",
        reason=f"{REASON}: " + _words(changed, before[0], plan),
        detail={
            "release_from": str(before[0]),
            "release_to": str(plan.release_date),
            "flagged_from": before[2],
            "flagged_to": plan.flagged,
        },
    )
    if changed in ("release_date", "unflagged"):
        early_release.withdraw_live_requests(session, plan, actor, f"{REASON}.")
        # An approved early release moved the walk-out date; withdrawn, the day is the release.
        plan.walk_out_date = plan.release_date
    if plan.flagged:
        early_release.open_request_if_flagged(session, plan, person, assessment, actor)
    if plan.walk_out_date != before[1]:
        checklists.reschedule(session, plan)
        plan_snapshot.republish_walk_out_date(session, plan, actor, REASON.lower())
    audit.record(session, actor, "reassess_for_calendar", "plan", plan.id)
    commit(session, "plan")
    return Outcome(plan_id, changed)


def _words(changed: str, old_release: date | None, plan: ReleasePlan) -> str:
    if changed == "release_date":
        return f"the release moves from {_day(old_release)} to {_day(plan.release_date)}" + (
            " and is flagged." if plan.flagged else "."
        )
    if changed == "flagged":
        return f"the release on {_day(plan.release_date)} is now the day before a bank holiday."
    if changed == "unflagged":
        return f"the release on {_day(plan.release_date)} is no longer flagged."
    return f"the release on {_day(plan.release_date)} is flagged for another reason."


def _day(day: date | None) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}" if day else "no date"


def plans_to_reassess(session: Session, plan_ids: list[int]) -> list[tuple[int, int]]:
    """Of a batch, the (id, version) of each plan the current calendar changes."""
    rows = session.exec(
        select(ReleasePlan, Person)
        .join(Person, col(Person.id) == col(ReleasePlan.person_id))
        .where(col(ReleasePlan.id).in_(plan_ids))
        .order_by(col(ReleasePlan.id))
    ).all()
    return [(plan.id, plan.version) for plan, person in rows if differs(plan, person)]  # type: ignore[misc]
