"""The plan's history: every transition and change as a plan_event."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from resettlement import bulk, clock
from resettlement.actors import Actor
from resettlement.models import PlanEvent, ReleasePlan
from resettlement.transactions import note_written


def record(
    session: Session,
    plan: ReleasePlan,
    actor: Actor,
    kind: str,
    *,
    from_state: str | None = None,
    to_state: str | None = None,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    assert plan.id is not None
    session.add(
        PlanEvent(
            plan_id=plan.id,
            actor=actor.user_id,
            actor_role=actor.role.value,
            kind=kind,
            from_state=from_state,
            to_state=to_state,
            reason=reason,
            detail=detail,
        )
    )
    # Any change to a part of the plan is a change to the plan: it bumps the plan's version,
    # so two officers editing different parts still cannot overwrite each other unseen.
    plan.updated_at = clock.now()
    session.add(plan)
    note_written(session, plan.id)


@dataclass(frozen=True)
class Line:
    """One plan's line in a batch's history (see record_each)."""

    plan: ReleasePlan
    reason: str | None = None
    detail: dict[str, Any] | None = None


def record_each(
    session: Session,
    lines: Sequence[Line],
    actor: Actor,
    kind: str,
    *,
    from_state: str | None = None,
    to_state: str | None = None,
) -> None:
    """record() for a batch of plans: the rows in one multi-row INSERT, written at once in the
    caller's transaction (the ORM writes new rows one by one where it cannot batch them, as on
    SQLite), and each plan's version bumped as record() does."""
    now = clock.now()
    rows = [
        {
            "plan_id": line.plan.id,
            "at": now,
            "actor": actor.user_id,
            "actor_role": actor.role.value,
            "kind": kind,
            "from_state": from_state,
            "to_state": to_state,
            "reason": line.reason,
            "detail": line.detail,
        }
        for line in lines
    ]
    bulk.insert_rows(session, PlanEvent.__table__, rows)  # type: ignore[attr-defined]
    for line in lines:
        line.plan.updated_at = now
        session.add(line.plan)


def record_rows(
    session: Session,
    rows: Sequence[tuple[int, str | None, dict[str, Any] | None]],
    actor: Actor,
    kind: str,
    *,
    now: datetime,
) -> None:
    """record_each for plans read as plain rows, (plan id, reason, detail): only the history
    lines; the caller bumps the plans' versions (with updated_at = now) itself."""
    bulk.insert_rows(
        session,
        PlanEvent.__table__,  # type: ignore[attr-defined]
        [
            {"plan_id": plan_id, "at": now, "actor": actor.user_id,
             "actor_role": actor.role.value, "kind": kind, "from_state": None,
             "to_state": None, "reason": reason, "detail": detail}
            for plan_id, reason, detail in rows
        ],
    )  # fmt: skip


def record_lines(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """History lines as plain rows (every PlanEvent column but the id), of any kinds, in one
    statement: for plans the caller writes a table at a time, their versions included (the
    intake's new plans)."""
    bulk.insert_rows(session, PlanEvent.__table__, rows)  # type: ignore[attr-defined]
