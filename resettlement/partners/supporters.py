"""A supporter: a family member or friend the person names, who may read chosen parts of the
person's published 48-hour plan through a link of their own, after answering a check question.

The link works as the person's own link does (resettlement/leaver_access.py): a 256-bit secret
of which only the SHA-256 is stored; too many wrong answers lock it for a while; signing out
ends every session opened with it. The check question's answer is the person's and the
supporter's, known to both and easy to guess in bulk, so it is kept only as a salted scrypt
hash and compared after normalising case and spaces.

It lasts for the first weeks after release only, and holds only while the person's consent to
share with this supporter is live: revoking the link (by the person or the officer) withdraws
that consent in the same transaction, and withdrawing the consent stops the link at once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Field, Session, SQLModel, col, select

from resettlement import audit, clock, web_sessions
from resettlement.actors import Actor, Role
from resettlement.errors import GuardRefused, InvalidInput, NotFound, UnmetCondition
from resettlement.forty_eight_hours import latest_published
from resettlement.leaver_access import (
    LinkLocked,
    LinkNotValid,
    SignedOut,
    count_failed_attempt,
    hash_secret,
    shown_to_the_person,
)
from resettlement.models import ReleasePlan, UTCDateTime
from resettlement.privacy import consents
from resettlement.privacy.consents import ConsentKind, GivenHow, Section, WithWhom, WithWhomType
from resettlement.transactions import commit, get_or_404, service

LINK_PATH = "/supporter-link/"
MAX_FAILED_ATTEMPTS = 5
LOCK_MINUTES = 15
# "The first weeks": the link lasts this long after the walk-out date, and never longer.
DEFAULT_WEEKS_AFTER_RELEASE = 4
MAX_WEEKS_AFTER_RELEASE = 8
# The parts of the published 48-hour plan a supporter can be shown.
SUPPORTER_SECTIONS = (Section.FIRST_NIGHT_ADDRESS, Section.APPOINTMENTS, Section.CONTACTS)
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


class SupporterLink(SQLModel, table=True):
    __tablename__ = "supporter_link"
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="release_plan.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    # The supporter's name in the consent record ("supporter:<ref>"): random, never guessable.
    ref: str = Field(max_length=40, unique=True)
    name: str = Field(min_length=1, max_length=200)
    relationship: str = Field(min_length=1, max_length=100)
    # How to reach them (a phone number or email address), so the officer can tell them the
    # link is theirs; never shown to the supporter or to partners.
    contact: str | None = Field(default=None, max_length=200)
    check_question: str = Field(min_length=1, max_length=200)
    answer_salt: str = Field(max_length=32)
    answer_hash: str = Field(max_length=64)
    secret_hash: str = Field(max_length=64, unique=True)
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_by: str | None = Field(default=None, max_length=100)
    failed_attempts: int = 0
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WrongAnswer(InvalidInput):
    title = "That is not the answer we hold"

    def __init__(self, detail: str, attempts_left: int) -> None:
        super().__init__(detail, field="answer")
        self.attempts_left = attempts_left


@dataclass(frozen=True)
class SupporterRequest:
    name: str
    relationship: str
    check_question: str
    answer: str
    sections: tuple[str, ...]
    weeks_after_release: int = DEFAULT_WEEKS_AFTER_RELEASE
    contact: str = ""


class SupporterState(StrEnum):
    ACTIVE = "active"
    LOCKED = "locked"
    EXPIRED = "expired"
    REVOKED = "revoked"


def state_of(link: SupporterLink, sections: list[str], now: datetime) -> SupporterState:
    """What the link does now. A link whose consent was withdrawn (on the consents page) opens
    nothing, as a revoked one does, so it is called revoked too."""
    if link.revoked_at is not None:
        return SupporterState.REVOKED
    if link.expires_at <= now:
        return SupporterState.EXPIRED
    if not sections:
        return SupporterState.REVOKED
    if link.locked_until is not None and link.locked_until > now:
        return SupporterState.LOCKED
    return SupporterState.ACTIVE


def _normalised(answer: str) -> str:
    return " ".join(answer.casefold().split())


def _answer_hash(answer: str, salt: str) -> str:
    return hashlib.scrypt(_normalised(answer).encode(), salt=bytes.fromhex(salt), **_SCRYPT).hex()


def last_day(link: SupporterLink) -> date:
    """The last whole day the link works: it stops at the start of the next, London time."""
    return clock.london(link.expires_at).date() - timedelta(days=1)


def supporter_id(link: SupporterLink) -> str:
    return f"supporter:{link.ref}"


def supporter_actor(link: SupporterLink, request_id: str | None = None) -> Actor:
    extra: dict[str, Any] = {"request_id": request_id} if request_id else {}
    return Actor(
        user_id=f"supporter-link:{link.id}", role=Role.SUPPORTER, plan_id=link.plan_id, **extra
    )


def _may_name(session: Session, actor: Actor, plan_id: int) -> ReleasePlan:
    """The plan's own officer, or the person themselves, names and revokes supporters."""
    plan = session.get(ReleasePlan, plan_id)
    allowed = plan is not None and (
        (actor.role == Role.PROBATION_OFFICER and plan.probation_officer_id == actor.user_id)
        or (actor.role == Role.PRISON_LEAVER and actor.plan_id == plan_id)
    )
    if not allowed:
        if plan is not None:
            audit.record_denied(session, actor, "plan", plan_id)
        raise NotFound(f"There is no plan with id {plan_id}.")
    assert plan is not None
    return plan


def _text(value: str, field: str, what: str, limit: int) -> str:
    cleaned = " ".join((value or "").split())
    if not cleaned:
        raise InvalidInput(f"Enter {what}.", field=field)
    if len(cleaned) > limit:
        raise InvalidInput(f"{what.capitalize()} must be {limit} characters or fewer.", field=field)
    return cleaned


@service
def name_supporter(
    *, session: Session, actor: Actor, plan_id: int, request: SupporterRequest
) -> tuple[SupporterLink, str]:
    """Records the person's consent to share the chosen sections with the supporter, and the
    supporter's link, in one transaction. Returns the link and its path, shown once."""
    plan = _may_name(session, actor, plan_id)
    if not shown_to_the_person(plan.state):
        raise GuardRefused(
            "name_supporter",
            [UnmetCondition("plan_not_cancelled", "The plan is cancelled: nothing to share.")],
        )
    name = _text(request.name, "name", "the supporter's name", 200)
    relationship = _text(request.relationship, "relationship", "who they are to the person", 100)
    question = _text(request.check_question, "check_question", "a check question", 200)
    answer = _text(request.answer, "answer", "the answer to the check question", 100)
    contact = " ".join((request.contact or "").split())
    if len(contact) > 200:
        raise InvalidInput("How to reach them must be 200 characters or fewer.", field="contact")
    if len(_normalised(answer)) < 3:
        raise InvalidInput("The answer must be at least 3 characters.", field="answer")
    try:
        sections = sorted({Section(s) for s in request.sections})
    except ValueError:
        sections = []
    if not sections or any(s not in SUPPORTER_SECTIONS for s in sections):
        raise InvalidInput(
            "Choose what to share: the first night's address, appointments or contacts.",
            field="sections",
        )
    if not 1 <= request.weeks_after_release <= MAX_WEEKS_AFTER_RELEASE:
        raise InvalidInput(
            f"A supporter's link lasts 1 to {MAX_WEEKS_AFTER_RELEASE} weeks after release.",
            field="weeks_after_release",
        )
    start = max(plan.walk_out_date or clock.today(), clock.today())
    last_day = start + timedelta(weeks=request.weeks_after_release)
    secret = secrets.token_urlsafe(32)
    salt = secrets.token_hex(16)
    link = SupporterLink(
        plan_id=plan_id,
        person_id=plan.person_id,
        ref=secrets.token_hex(16),
        name=name,
        relationship=relationship,
        contact=contact or None,
        check_question=question,
        answer_salt=salt,
        answer_hash=_answer_hash(answer, salt),
        secret_hash=hash_secret(secret),
        created_by=actor.user_id,
        expires_at=datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=clock.LONDON),
    )
    session.add(link)
    session.flush()
    audit.record(session, actor, "supporter_named", "plan", plan_id)
    # Last: its commit is this service's one commit, so the link and the consent it rests on
    # are written together or not at all.
    consents.give_consent(
        session=session,
        actor=actor,
        person_id=plan.person_id,
        kind=ConsentKind.SHARING_WITH_SUPPORTER,
        how=GivenHow.ON_THE_PAGE if actor.role == Role.PRISON_LEAVER else GivenHow.IN_PERSON,
        with_whom=WithWhom(WithWhomType.SUPPORTER, supporter_id(link), name),
        scope=[s.value for s in sections],
        until=last_day,
    )
    return link, f"{LINK_PATH}{secret}"


def supporters_for_plan(session: Session, plan_id: int) -> list[SupporterLink]:
    return list(
        session.exec(
            select(SupporterLink)
            .where(SupporterLink.plan_id == plan_id)
            .order_by(col(SupporterLink.id))
        ).all()
    )


@service
def list_for_plan(
    *, session: Session, actor: Actor, plan_id: int
) -> list[tuple[SupporterLink, list[str]]]:
    """The plan's supporters and what each may see now, for the officer: an audited read."""
    _may_name(session, actor, plan_id)
    found = [(link, live_sections(session, link)) for link in supporters_for_plan(session, plan_id)]
    audit.record(session, actor, "read_supporters", "plan", plan_id)
    commit(session, "audit")
    return found


def live_sections(session: Session, link: SupporterLink) -> list[str]:
    """The sections the person's consent shares with this supporter now; empty when none."""
    found = consents.live_consents(
        session,
        link.person_id,
        ConsentKind.SHARING_WITH_SUPPORTER,
        with_whom_id=supporter_id(link),
    )
    return list(found[-1].scope) if found else []


@service
def revoke_supporter(*, session: Session, actor: Actor, link_id: int) -> SupporterLink:
    """Stops the supporter's link and withdraws the consent it rested on, at once."""
    link = session.get(SupporterLink, link_id)
    if link is None:
        raise NotFound(f"There is no supporter with id {link_id}.")
    try:
        _may_name(session, actor, link.plan_id)
    except NotFound:
        raise NotFound(f"There is no supporter with id {link_id}.") from None
    now = clock.now()
    if link.revoked_at is None:
        link.revoked_at = now
        link.revoked_by = actor.user_id
        session.add(link)
    audit.record(session, actor, "supporter_revoked", "plan", link.plan_id)
    live = consents.live_consents(
        session,
        link.person_id,
        ConsentKind.SHARING_WITH_SUPPORTER,
        with_whom_id=supporter_id(link),
    )
    if not live:
        commit(session, "supporter")
        return link
    for consent in live[:-1]:
        consent.withdrawn_at, consent.withdrawn_by = now, actor.user_id
        session.add(consent)
    assert live[-1].id is not None
    # Its commit is this service's one commit.
    consents.withdraw_consent(
        session=session, actor=actor, consent_id=live[-1].id, reason="supporter's link revoked"
    )
    return link


# --- the supporter's way in ----------------------------------------------------------------


def _usable(session: Session, link: SupporterLink | None, now: datetime) -> SupporterLink:
    if (
        link is None
        or link.revoked_at is not None
        or link.expires_at <= now
        or not live_sections(session, link)
    ):
        raise LinkNotValid("This link has expired or has been stopped.")
    plan = session.get(ReleasePlan, link.plan_id)
    if plan is None or not shown_to_the_person(plan.state):
        raise LinkNotValid("This link has expired or has been stopped.")
    return link


def find_link(session: Session, secret: str, *, now: datetime | None = None) -> SupporterLink:
    if not secret or len(secret) > 200:
        raise LinkNotValid("This link has expired or has been stopped.")
    link = session.exec(
        select(SupporterLink).where(SupporterLink.secret_hash == hash_secret(secret))
    ).first()
    try:
        return _usable(session, link, now or clock.now())
    except LinkNotValid:
        if link is not None:
            # A real link, stopped or run out: who tried to use it after is kept, like any
            # refused access, though they are told only that the link does not work.
            audit.record_denied(session, supporter_actor(link), "plan", link.plan_id)
        raise


def check_session_link(
    session: Session, link_id: int, secret: str, generation: int = 0
) -> SupporterLink:
    """Every page request: the link still live, consent still live, not signed out since."""
    link = _usable(session, session.get(SupporterLink, link_id), clock.now())
    if not hmac.compare_digest(link.secret_hash, hash_secret(secret)):
        raise LinkNotValid("This link has expired or has been stopped.")
    if web_sessions.current(session, _subject(link)) != generation:
        raise SignedOut("You signed out. Open your link again to sign in.")
    return link


def _subject(link: SupporterLink) -> str:
    return f"supporter:{link.id}"


def session_generation(session: Session, link: SupporterLink) -> int:
    return web_sessions.current(session, _subject(link))


@service
def sign_out(*, session: Session, link_id: int) -> None:
    web_sessions.end_sessions(session=session, subject=f"supporter:{link_id}")


@service
def answer_check(
    *,
    session: Session,
    secret: str,
    answer: str,
    request_id: str | None = None,
    now: datetime | None = None,
) -> SupporterLink:
    """Checks the answer to the link's question. The try is counted first, in one conditional
    UPDATE that only succeeds on an unlocked link, as for the person's own link."""
    now = now or clock.now()
    link = find_link(session, secret, now=now)
    actor = supporter_actor(link, request_id)
    tries = count_failed_attempt(
        session,
        SupporterLink,
        link.id,
        now,
        max_attempts=MAX_FAILED_ATTEMPTS,
        lock_minutes=LOCK_MINUTES,
    )
    if tries is None:
        session.rollback()
        session.refresh(link)
        _usable(session, link, now)
        until = link.locked_until if link.locked_until and link.locked_until > now else now
        raise LinkLocked("Too many tries.", until)
    count, locked_until = tries
    given = _answer_hash(answer[:200], link.answer_salt)
    if not hmac.compare_digest(given, link.answer_hash):
        audit.record(session, actor, "supporter_sign_in_failed", "plan", link.plan_id)
        commit(session, "supporter link")
        set_committed_value(link, "failed_attempts", count)
        set_committed_value(link, "locked_until", locked_until)
        if locked_until is not None:
            raise LinkLocked("Too many tries.", locked_until)
        raise WrongAnswer(
            "That is not the answer we hold.", attempts_left=MAX_FAILED_ATTEMPTS - count
        )
    session.execute(
        update(SupporterLink)
        .where(col(SupporterLink.id) == link.id)
        .values(failed_attempts=0, locked_until=None, last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    audit.record(session, actor, "supporter_sign_in", "plan", link.plan_id)
    commit(session, "supporter link")
    set_committed_value(link, "failed_attempts", 0)
    set_committed_value(link, "locked_until", None)
    return link


@dataclass(frozen=True)
class SupporterView:
    given_name: str
    walk_out_date: date | None
    sections: list[str]
    shared: dict[str, Any]


@service
def open_shared_plan(*, session: Session, link: SupporterLink) -> SupporterView:
    """The chosen sections of the latest published 48-hour plan, audited. Nothing outside the
    consent's sections leaves this function."""
    sections = live_sections(session, link)
    if not sections:
        raise LinkNotValid("This link has expired or has been stopped.")
    try:
        snapshot = latest_published(session, link.plan_id).snapshot
    except NotFound:
        raise NotFound("The plan has not been published yet.") from None
    shared: dict[str, Any] = {}
    if Section.FIRST_NIGHT_ADDRESS.value in sections:
        shared[Section.FIRST_NIGHT_ADDRESS.value] = snapshot.get("accommodation") or {}
    if Section.APPOINTMENTS.value in sections:
        shared[Section.APPOINTMENTS.value] = [
            {k: a.get(k) for k in ("kind", "starts_at", "location", "with_whom")}
            for a in snapshot.get("appointments", [])
        ]
    if Section.CONTACTS.value in sections:
        shared[Section.CONTACTS.value] = [
            {k: c.get(k) for k in ("kind", "name", "phone", "hours")}
            for c in snapshot.get("contacts", [])
        ]
    walk_out = snapshot.get("walk_out_date")
    link.last_used_at = clock.now()
    session.add(link)
    audit.record(session, supporter_actor(link), "supporter_read_plan", "plan", link.plan_id)
    commit(session, "supporter link")
    return SupporterView(
        given_name=str(snapshot.get("given_name", "")),
        walk_out_date=date.fromisoformat(walk_out) if walk_out else None,
        sections=sections,
        shared=shared,
    )


def get_link(session: Session, link_id: int) -> SupporterLink:
    return get_or_404(session, SupporterLink, link_id, "supporter")
