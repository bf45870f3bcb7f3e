"""The plan's history: every transition and change as a plan_event."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from resettlement import clock
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
