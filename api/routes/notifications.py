"""The notification outbox: what the workflows told whom. Staff read their own messages."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.deps import MAX_ID, SessionDep, require
from resettlement import audit
from resettlement.actors import Actor, Role
from resettlement.notifications import NotificationPublic, list_notifications

router = APIRouter(prefix="/notifications", tags=["notifications"])

# A prison leaver's message carries their sign-in link; nobody else needs the secret in it.
_LINK_SECRET = re.compile(r"(?<=/plan-link/)\S+")
READERS = (Role.PROBATION_OFFICER, Role.GOVERNOR, Role.ADMIN)


def _recipient(actor: Actor) -> tuple[str | None, str | None]:
    """Officers read what was sent to them, governors what was sent to their prison."""
    if actor.role == Role.PROBATION_OFFICER:
        return Role.PROBATION_OFFICER.value, actor.user_id
    if actor.role == Role.GOVERNOR:
        return Role.GOVERNOR.value, actor.prison_code
    return None, None


@router.get("", response_model=list[NotificationPublic])
def outbox(
    actor: Annotated[Actor, Depends(require(*READERS))],
    session: SessionDep,
    plan_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> list[NotificationPublic]:
    """Newest first. Admins see every message; reading is audited, one row per message."""
    role, recipient = _recipient(actor)
    rows = list_notifications(
        session,
        recipient_role=role,
        recipient_id=recipient,
        plan_id=plan_id,
        limit=limit,
        offset=offset,
    )
    audit.record_reads(
        session=session,
        actor=actor,
        action="read",
        object_type="notification",
        object_ids=[n.id for n in rows],
    )
    shown = []
    for row in rows:
        item = NotificationPublic.model_validate(row, from_attributes=True)
        item.body = _LINK_SECRET.sub("[link hidden]", item.body)
        shown.append(item)
    return shown
