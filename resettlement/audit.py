"""The audit trail: every staff read or change of a person's record leaves one row."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import insert
from sqlmodel import Session, col, select

from resettlement import clock
from resettlement.actors import Actor
from resettlement.models import AuditEvent
from resettlement.transactions import commit, service


def record(
    session: Session, actor: Actor, action: str, object_type: str, object_id: object
) -> None:
    """One row, written at once in the caller's transaction, so it commits or rolls back with it.

    A plain insert rather than the ORM's unit of work: nothing ever reads the row back, and
    reads are the commonest thing audited.
    """
    _insert(session, actor, action, object_type, [object_id])


def record_each(
    session: Session, actor: Actor, action: str, object_type: str, object_ids: Iterable[object]
) -> None:
    """One row per object, in one statement, in the caller's transaction: a batch's audit
    costs one round trip however many records it changed."""
    _insert(session, actor, action, object_type, object_ids)


@service
def record_reads(
    *,
    session: Session,
    actor: Actor,
    action: str,
    object_type: str,
    object_ids: Iterable[object],
) -> None:
    """A list read: one row per record shown, in one multi-row insert, and one commit."""
    _insert(session, actor, action, object_type, object_ids)
    commit(session, "audit")


def record_denied(session: Session, actor: Actor, object_type: str, object_id: object) -> None:
    """Someone asked for a record that is not theirs to see: kept, in its own commit, though
    the caller is told only that there is no such record."""
    session.rollback()
    _insert(session, actor, "denied", object_type, [object_id])
    commit(session, "audit")


def _insert(
    session: Session, actor: Actor, action: str, object_type: str, object_ids: Iterable[object]
) -> None:
    at = clock.now()
    rows = [
        {
            "at": at,
            "actor": actor.user_id,
            "role": actor.role.value,
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id),
            "request_id": actor.request_id,
        }
        for object_id in object_ids
    ]
    if rows:
        session.connection().execute(insert(AuditEvent), rows)


def events(
    session: Session,
    *,
    actor: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[AuditEvent]:
    """The audit trail, newest first, optionally for one actor or one object."""
    statement = select(AuditEvent)
    if actor is not None:
        statement = statement.where(AuditEvent.actor == actor)
    if object_type is not None:
        statement = statement.where(AuditEvent.object_type == object_type)
    if object_id is not None:
        statement = statement.where(AuditEvent.object_id == object_id)
    statement = statement.order_by(col(AuditEvent.id).desc()).limit(limit).offset(offset)
    return list(session.exec(statement).all())
