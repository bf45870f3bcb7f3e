"""The audit trail: every staff read or change of a person's record leaves one row."""

from __future__ import annotations

from sqlmodel import Session

from resettlement.actors import Actor
from resettlement.models import AuditEvent


def record(
    session: Session, actor: Actor, action: str, object_type: str, object_id: object
) -> None:
    session.add(
        AuditEvent(
            actor=actor.user_id,
            role=actor.role.value,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            request_id=actor.request_id,
        )
    )
