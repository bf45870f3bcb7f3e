"""The prison leaver's own way in: a link to their published 48-hour plan, confirmed with their
date of birth.

A link holds a 256-bit random secret. Only its SHA-256 is stored, so a copy of the database
cannot open anyone's plan. A link expires, can be revoked, and locks for a while after too many
wrong dates of birth. Every request made with a link checks all of that again.

A plan has one live link at a time: issuing a link stops the plan's older ones (the database
holds that too, with a unique index over the plan's unrevoked links). A message that carries
a link is stored with a placeholder; the link is issued when the message is sent.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Index, and_, bindparam, case, func, null, or_, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Field, Session, SQLModel, col, select

from resettlement import audit, clock, history, web_sessions
from resettlement.actors import Actor, Role
from resettlement.errors import (
    AlreadyExists,
    DomainError,
    Forbidden,
    GuardRefused,
    InvalidInput,
    NotFound,
    UnmetCondition,
)
from resettlement.forty_eight_hours import latest_published
from resettlement.models import Person, PlanState, PublishedPlan, ReleasePlan, UTCDateTime
from resettlement.transactions import commit, get_or_404, service

# Where a link opens; the raw secret follows. Sent by text message and printed as a QR code.
LINK_PATH = "/plan-link/"
# The person's questions about their first days out. Its address carries no secret: it opens
# for whoever is signed in to the plan (through the sign-in link), and asks them to sign in
# otherwise, so messages may carry it as it is.
FIRST_DAYS_PATH = "/my-plan/first-days"
# Stands for the sign-in link in a stored message; notifications.deliver issues the link and
# puts it in the placeholder's place as the message is sent, so no secret is stored.
SIGN_IN_LINK = "[sign-in link]"
MAX_FAILED_ATTEMPTS = 5
LOCK_MINUTES = 15
MAX_TTL_DAYS = 90


class LeaverLink(SQLModel, table=True):
    __tablename__ = "leaver_link"
    # One live link per plan: a second unrevoked link for a plan cannot be written, even by
    # two issuers at the same moment.
    __table_args__ = (
        Index(
            "uq_leaver_link_live_plan",
            "plan_id",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="release_plan.id", index=True)
    # SHA-256 of the secret, hex. The secret itself is never stored.
    secret_hash: str = Field(max_length=64, unique=True)
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    failed_attempts: int = 0
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The published version the person last opened, and the one they had seen before it: the
    # page shows what changed between the two.
    seen_number: int | None = None
    changes_from_number: int | None = None
    # How the person was given the link, for the officer's page: printed, text_message, or
    # unset (issued through the API or by the release-day workflow). A text message also keeps
    # the number it went to and when Notify accepted it.
    handed_over: str | None = Field(default=None, max_length=20)
    sent_to: str | None = Field(default=None, max_length=20)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# --- errors: the page says what to do next, and never shows anything of the plan ----------


class LinkNotValid(DomainError):
    """Unknown, expired, revoked, or for a plan that was withdrawn: all look the same."""

    title = "This link does not work"


class SignedOut(DomainError):
    """A session cookie made before its person signed out."""

    title = "You have signed out"


class LinkLocked(DomainError):
    title = "Too many tries"

    def __init__(self, detail: str, until: datetime) -> None:
        super().__init__(detail)
        self.until = until


class PlanWithdrawn(Forbidden):
    """A bearer token for a plan that was cancelled: the API's twin of the page's refusal."""

    title = "This plan has been withdrawn"


class WrongDateOfBirth(DomainError):
    title = "The date of birth does not match"

    def __init__(self, detail: str, attempts_left: int) -> None:
        super().__init__(detail)
        self.attempts_left = attempts_left


# --- secrets -------------------------------------------------------------------------------


def hash_secret(secret: str) -> str:
    # The secret has 256 bits of entropy: a fast hash is enough, no salt or stretching needed.
    return hashlib.sha256(secret.encode()).hexdigest()


def link_path(secret: str) -> str:
    return f"{LINK_PATH}{secret}"


def _usable(link: LeaverLink | None, now: datetime) -> LeaverLink:
    if link is None or link.revoked_at is not None or link.expires_at <= now:
        raise LinkNotValid("This link has expired or has been stopped.")
    return link


def shown_to_the_person(state: str | None) -> bool:
    """The one rule for every way a prison leaver reads their plan (the pages, the API and the
    calendars): a recall or transfer cancels the plan, and the person must not follow a plan
    that is void."""
    return state is not None and state != PlanState.CANCELLED.value


def _plan_still_shown(session: Session, link: LeaverLink) -> ReleasePlan:
    plan = session.get(ReleasePlan, link.plan_id)
    if plan is None or not shown_to_the_person(plan.state):
        raise LinkNotValid("This link has expired or has been stopped.")
    return plan


def find_link(session: Session, secret: str, *, now: datetime | None = None) -> LeaverLink:
    """The live link for a secret, or LinkNotValid. Does not check the date of birth."""
    if not secret or len(secret) > 200:
        raise LinkNotValid("This link has expired or has been stopped.")
    link = session.exec(
        select(LeaverLink).where(LeaverLink.secret_hash == hash_secret(secret))
    ).first()
    link = _usable(link, now or clock.now())
    _plan_still_shown(session, link)
    return link


def check_session_link(
    session: Session,
    link_id: int,
    secret: str,
    generation: int = 0,
    *,
    now: datetime | None = None,
) -> LeaverLink:
    """Every page request: the signed-in link must still be live and match its secret, and
    the session must not have been ended by signing out."""
    link = _usable(session.get(LeaverLink, link_id), now or clock.now())
    if not hmac.compare_digest(link.secret_hash, hash_secret(secret)):
        raise LinkNotValid("This link has expired or has been stopped.")
    if web_sessions.current(session, web_sessions.leaver(link_id)) != generation:
        raise SignedOut("You signed out. Open your link again to sign in.")
    _plan_still_shown(session, link)
    return link


def session_generation(session: Session, link: LeaverLink) -> int:
    """What a new session cookie for the link must carry."""
    assert link.id is not None
    return web_sessions.current(session, web_sessions.leaver(link.id))


@service
def sign_out(*, session: Session, link_id: int) -> None:
    """Ends every session opened with the link, on every device; the link itself still works
    with the date of birth."""
    web_sessions.end_sessions(session=session, subject=web_sessions.leaver(link_id))


def leaver_actor(link: LeaverLink, request_id: str | None = None) -> Actor:
    extra: dict[str, Any] = {"request_id": request_id} if request_id else {}
    return Actor(
        user_id=f"leaver-link:{link.id}", role=Role.PRISON_LEAVER, plan_id=link.plan_id, **extra
    )


# --- services ------------------------------------------------------------------------------


@service
def issue_link(
    *,
    session: Session,
    actor: Actor,
    plan_id: int,
    ttl_days: int = 7,
    handed_over: str | None = None,
) -> tuple[LeaverLink, str]:
    """A new link to the plan's published 48-hour plan. Returns the row and the link's path
    (``/plan-link/<secret>``): send or print the path, it is never stored or shown again.
    `handed_over` says how the person gets it ("printed"), for the officer's page."""
    link, path = add_link(session=session, actor=actor, plan_id=plan_id, ttl_days=ttl_days)
    link.handed_over = handed_over
    commit(session, "leaver link")
    return link, path


def add_link(
    *, session: Session, actor: Actor, plan_id: int, ttl_days: int = 7
) -> tuple[LeaverLink, str]:
    """issue_link without the commit, for callers that send the link in the same transaction
    (the release-day workflow), so a link and its message are written together or not at all."""
    if not 1 <= ttl_days <= MAX_TTL_DAYS:
        raise InvalidInput(f"A link lasts from 1 to {MAX_TTL_DAYS} days.", field="ttl_days")
    plan = get_or_404(session, ReleasePlan, plan_id, "plan")
    if plan.state == PlanState.CANCELLED.value:
        raise GuardRefused(
            "issue_link",
            [UnmetCondition("plan_not_cancelled", "The plan is cancelled: nothing to show.")],
        )
    published = session.exec(
        select(PublishedPlan.id).where(PublishedPlan.plan_id == plan_id).limit(1)
    ).first()
    if published is None:
        raise GuardRefused(
            "issue_link",
            [UnmetCondition("published", "Publish the 48-hour plan before sending a link.")],
        )
    secret = secrets.token_urlsafe(32)
    now = clock.now()
    replaced = _revoke_live(session, plan_id, now)
    link = LeaverLink(
        plan_id=plan_id,
        secret_hash=hash_secret(secret),
        created_by=actor.user_id,
        created_at=now,
        expires_at=now + timedelta(days=ttl_days),
    )
    session.add(link)
    try:
        session.flush()
    except IntegrityError:
        # Another link for the plan was committed between our revoke and our insert.
        session.rollback()
        raise AlreadyExists(
            "Another link to this plan was issued at the same moment. Try again."
        ) from None
    history.record(
        session,
        plan,
        actor,
        "leaver_link_issued",
        detail={"link_id": link.id, "replaced": replaced},
    )
    audit.record(session, actor, "issue_leaver_link", "plan", plan_id)
    return link, link_path(secret)


def _revoke_live(session: Session, plan_id: int, now: datetime) -> int:
    """Stops every unrevoked link to the plan; returns how many."""
    result = session.execute(
        update(LeaverLink)
        .where(col(LeaverLink.plan_id) == plan_id, col(LeaverLink.revoked_at).is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session="evaluate")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


@service
def revoke_link(*, session: Session, actor: Actor, link_id: int) -> LeaverLink:
    """Stops a link at once, for example when a phone is lost. Revoking twice changes nothing."""
    link = get_or_404(session, LeaverLink, link_id, "leaver link")
    if link.revoked_at is None:
        link.revoked_at = clock.now()
        plan = get_or_404(session, ReleasePlan, link.plan_id, "plan")
        history.record(session, plan, actor, "leaver_link_revoked", detail={"link_id": link.id})
        audit.record(session, actor, "revoke_leaver_link", "plan", link.plan_id)
        commit(session, "leaver link")
    return link


@service
def revoke_links(*, session: Session, actor: Actor, plan_id: int) -> int:
    """Stops every live link to a plan at once (a lost phone, a recall, a new pack handed
    over). Returns how many were stopped; asking again stops none and changes nothing."""
    plan = get_or_404(session, ReleasePlan, plan_id, "plan")
    count = _revoke_live(session, plan_id, clock.now())
    if count:
        history.record(session, plan, actor, "leaver_links_revoked", detail={"count": count})
    audit.record(session, actor, "revoke_leaver_links", "plan", plan_id)
    commit(session, "leaver link")
    return count


@service
def confirm(
    *,
    session: Session,
    secret: str,
    date_of_birth: date,
    request_id: str | None = None,
    now: datetime | None = None,
) -> LeaverLink:
    """Checks the date of birth for a link. After MAX_FAILED_ATTEMPTS wrong tries the link
    locks for LOCK_MINUTES; while locked nothing is checked, so guessing learns nothing.

    The try is counted before the date is compared, in one conditional UPDATE that succeeds
    only while the link is not locked: requests in flight at once cannot all slip past a lock
    they read before it was set. PostgreSQL holds the row lock until the commit and re-checks
    the condition for each waiting request; SQLite runs one writer at a time.
    """
    now = now or clock.now()
    link = find_link(session, secret, now=now)
    plan = get_or_404(session, ReleasePlan, link.plan_id, "plan")
    person = get_or_404(session, Person, plan.person_id, "person")
    actor = leaver_actor(link, request_id)
    tries = count_failed_attempt(session, LeaverLink, link.id, now)
    if tries is None:
        # Locked (or stopped since it was read): the date is not compared at all.
        session.rollback()
        session.refresh(link)
        _usable(link, now)
        # Only a lock stops the count on a live link; should it have just ended, the person is
        # told to wait a moment rather than have the date compared without being counted.
        until = link.locked_until if link.locked_until and link.locked_until > now else now
        raise LinkLocked("Too many tries.", until)
    count, locked_until = tries
    if not hmac.compare_digest(person.date_of_birth.isoformat(), date_of_birth.isoformat()):
        audit.record(session, actor, "leaver_sign_in_failed", "plan", link.plan_id)
        if locked_until is not None:
            audit.record(session, actor, "leaver_link_locked", "plan", link.plan_id)
        commit(session, "leaver link")
        set_committed_value(link, "failed_attempts", count)
        set_committed_value(link, "locked_until", locked_until)
        if locked_until is not None:
            raise LinkLocked("Too many tries.", locked_until)
        raise WrongDateOfBirth("The date of birth does not match.", MAX_FAILED_ATTEMPTS - count)
    session.execute(
        update(LeaverLink)
        .where(col(LeaverLink.id) == link.id)
        .values(failed_attempts=0, locked_until=None, last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    audit.record(session, actor, "leaver_sign_in", "plan", link.plan_id)
    commit(session, "leaver link")
    set_committed_value(link, "failed_attempts", 0)
    set_committed_value(link, "locked_until", None)
    set_committed_value(link, "last_used_at", now)
    return link


class LockableLink(Protocol):
    """A link table counted by count_failed_attempt: the person's own and a supporter's."""

    id: Any
    failed_attempts: Any
    locked_until: Any
    revoked_at: Any
    expires_at: Any


def count_failed_attempt(
    session: Session,
    model: type[LockableLink],
    link_id: int | None,
    now: datetime,
    *,
    max_attempts: int = MAX_FAILED_ATTEMPTS,
    lock_minutes: int = LOCK_MINUTES,
) -> tuple[int, datetime | None] | None:
    """Counts one try on a live, unlocked link and locks it on the last allowed try, in one
    conditional UPDATE. Returns the new count and lock, or None if the link is locked or not
    live. The person's link and a supporter's link share it, so both resist the same race:
    requests in flight at once cannot all slip past a lock they read before it was set."""
    at = bindparam("now", now, type_=UTCDateTime)
    locked_until = col(model.locked_until)
    lock_ended = and_(locked_until.is_not(None), locked_until <= at)
    # A lock that has run out starts the count again.
    counted = case((lock_ended, 1), else_=col(model.failed_attempts) + 1)
    row = session.execute(
        update(model)
        .where(
            col(model.id) == link_id,
            col(model.revoked_at).is_(None),
            col(model.expires_at) > at,
            or_(locked_until.is_(None), lock_ended),
        )
        .values(
            failed_attempts=counted,
            locked_until=case(
                (
                    counted >= max_attempts,
                    bindparam(
                        "lock_until", now + timedelta(minutes=lock_minutes), type_=UTCDateTime
                    ),
                ),
                else_=null(),
            ),
        )
        .returning(col(model.failed_attempts), locked_until)
        .execution_options(synchronize_session=False)
    ).first()
    if row is None:
        return None
    count, until = row
    return int(count), until


@dataclass(frozen=True)
class LeaverView:
    """What the person's page needs: the latest published plan and the one to compare with."""

    link: LeaverLink
    published: PublishedPlan
    earlier: PublishedPlan | None


@service
def open_published_plan(
    *, session: Session, link: LeaverLink, now: datetime | None = None
) -> LeaverView:
    """The latest published plan for a signed-in person. Remembers which version they saw, so
    the next visit after a new version can say what changed."""
    published = latest_published(session, link.plan_id)
    if link.seen_number is None:
        # A new link for a plan the person already read with an older link carries on from it.
        link.seen_number = session.exec(
            select(func.max(LeaverLink.seen_number)).where(LeaverLink.plan_id == link.plan_id)
        ).one()
    if link.seen_number is not None and link.seen_number < published.number:
        link.changes_from_number = link.seen_number
    else:
        # They have now been shown the change once: the banner goes until the next version.
        link.changes_from_number = None
    link.seen_number = published.number
    link.last_used_at = now or clock.now()
    earlier = None
    if link.changes_from_number is not None and link.changes_from_number < published.number:
        earlier = session.exec(
            select(PublishedPlan).where(
                PublishedPlan.plan_id == link.plan_id,
                PublishedPlan.number == link.changes_from_number,
            )
        ).first()
    commit(session, "leaver link")
    return LeaverView(link=link, published=published, earlier=earlier)


class PlanLink(Protocol):
    plan_id: int


def plan_language(session: Session, link: PlanLink) -> str | None:
    """The language of the plan a live link opens (the person's own or a supporter's), so the
    sign-in page is in it before the date of birth or check answer is asked for. Holding the
    link is enough for this: it tells nothing of the plan but the language it is written in."""
    try:
        language = latest_published(session, link.plan_id).snapshot.get("preferred_language")
    except NotFound:
        return None
    return str(language) if language else None


def published_for_actor(session: Session, actor: Actor) -> PublishedPlan:
    """The latest published plan for a prison leaver's bearer token (the API and its calendar),
    in one query, refused as the pages refuse it once the plan is cancelled."""
    if actor.role != Role.PRISON_LEAVER or actor.plan_id is None:
        raise PlanWithdrawn("Only the person the plan is for can open it.")
    row = session.exec(
        select(ReleasePlan.state, PublishedPlan)
        .select_from(ReleasePlan)
        .outerjoin(PublishedPlan, col(PublishedPlan.plan_id) == col(ReleasePlan.id))
        .where(col(ReleasePlan.id) == actor.plan_id)
        .order_by(col(PublishedPlan.number).desc())
        .limit(1)
    ).first()
    if row is None or not shown_to_the_person(row[0]):
        raise PlanWithdrawn("This plan has been withdrawn. Ask your probation officer.")
    if row[1] is None:
        raise NotFound("Your plan has not been published yet. Ask your probation officer.")
    return row[1]


@dataclass(frozen=True)
class LinkStatus:
    """Whether the person can open their plan: how many links work now, and the newest link."""

    working: int
    newest: LeaverLink | None


def link_status(session: Session, plan_id: int, *, now: datetime | None = None) -> LinkStatus:
    now = now or clock.now()
    links = session.exec(
        select(LeaverLink)
        .where(LeaverLink.plan_id == plan_id)
        .order_by(col(LeaverLink.created_at).desc(), col(LeaverLink.id).desc())
    ).all()
    working = [link for link in links if link.revoked_at is None and link.expires_at > now]
    return LinkStatus(working=len(working), newest=links[0] if links else None)
