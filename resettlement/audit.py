"""The audit trail: every staff read or change of a person's record leaves one row."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, String, and_, cast, func, or_
from sqlmodel import Session, col, select

from resettlement import bulk, clock
from resettlement.actors import Actor
from resettlement.models import AuditEvent, EarlyReleaseRequest, Person, ReleasePlan
from resettlement.transactions import commit, note_audit_row, service


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
        bulk.insert_rows(session, AuditEvent.__table__, rows)  # type: ignore[attr-defined]
        note_audit_row(session, rows[-1])


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


@dataclass(frozen=True)
class AuditQuery:
    """An admin's search of the trail. `person` is a prison number or a plan id: either finds
    every row about that person's plans, their early-release requests and their record."""

    actor: str | None = None
    person: str | None = None
    action: str | None = None
    on_or_after: date | None = None
    on_or_before: date | None = None
    limit: int = 25
    offset: int = 0


def search(session: Session, query: AuditQuery) -> tuple[list[AuditEvent], int]:
    """A page of the trail, newest first, and how many rows match: one statement, the total
    riding along as a window count (a second only for a page past the end)."""
    where = _conditions(query)
    statement = (
        select(AuditEvent, func.count().over().label("matching"))
        .where(*where)
        .order_by(col(AuditEvent.id).desc())
        .limit(query.limit)
        .offset(query.offset)
    )
    rows = session.exec(statement).all()
    if rows:
        return [event for event, _ in rows], int(rows[0][1])
    total = session.exec(select(func.count()).select_from(AuditEvent).where(*where)).one()
    return [], int(total)


def _conditions(query: AuditQuery) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if query.actor:
        where.append(col(AuditEvent.actor) == query.actor)
    if query.action:
        where.append(col(AuditEvent.action) == query.action)
    if query.on_or_after:
        where.append(col(AuditEvent.at) >= _london_midnight(query.on_or_after))
    if query.on_or_before:
        where.append(col(AuditEvent.at) < _london_midnight(query.on_or_before + timedelta(days=1)))
    if query.person:
        where.append(_about_person(query.person.strip()))
    return where


def _london_midnight(day: date) -> datetime:
    # Days are the officer's days: midnight in London, whatever the clocks are doing.
    return datetime.combine(day, time(0), tzinfo=clock.LONDON)


def _about_person(wanted: str) -> ColumnElement[bool]:
    person_ids: Any
    if wanted.isdigit():
        person_ids = select(ReleasePlan.person_id).where(col(ReleasePlan.id) == int(wanted))
    else:
        person_ids = select(col(Person.id)).where(col(Person.prison_number) == wanted.upper())
    plan_ids = select(cast(col(ReleasePlan.id), String)).where(
        col(ReleasePlan.person_id).in_(person_ids)
    )
    request_ids = (
        select(cast(col(EarlyReleaseRequest.id), String))
        .join(ReleasePlan, col(ReleasePlan.id) == col(EarlyReleaseRequest.plan_id))
        .where(col(ReleasePlan.person_id).in_(person_ids))
    )
    return or_(
        and_(col(AuditEvent.object_type) == "plan", col(AuditEvent.object_id).in_(plan_ids)),
        and_(
            col(AuditEvent.object_type) == "early_release_request",
            col(AuditEvent.object_id).in_(request_ids),
        ),
        and_(
            col(AuditEvent.object_type) == "person",
            col(AuditEvent.object_id).in_(
                select(cast(col(Person.id), String)).where(col(Person.id).in_(person_ids))
            ),
        ),
    )
