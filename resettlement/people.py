"""A person's own record: who may see it, and the one service that changes their details.

Opening a plan never changes the person it is for (an officer could otherwise rewrite the
person on someone else's plan). A change to a person's details is its own step: versioned,
written to the person's history and to the audit trail, by an officer accountable for them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import field_validator
from sqlmodel import Field, Session, SQLModel, col, select

from resettlement import audit, clock
from resettlement.actors import Actor, Role
from resettlement.errors import ConflictsWithRecord, Forbidden, NotFound
from resettlement.models import (
    OPEN_STATES,
    PRISON_CODE,
    Language,
    Person,
    PersonEvent,
    ReleasePlan,
)
from resettlement.transactions import check_version, commit, service
from rules.checklists import Need
from rules.entered_dates import BIRTH_NOT_PLAUSIBLE, plausible_birth
from rules.nations import Nation


def no_such_person(person_id: int) -> NotFound:
    """Worded the same whether the person does not exist or is not the caller's to see."""
    return NotFound(f"There is no person with id {person_id}.")


def may_see(session: Session, actor: Actor, person: Person) -> bool:
    """An officer sees the people they are or were named on a plan for; a governor, the people
    in their prison. The same rule as for plans (plan_view.readable_by), for the person."""
    if actor.role == Role.GOVERNOR:
        return person.prison_code == actor.prison_code
    if actor.role != Role.PROBATION_OFFICER:
        return False
    return _has_plan(session, actor, person, open_only=False)


def may_change(session: Session, actor: Actor, person: Person) -> bool:
    """Only the officer accountable for the person now: named on one of their open plans; or
    an import of the prison's records, whose details of the people in its prisons are the
    source (resettlement/intake)."""
    if actor.role == Role.INTAKE:
        return True
    return actor.role == Role.PROBATION_OFFICER and _has_plan(
        session, actor, person, open_only=True
    )


def _has_plan(session: Session, actor: Actor, person: Person, *, open_only: bool) -> bool:
    statement = select(ReleasePlan.id).where(
        ReleasePlan.person_id == person.id,
        ReleasePlan.probation_officer_id == actor.user_id,
    )
    if open_only:
        statement = statement.where(col(ReleasePlan.state).in_([s.value for s in OPEN_STATES]))
    return session.exec(statement.limit(1)).first() is not None


class PersonChanges(SQLModel):
    """The details an officer may correct; fields left out stay as they are. The prison number
    and CRN identify the person and are not changed here."""

    given_name: str | None = Field(default=None, min_length=1, max_length=100)
    family_name: str | None = Field(default=None, min_length=1, max_length=100)
    date_of_birth: date | None = None
    nation: Nation | None = None
    prison_code: str | None = Field(default=None, max_length=3)
    preferred_language: Language | None = None
    needs: list[Need] | None = None
    reasonable_adjustments: str | None = Field(default=None, max_length=2000)

    @field_validator("prison_code")
    @classmethod
    def _prison_code(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().upper()
        if not PRISON_CODE.match(value):
            raise ValueError("prison code must be three letters, like MDI")
        return value

    @field_validator("date_of_birth")
    @classmethod
    def _dob(cls, value: date | None) -> date | None:
        if value is not None and not plausible_birth(value, clock.today()):
            raise ValueError(BIRTH_NOT_PLAUSIBLE)
        return value


# Fields a change may not empty (null there means "leave as it is"): the record needs them.
_REQUIRED = {
    "given_name",
    "family_name",
    "date_of_birth",
    "nation",
    "prison_code",
    "preferred_language",
    "needs",
}


def _visible_person(session: Session, actor: Actor, person_id: int, *, change: bool) -> Person:
    person = session.get(Person, person_id)
    allowed = person is not None and (
        (may_change(session, actor, person) or actor.role == Role.ADMIN)
        if change
        else may_see(session, actor, person)
    )
    if not allowed:
        if person is not None:
            audit.record_denied(session, actor, "person", person_id)
        raise no_such_person(person_id)
    assert person is not None
    return person


@service
def get_person(*, session: Session, actor: Actor, person_id: int) -> Person:
    person = _visible_person(session, actor, person_id, change=False)
    audit.record(session, actor, "read", "person", person_id)
    commit(session, "audit")
    return person


@service
def update_person(
    *,
    session: Session,
    actor: Actor,
    person_id: int,
    expected_version: int,
    changes: PersonChanges,
    reason: str | None = None,
) -> Person:
    """Changes a person's details: checked against the version the caller saw, written to the
    person's history (from and to, and why) and the audit trail, in one transaction. An admin
    may correct anyone's details (rectification, UK GDPR Art. 16), always with a reason."""
    person = _visible_person(session, actor, person_id, change=True)
    reason = (reason or "").strip() or None
    if actor.role == Role.ADMIN and reason is None:
        # An admin's role allows a correction only with its reason (rectification).
        raise Forbidden("An admin corrects a person's details only with a reason: give one.")
    if person.anonymised_at is not None:
        raise ConflictsWithRecord("This person's record has been anonymised: it cannot change.")
    check_version(person, expected_version, "person")
    given = {
        name: value
        for name, value in changes.model_dump(exclude_unset=True).items()
        if value is not None or name not in _REQUIRED
    }
    changed: dict[str, dict[str, Any]] = {}
    for name, value in given.items():
        before = getattr(person, name)
        if before != value:
            changed[name] = {"from": _plain(before), "to": _plain(value)}
            setattr(person, name, value)
    if changed:
        session.add(person)
        session.add(
            PersonEvent(
                person_id=person_id,
                actor=actor.user_id,
                actor_role=actor.role.value,
                kind="details_changed",
                detail={"changed": changed} | ({"reason": reason} if reason else {}),
            )
        )
        action = "rectify" if actor.role == Role.ADMIN else "update"
        audit.record(session, actor, action, "person", person_id)
    commit(session, "person")
    return person


def history(session: Session, person_id: int) -> list[PersonEvent]:
    return list(
        session.exec(
            select(PersonEvent)
            .where(PersonEvent.person_id == person_id)
            .order_by(col(PersonEvent.id))
        ).all()
    )


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [str(v) for v in value]
    return value
