"""The consent record: one row per consent the person gives, kept after it is withdrawn.

Each consent says what it is for (monitoring characteristics, sharing with a named partner
organisation or supporter, contact by text or email), with whom and which sections of the plan
(for sharing), until when, when and how it was given (in person, to the officer; or on the
person's own page), who recorded it, and when and by whom it was withdrawn.

Code that depends on a consent asks `has_live_consent` (or `live_consents`) every time it acts,
never a copy of the answer: a withdrawal commits in its own transaction and the next check, in
the same request or any other, already sees it. Withdrawing a consent also removes what was held
only because of it (the characteristics, the mobile number).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, Integer, String, or_
from sqlmodel import JSON, Field, Session, SQLModel, col, select

from resettlement import audit, clock, people
from resettlement.actors import Actor, Role
from resettlement.errors import InvalidInput, NotFound
from resettlement.models import Person, PersonEvent, ReleasePlan, UTCDateTime
from resettlement.transactions import check_version, commit, service


class ConsentKind(StrEnum):
    MONITORING_CHARACTERISTICS = "monitoring_characteristics"
    SHARING_WITH_PARTNER = "sharing_with_partner"
    SHARING_WITH_SUPPORTER = "sharing_with_supporter"
    CONTACT_BY_TEXT = "contact_by_text"
    CONTACT_BY_EMAIL = "contact_by_email"


SHARING = (ConsentKind.SHARING_WITH_PARTNER, ConsentKind.SHARING_WITH_SUPPORTER)


class GivenHow(StrEnum):
    IN_PERSON = "in_person"
    ON_THE_PAGE = "on_the_page"
    # Held as a yes/no before the consent record existed (migration 0120): when and how the
    # person agreed was not kept.
    BEFORE_THE_RECORD = "before_the_record"


class WithWhomType(StrEnum):
    ORGANISATION = "organisation"
    SUPPORTER = "supporter"


class Section(StrEnum):
    """Parts of the plan a sharing consent can cover: a partner or supporter sees only these."""

    FIRST_NIGHT_ADDRESS = "first_night_address"
    APPOINTMENTS = "appointments"
    CONTACTS = "contacts"
    HEALTH = "health"
    CHARACTERISTICS = "characteristics"


_consent_version = Column("version", Integer, nullable=False, server_default="1")


class Consent(SQLModel, table=True):
    __tablename__ = "consent"
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    kind: str = Field(sa_type=String(40), max_length=40, index=True)
    # For sharing: the partner organisation's or supporter's id and name, as they were named.
    with_whom_type: str | None = Field(default=None, max_length=20)
    with_whom_id: str | None = Field(default=None, max_length=100, index=True)
    with_whom_name: str | None = Field(default=None, max_length=200)
    # Sections of the plan shared (Section values); empty for the other kinds.
    scope: list[str] = Field(default_factory=list, sa_type=JSON)
    # The last day it holds; none: until withdrawn.
    until: date | None = None
    given_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    given_how: str = Field(max_length=20)
    recorded_by: str = Field(max_length=100)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    withdrawn_by: str | None = Field(default=None, max_length=100)
    withdrawn_reason: str | None = Field(default=None, max_length=200)
    version: int = Field(default=1, sa_column=_consent_version)

    __mapper_args__ = {"version_id_col": _consent_version}

    def live_on(self, day: date) -> bool:
        return self.withdrawn_at is None and (self.until is None or self.until >= day)

    @property
    def live(self) -> bool:
        return self.live_on(clock.today())


@dataclass(frozen=True)
class WithWhom:
    type: WithWhomType
    id: str
    name: str


REPLACED = "replaced by a newer consent"


# --- reading: what other code gates on -----------------------------------------------------


def _live_clause(day: date) -> Any:
    return (
        col(Consent.withdrawn_at).is_(None),
        or_(col(Consent.until).is_(None), col(Consent.until) >= day),
    )


def live_consents(
    session: Session,
    person_id: int,
    kind: ConsentKind | None = None,
    *,
    with_whom_id: str | None = None,
    section: Section | str | None = None,
) -> list[Consent]:
    """The person's consents that hold today, optionally of one kind, with one organisation or
    supporter, covering one section. Read from the database on every call."""
    statement = select(Consent).where(Consent.person_id == person_id, *_live_clause(clock.today()))
    if kind is not None:
        statement = statement.where(Consent.kind == kind.value)
    if with_whom_id is not None:
        statement = statement.where(Consent.with_whom_id == with_whom_id)
    found = list(session.exec(statement.order_by(col(Consent.id))).all())
    if section is not None:
        found = [c for c in found if str(section) in c.scope]
    return found


def has_live_consent(
    session: Session,
    person_id: int,
    kind: ConsentKind,
    *,
    with_whom_id: str | None = None,
    section: Section | str | None = None,
) -> bool:
    return bool(live_consents(session, person_id, kind, with_whom_id=with_whom_id, section=section))


def people_with_live_consent(
    session: Session, person_ids: Iterable[int], kind: ConsentKind
) -> set[int]:
    """Of these people, those with a live consent of this kind: one query for a report."""
    ids = list(set(person_ids))
    if not ids:
        return set()
    statement = select(Consent.person_id).where(
        col(Consent.person_id).in_(ids), Consent.kind == kind.value, *_live_clause(clock.today())
    )
    return set(session.exec(statement).all())


def consent_history(session: Session, person_id: int) -> list[Consent]:
    """Every consent the person gave, live or withdrawn, oldest first."""
    return list(
        session.exec(
            select(Consent).where(Consent.person_id == person_id).order_by(col(Consent.id))
        ).all()
    )


# --- who may do what -----------------------------------------------------------------------


def _leaver_owns(session: Session, actor: Actor, person: Person) -> bool:
    if actor.role != Role.PRISON_LEAVER or actor.plan_id is None:
        return False
    plan = session.get(ReleasePlan, actor.plan_id)
    return plan is not None and plan.person_id == person.id


def _person(session: Session, actor: Actor, person_id: int, *, change: bool) -> Person:
    """The officer accountable for the person records a consent; the person themselves (on their
    page) may give or withdraw theirs; any officer who may see the person, or an admin, may
    record a withdrawal. Anyone else: the same 404 as a person who does not exist, audited."""
    person = session.get(Person, person_id)
    allowed = person is not None and (
        _leaver_owns(session, actor, person)
        or (people.may_change(session, actor, person) if change else False)
        or (not change and (actor.role == Role.ADMIN or people.may_see(session, actor, person)))
    )
    if not allowed:
        if person is not None:
            audit.record_denied(session, actor, "person", person_id)
        raise people.no_such_person(person_id)
    assert person is not None
    return person


def _event(session: Session, actor: Actor, person_id: int, kind: str, consent: Consent) -> None:
    # The person's history names the consent, never the values it covered.
    session.add(
        PersonEvent(
            person_id=person_id,
            actor=actor.user_id,
            actor_role=actor.role.value,
            kind=kind,
            detail={
                "consent_id": consent.id,
                "kind": consent.kind,
                "with_whom": consent.with_whom_name,
                "scope": list(consent.scope),
            },
        )
    )


# --- services ------------------------------------------------------------------------------


@service
def list_consents(*, session: Session, actor: Actor, person_id: int) -> list[Consent]:
    """The person's consents, live and withdrawn, for a page or the API: an audited read."""
    _person(session, actor, person_id, change=False)
    found = consent_history(session, person_id)
    audit.record(session, actor, "read_consents", "person", person_id)
    commit(session, "audit")
    return found


def _check(
    kind: ConsentKind, with_whom: WithWhom | None, scope: list[str], until: date | None
) -> None:
    if kind in SHARING:
        if with_whom is None or not with_whom.id.strip() or not with_whom.name.strip():
            raise InvalidInput(
                "Name the organisation or supporter the person agrees to share with.",
                field="with_whom",
            )
        wanted = (
            WithWhomType.ORGANISATION
            if kind == ConsentKind.SHARING_WITH_PARTNER
            else WithWhomType.SUPPORTER
        )
        if with_whom.type != wanted:
            raise InvalidInput(f"Sharing of this kind is with a {wanted.value}.", field="with_whom")
        if not scope:
            raise InvalidInput("Choose at least one part of the plan to share.", field="scope")
    elif with_whom is not None or scope:
        raise InvalidInput("Only a sharing consent names who and what is shared.", field="kind")
    if until is not None and until < clock.today():
        raise InvalidInput("The consent cannot end before today.", field="until")


@service
def give_consent(
    *,
    session: Session,
    actor: Actor,
    person_id: int,
    kind: ConsentKind,
    how: GivenHow,
    with_whom: WithWhom | None = None,
    scope: Iterable[Section | str] = (),
    until: date | None = None,
) -> Consent:
    """Records a consent as given now. A live consent of the same kind with the same
    organisation or supporter is replaced (withdrawn, and the new one recorded), so the person
    holds one answer at a time for each."""
    person = _person(session, actor, person_id, change=True)
    try:
        sections = sorted({Section(s).value for s in scope})
    except ValueError:
        raise InvalidInput(
            f"Sections are some of: {', '.join(s.value for s in Section)}.", field="scope"
        ) from None
    _check(kind, with_whom, sections, until)
    if how == GivenHow.BEFORE_THE_RECORD:
        raise InvalidInput("Say how the person gave their consent.", field="how")
    if actor.role == Role.PRISON_LEAVER and how != GivenHow.ON_THE_PAGE:
        raise InvalidInput("A consent given on your page is given on the page.", field="how")
    now = clock.now()
    for old in live_consents(
        session, person_id, kind, with_whom_id=with_whom.id if with_whom else None
    ):
        old.withdrawn_at, old.withdrawn_by, old.withdrawn_reason = now, actor.user_id, REPLACED
        session.add(old)
    consent = Consent(
        person_id=person_id,
        kind=kind.value,
        with_whom_type=with_whom.type.value if with_whom else None,
        with_whom_id=with_whom.id.strip() if with_whom else None,
        with_whom_name=with_whom.name.strip() if with_whom else None,
        scope=sections,
        until=until,
        given_at=now,
        given_how=how.value,
        recorded_by=actor.user_id,
    )
    session.add(consent)
    session.flush()
    _event(session, actor, person_id, "consent_given", consent)
    audit.record(session, actor, "consent_given", "person", person.id)
    commit(session, "consent")
    return consent


def record_monitoring_answer(session: Session, actor: Actor, person_id: int) -> None:
    """The person agreed, as their plan was opened, to give monitoring characteristics: a
    consent given in person, in the opening officer's transaction. Kept if one already holds."""
    if has_live_consent(session, person_id, ConsentKind.MONITORING_CHARACTERISTICS):
        return
    consent = Consent(
        person_id=person_id,
        kind=ConsentKind.MONITORING_CHARACTERISTICS.value,
        given_how=GivenHow.IN_PERSON.value,
        recorded_by=actor.user_id,
    )
    session.add(consent)
    session.flush()
    _event(session, actor, person_id, "consent_given", consent)


@service
def withdraw_consent(
    *,
    session: Session,
    actor: Actor,
    consent_id: int,
    expected_version: int | None = None,
    reason: str | None = None,
) -> Consent:
    """Withdraws a consent now. It stops gating anything at once, and what was held only
    because of it goes in the same transaction: the monitoring characteristics, or the mobile
    number the person agreed to be texted on. Withdrawing twice changes nothing."""
    consent = session.get(Consent, consent_id)
    if consent is None:
        raise NotFound(f"There is no consent with id {consent_id}.")
    try:
        _person(session, actor, consent.person_id, change=False)
    except NotFound:
        raise NotFound(f"There is no consent with id {consent_id}.") from None
    if expected_version is not None:
        check_version(consent, expected_version, "consent")
    if consent.withdrawn_at is not None:
        return consent
    consent.withdrawn_at = clock.now()
    consent.withdrawn_by = actor.user_id
    consent.withdrawn_reason = (reason or "").strip()[:200] or None
    session.add(consent)
    _drop_what_it_held(session, consent)
    _event(session, actor, consent.person_id, "consent_withdrawn", consent)
    audit.record(session, actor, "consent_withdrawn", "person", consent.person_id)
    commit(session, "consent")
    return consent


def _drop_what_it_held(session: Session, consent: Consent) -> None:
    kind = ConsentKind(consent.kind)
    if kind == ConsentKind.MONITORING_CHARACTERISTICS:
        person = session.get(Person, consent.person_id)
        if person is not None:
            person.ethnic_group = person.sex = person.disability = person.religion = None
            session.add(person)
    elif kind == ConsentKind.CONTACT_BY_TEXT:
        from resettlement.person_mobile import forget_mobile

        person = session.get(Person, consent.person_id)
        if person is not None:
            forget_mobile(session, person)
