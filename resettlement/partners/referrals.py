"""Referrals from a release plan to a service in the directory, with the person's consent.

A referral says which service, what need it is for and what the person wants help with, in
their own words. The person's consent to share (which sections, with which organisation, until
when) is a row of the consent record (resettlement/privacy/consents.py), written in the same
transaction as the referral; every step that shares or takes the person on asks the consent
record again, so a withdrawal stops the referral's sharing at once.

The referral's own history (each step, progress, notes, flagged issues or risks) is kept as
referral updates; the plan's history records what changes the plan (an appointment added to
the 48-hour plan once a referral is accepted).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, Integer, String, func
from sqlmodel import Field, Session, SQLModel, col, select

from resettlement import audit, clock, history
from resettlement.actors import Actor, Role
from resettlement.errors import ConflictsWithRecord, InvalidInput, NotFound, TransitionNotAllowed
from resettlement.models import (
    OPEN_STATES,
    Appointment,
    AppointmentKind,
    Person,
    ReleasePlan,
    UTCDateTime,
    appointment_problem,
)
from resettlement.partners.models import DirectoryOrganisation, DirectoryService
from resettlement.partners.referral_lifecycle import (
    TAKEN_ON,
    ReferralState,
    run,
)
from resettlement.plan_snapshot import note_change
from resettlement.privacy import consents
from resettlement.privacy.consents import Consent, ConsentKind, GivenHow, Section, WithWhom
from resettlement.transactions import check_version, commit, get_or_404, service
from rules.service_needs import ServiceNeed

# An organisation has this many days to answer a referral unless the officer says otherwise;
# the daily scan chases the officer about any referral still unanswered after it.
ANSWER_WITHIN_DAYS = 5
# Long enough to cover a release most of a year away and the months after it.
MAX_CONSENT_DAYS = 731
MAX_ANSWER_DAYS = 366


class UpdateKind(StrEnum):
    STEP = "step"
    PROGRESS = "progress"
    NOTE = "note"
    FLAG = "flag"


class FlagKind(StrEnum):
    ISSUE = "issue"
    RISK = "risk"


# --- tables --------------------------------------------------------------------------------

_referral_version = Column("version", Integer, nullable=False, server_default="1")


class Referral(SQLModel, table=True):
    __tablename__ = "referral"
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="release_plan.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    service_id: int = Field(foreign_key="directory_service.id", index=True)
    organisation_id: int = Field(foreign_key="directory_organisation.id", index=True)
    need: str = Field(sa_type=String(30), max_length=30, index=True)
    # In the person's own words.
    help_wanted: str = Field(min_length=1, max_length=2000)
    state: str = Field(default=ReferralState.DRAFT.value, index=True, max_length=20)
    version: int = Field(default=1, sa_column=_referral_version)
    # The day the organisation should have answered by: chased by the daily scan after it.
    due_date: date = Field(index=True)
    made_by: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    outcome_reason: str | None = Field(default=None, max_length=1000)
    # The appointment the organisation offered, once accepted: it is in the 48-hour plan.
    appointment_id: int | None = Field(default=None, foreign_key="appointment.id")

    __mapper_args__ = {"version_id_col": _referral_version}


class ReferralUpdate(SQLModel, table=True):
    """A referral's history: each step, progress and note, and each issue or risk flagged to
    the probation officer (open until the officer marks it seen)."""

    __tablename__ = "referral_update"
    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(foreign_key="referral.id", index=True)
    # Copied from the referral so the caseload counts a plan's open flags in one query.
    plan_id: int = Field(foreign_key="release_plan.id", index=True)
    at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    actor: str = Field(max_length=100)
    actor_role: str = Field(max_length=30)
    kind: str = Field(max_length=20)
    flag_kind: str | None = Field(default=None, max_length=20)
    from_state: str | None = Field(default=None, max_length=20)
    to_state: str | None = Field(default=None, max_length=20)
    text: str | None = Field(default=None, max_length=4000)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    resolved_by: str | None = Field(default=None, max_length=100)


# --- shapes the services take --------------------------------------------------------------


@dataclass(frozen=True)
class ReferralRequest:
    """What the officer records with the person: the service, the need, the person's words,
    and their consent (what is shared and until when)."""

    service_id: int
    need: str
    help_wanted: str
    sections: tuple[str, ...]
    consent_until: date
    due_date: date | None = None


@dataclass(frozen=True)
class OfferedAppointment:
    starts_at: datetime
    location: str
    what_to_bring: str | None = None


# --- reading -------------------------------------------------------------------------------


def live_consent(session: Session, referral: Referral) -> Consent | None:
    """The person's consent, as it stands now, to share with the referral's organisation.
    Asked of the consent record every time, never a copy of an earlier answer. It is the
    person's latest answer for that organisation: a newer consent (for a second referral to the
    same organisation) replaces the one the referral was made under, and covers both."""
    found = consents.live_consents(
        session,
        referral.person_id,
        ConsentKind.SHARING_WITH_PARTNER,
        with_whom_id=str(referral.organisation_id),
    )
    return found[-1] if found else None


def consent_is_live(session: Session, referral: Referral) -> bool:
    return live_consent(session, referral) is not None


def referrals_for_plan(session: Session, plan_id: int) -> list[Referral]:
    return list(
        session.exec(
            select(Referral).where(Referral.plan_id == plan_id).order_by(col(Referral.id))
        ).all()
    )


def updates(session: Session, referral_id: int) -> list[ReferralUpdate]:
    return list(
        session.exec(
            select(ReferralUpdate)
            .where(ReferralUpdate.referral_id == referral_id)
            .order_by(col(ReferralUpdate.id))
        ).all()
    )


def open_flags(session: Session, plan_ids: Iterable[int]) -> dict[int, int]:
    """How many issues or risks partners have flagged on each plan that the officer has not
    yet marked as seen: one query for a whole caseload page."""
    ids = sorted(set(plan_ids))
    if not ids:
        return {}
    rows = session.exec(
        select(ReferralUpdate.plan_id, func.count())
        .where(
            col(ReferralUpdate.plan_id).in_(ids),
            ReferralUpdate.kind == UpdateKind.FLAG.value,
            col(ReferralUpdate.resolved_at).is_(None),
        )
        .group_by(col(ReferralUpdate.plan_id))
    ).all()
    return {int(plan_id): int(count) for plan_id, count in rows}


def flags_for_plan(session: Session, plan_id: int) -> list[ReferralUpdate]:
    return list(
        session.exec(
            select(ReferralUpdate)
            .where(
                ReferralUpdate.plan_id == plan_id,
                ReferralUpdate.kind == UpdateKind.FLAG.value,
            )
            .order_by(col(ReferralUpdate.id).desc())
        ).all()
    )


# --- helpers the services share ------------------------------------------------------------


def _text(value: str | None, field: str, what: str, limit: int = 4000) -> str:
    cleaned = (value or "").strip()
    if not cleaned:
        raise InvalidInput(f"Enter {what}.", field=field)
    if len(cleaned) > limit:
        raise InvalidInput(f"{what.capitalize()} must be {limit} characters or fewer.", field=field)
    return cleaned


def _officers_plan(session: Session, actor: Actor, plan_id: int) -> ReleasePlan:
    plan = session.get(ReleasePlan, plan_id)
    if plan is None or actor.role != Role.PROBATION_OFFICER:
        raise NotFound(f"There is no plan with id {plan_id}.")
    if plan.probation_officer_id != actor.user_id:
        audit.record_denied(session, actor, "plan", plan_id)
        raise NotFound(f"There is no plan with id {plan_id}.")
    return plan


def _note(
    session: Session,
    referral: Referral,
    actor: Actor,
    kind: UpdateKind,
    *,
    text: str | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    flag_kind: FlagKind | None = None,
) -> ReferralUpdate:
    assert referral.id is not None
    update = ReferralUpdate(
        referral_id=referral.id,
        plan_id=referral.plan_id,
        actor=actor.user_id,
        actor_role=actor.role.value,
        kind=kind.value,
        text=text,
        from_state=from_state,
        to_state=to_state,
        flag_kind=flag_kind.value if flag_kind else None,
    )
    session.add(update)
    return update


def _step(
    session: Session,
    referral: Referral,
    actor: Actor,
    event: str,
    *,
    reason: str | None = None,
) -> None:
    before, after = run(
        referral, event, consent_live=consent_is_live(session, referral), reason=reason
    )
    now = clock.now()
    if after == ReferralState.SENT.value:
        referral.sent_at = now
    elif after in (ReferralState.ACCEPTED.value, ReferralState.DECLINED.value):
        referral.answered_at = now
    if after in (
        ReferralState.DECLINED.value,
        ReferralState.COMPLETED.value,
        ReferralState.CLOSED.value,
    ):
        referral.ended_at = now
        referral.outcome_reason = reason.strip() if reason else None
    session.add(referral)
    _note(
        session,
        referral,
        actor,
        UpdateKind.STEP,
        text=reason.strip() if reason else None,
        from_state=before,
        to_state=after,
    )
    audit.record(session, actor, f"referral_{event}", "referral", referral.id)


def _load(session: Session, referral_id: int, expected_version: int | None) -> Referral:
    referral = get_or_404(session, Referral, referral_id, "referral")
    if expected_version is not None:
        check_version(referral, expected_version, "referral")
    return referral


def officers_referral(
    session: Session, actor: Actor, referral_id: int, expected_version: int | None = None
) -> Referral:
    """A referral from a plan the officer is named on; anyone else is told there is none."""
    referral = session.get(Referral, referral_id)
    if referral is None:
        raise NotFound(f"There is no referral with id {referral_id}.")
    plan = session.get(ReleasePlan, referral.plan_id)
    if (
        actor.role != Role.PROBATION_OFFICER
        or plan is None
        or plan.probation_officer_id != actor.user_id
    ):
        audit.record_denied(session, actor, "referral", referral_id)
        raise NotFound(f"There is no referral with id {referral_id}.")
    if expected_version is not None:
        check_version(referral, expected_version, "referral")
    return referral


def partners_referral(
    session: Session, actor: Actor, referral_id: int, expected_version: int | None = None
) -> Referral:
    """A referral to the partner's own organisation that the person's consent still covers.
    Any other (another organisation's, a draft, consent withdrawn or run out) is a 404, worded
    as for one that does not exist, and the attempt is kept in the audit trail."""
    referral = session.get(Referral, referral_id)
    visible = (
        referral is not None
        and actor.role == Role.PARTNER
        and actor.organisation_id is not None
        and referral.organisation_id == actor.organisation_id
        and referral.state != ReferralState.DRAFT.value
        and consent_is_live(session, referral)
    )
    if not visible:
        if referral is not None:
            audit.record_denied(session, actor, "referral", referral_id)
        raise NotFound(f"There is no referral with id {referral_id}.")
    assert referral is not None
    if expected_version is not None:
        check_version(referral, expected_version, "referral")
    return referral


# --- the officer's services ----------------------------------------------------------------


@service
def make_referral(
    *, session: Session, actor: Actor, plan_id: int, request: ReferralRequest
) -> Referral:
    """Records the person's consent to share with the service's organisation and a draft
    referral under it, in one transaction."""
    plan = _officers_plan(session, actor, plan_id)
    if plan.state not in {s.value for s in OPEN_STATES}:
        # The request is well formed; it is the plan's stage that refuses it (409).
        raise ConflictsWithRecord("Referrals are made from an open plan.", field="plan_id")
    found = session.get(DirectoryService, request.service_id)
    if found is None:
        raise NotFound(f"There is no service with id {request.service_id} in the directory.")
    if found.withdrawn_at is not None:
        # Kept only for the referrals already made to it: its council no longer lists it.
        raise ConflictsWithRecord(
            f"{found.name} is no longer listed in the directory: choose another service.",
            field="service_id",
        )
    organisation = get_or_404(session, DirectoryOrganisation, found.organisation_id, "organisation")
    try:
        need = ServiceNeed(request.need)
    except ValueError:
        raise InvalidInput("Choose what the referral is for.", field="need") from None
    if need.value not in {str(n) for n in found.needs}:
        # The need is fine for another service: the record says this one does not meet it.
        raise ConflictsWithRecord(
            f"{found.name} does not list help with this need: choose another service or need.",
            field="need",
        )
    help_wanted = _text(request.help_wanted, "help_wanted", "what the person wants help with", 2000)
    today = clock.today()
    if not today <= request.consent_until <= today + timedelta(days=MAX_CONSENT_DAYS):
        raise InvalidInput(
            f"Consent lasts from today for up to {MAX_CONSENT_DAYS} days.", field="consent_until"
        )
    due = request.due_date or today + timedelta(days=ANSWER_WITHIN_DAYS)
    if not today <= due <= today + timedelta(days=MAX_ANSWER_DAYS):
        raise InvalidInput(
            f"The date to answer by is from today to {MAX_ANSWER_DAYS} days ahead.",
            field="due_date",
        )
    try:
        sections = sorted({Section(s).value for s in request.sections})
    except ValueError:
        raise InvalidInput(
            f"Sections are some of: {', '.join(s.value for s in Section)}.", field="sections"
        ) from None
    person = get_or_404(session, Person, plan.person_id, "person")
    referral = Referral(
        plan_id=plan_id,
        person_id=person.id,  # type: ignore[arg-type]
        service_id=found.id,  # type: ignore[arg-type]
        organisation_id=organisation.id,  # type: ignore[arg-type]
        need=need.value,
        help_wanted=help_wanted,
        due_date=due,
        made_by=actor.user_id,
    )
    session.add(referral)
    session.flush()
    _note(session, referral, actor, UpdateKind.STEP, to_state=ReferralState.DRAFT.value)
    history.record(
        session,
        plan,
        actor,
        "referral_made",
        detail={"referral_id": referral.id, "service": found.name},
    )
    audit.record(session, actor, "referral_made", "plan", plan_id)
    # Last, so that its commit is this service's one commit: the consent and the referral are
    # written together or not at all (a refusal rolls back the whole session).
    consents.give_consent(
        session=session,
        actor=actor,
        person_id=plan.person_id,
        kind=ConsentKind.SHARING_WITH_PARTNER,
        how=GivenHow.IN_PERSON,
        with_whom=WithWhom(
            consents.WithWhomType.ORGANISATION, str(organisation.id), organisation.name
        ),
        scope=sections,
        until=request.consent_until,
    )
    return referral


@service
def send_referral(
    *, session: Session, actor: Actor, referral_id: int, expected_version: int
) -> Referral:
    referral = officers_referral(session, actor, referral_id, expected_version)
    _step(session, referral, actor, "refer")
    commit(session, "referral")
    return referral


@service
def close_referral(
    *, session: Session, actor: Actor, referral_id: int, expected_version: int, reason: str
) -> Referral:
    referral = officers_referral(session, actor, referral_id, expected_version)
    _step(session, referral, actor, "close", reason=reason)
    _cancel_appointment(session, referral, actor)
    commit(session, "referral")
    return referral


@service
def mark_flag_seen(*, session: Session, actor: Actor, update_id: int) -> ReferralUpdate:
    """The officer has read an issue or risk a partner flagged: it leaves the caseload's count,
    and stays in the referral's history."""
    update = session.get(ReferralUpdate, update_id)
    if update is None or update.kind != UpdateKind.FLAG.value:
        raise NotFound(f"There is no flag with id {update_id}.")
    officers_referral(session, actor, update.referral_id)
    if update.resolved_at is None:
        update.resolved_at = clock.now()
        update.resolved_by = actor.user_id
        session.add(update)
        audit.record(session, actor, "referral_flag_seen", "referral", update.referral_id)
        commit(session, "flag")
    return update


@service
def list_for_plan(*, session: Session, actor: Actor, plan_id: int) -> list[Referral]:
    """The officer's audited read of a plan's referrals."""
    _officers_plan(session, actor, plan_id)
    found = referrals_for_plan(session, plan_id)
    audit.record(session, actor, "read_referrals", "plan", plan_id)
    commit(session, "audit")
    return found


@service
def list_flags(*, session: Session, actor: Actor, plan_id: int) -> list[ReferralUpdate]:
    """The officer's audited read of the issues and risks flagged on a plan's referrals."""
    _officers_plan(session, actor, plan_id)
    found = flags_for_plan(session, plan_id)
    audit.record(session, actor, "read_referral_flags", "plan", plan_id)
    commit(session, "audit")
    return found


@service
def read_referral(*, session: Session, actor: Actor, referral_id: int) -> Referral:
    """The officer's audited read of one referral."""
    referral = officers_referral(session, actor, referral_id)
    audit.record(session, actor, "read_referral", "referral", referral_id)
    commit(session, "audit")
    return referral


# --- the partner's services ----------------------------------------------------------------


@service
def accept_referral(
    *,
    session: Session,
    actor: Actor,
    referral_id: int,
    expected_version: int,
    appointment: OfferedAppointment | None = None,
) -> Referral:
    """The organisation takes the person on; an appointment it offers goes into the person's
    48-hour plan (the published plan is marked out of date, for the officer to publish)."""
    referral = partners_referral(session, actor, referral_id, expected_version)
    _step(session, referral, actor, "accept")
    if appointment is not None:
        _add_appointment(session, referral, actor, appointment)
    commit(session, "referral")
    return referral


@service
def offer_appointment(
    *,
    session: Session,
    actor: Actor,
    referral_id: int,
    expected_version: int,
    appointment: OfferedAppointment,
) -> Referral:
    """An appointment for a referral the organisation has taken on (replacing an earlier one)."""
    referral = partners_referral(session, actor, referral_id, expected_version)
    if referral.state not in (ReferralState.ACCEPTED.value, ReferralState.IN_PROGRESS.value):
        raise TransitionNotAllowed("Accept the referral before offering an appointment.")
    _cancel_appointment(session, referral, actor)
    _add_appointment(session, referral, actor, appointment)
    session.add(referral)
    audit.record(session, actor, "referral_appointment", "referral", referral.id)
    commit(session, "referral")
    return referral


@service
def partner_step(
    *,
    session: Session,
    actor: Actor,
    referral_id: int,
    expected_version: int,
    event: str,
    reason: str | None = None,
) -> Referral:
    """Decline (with a reason), start or complete a referral to the partner's organisation."""
    if event not in ("decline", "start", "complete"):
        raise InvalidInput("A partner can decline, start or complete a referral.", field="event")
    referral = partners_referral(session, actor, referral_id, expected_version)
    _step(session, referral, actor, event, reason=reason)
    if event == "decline":
        _cancel_appointment(session, referral, actor)
    commit(session, "referral")
    return referral


@service
def add_update(
    *,
    session: Session,
    actor: Actor,
    referral_id: int,
    kind: UpdateKind,
    text: str,
    flag_kind: FlagKind | None = None,
) -> ReferralUpdate:
    """Progress or a note on a referral the organisation has taken on, or an issue or risk
    flagged to the probation officer (whose caseload then shows it)."""
    if kind not in (UpdateKind.PROGRESS, UpdateKind.NOTE, UpdateKind.FLAG):
        raise InvalidInput("Record progress, a note or a flag.", field="kind")
    if kind == UpdateKind.FLAG and flag_kind is None:
        raise InvalidInput("Say whether it is an issue or a risk.", field="flag_kind")
    referral = partners_referral(session, actor, referral_id)
    if referral.state not in {s.value for s in (*TAKEN_ON, ReferralState.SENT)}:
        raise TransitionNotAllowed("This referral has ended: nothing more can be added.")
    cleaned = _text(text, "text", "what happened")
    update = _note(
        session,
        referral,
        actor,
        kind,
        text=cleaned,
        flag_kind=flag_kind if kind == UpdateKind.FLAG else None,
    )
    audit.record(session, actor, f"referral_{kind.value}", "referral", referral.id)
    commit(session, "referral")
    return update


# --- the 48-hour plan ----------------------------------------------------------------------

# What the appointment is called in the plan, by the need the referral is for.
KIND_FOR_NEED: dict[str, AppointmentKind] = {
    ServiceNeed.ACCOMMODATION.value: AppointmentKind.HOUSING,
    ServiceNeed.SUBSTANCE_USE.value: AppointmentKind.DRUG_AND_ALCOHOL,
    ServiceNeed.MENTAL_HEALTH.value: AppointmentKind.MENTAL_HEALTH,
    ServiceNeed.HEALTH.value: AppointmentKind.GP,
}


def _add_appointment(
    session: Session, referral: Referral, actor: Actor, offered: OfferedAppointment
) -> None:
    if offered.starts_at.tzinfo is None:
        raise InvalidInput("Give the time with its offset.", field="starts_at")
    problem = appointment_problem(offered.starts_at, clock.today())
    if problem:
        raise InvalidInput(problem, field="starts_at")
    location = _text(offered.location, "location", "where the appointment is", 500)
    plan = get_or_404(session, ReleasePlan, referral.plan_id, "plan")
    found = get_or_404(session, DirectoryService, referral.service_id, "service")
    organisation = get_or_404(
        session, DirectoryOrganisation, referral.organisation_id, "organisation"
    )
    appointment = Appointment(
        plan_id=referral.plan_id,
        kind=KIND_FOR_NEED.get(referral.need, AppointmentKind.OTHER),
        starts_at=offered.starts_at,
        location=location,
        with_whom=f"{found.name}, {organisation.name}"[:200],
        what_to_bring=(offered.what_to_bring or "").strip()[:1000] or None,
    )
    session.add(appointment)
    session.flush()
    referral.appointment_id = appointment.id
    history.record(
        session,
        plan,
        actor,
        "referral_appointment_added",
        detail={"referral_id": referral.id, "appointment_id": appointment.id},
    )
    note_change(session, plan, actor)


def _cancel_appointment(session: Session, referral: Referral, actor: Actor) -> None:
    """A referral that ends before it is taken up takes its appointment out of the plan."""
    if referral.appointment_id is None:
        return
    appointment = session.get(Appointment, referral.appointment_id)
    referral.appointment_id = None
    session.add(referral)
    if appointment is None:
        return
    plan = get_or_404(session, ReleasePlan, referral.plan_id, "plan")
    session.delete(appointment)
    session.flush()
    history.record(
        session,
        plan,
        actor,
        "referral_appointment_removed",
        detail={"referral_id": referral.id, "appointment_id": appointment.id},
    )
    note_change(session, plan, actor)


def describe(session: Session, referral: Referral) -> dict[str, Any]:
    """The referral's own facts, the same for every reader who may see the referral."""
    found = session.get(DirectoryService, referral.service_id)
    organisation = session.get(DirectoryOrganisation, referral.organisation_id)
    return {
        "id": referral.id,
        "version": referral.version,
        "state": referral.state,
        "service": found.name if found else None,
        "organisation": organisation.name if organisation else None,
        "need": referral.need,
        "help_wanted": referral.help_wanted,
        "due_date": referral.due_date.isoformat(),
        "sent_at": referral.sent_at.isoformat() if referral.sent_at else None,
        "answered_at": referral.answered_at.isoformat() if referral.answered_at else None,
        "outcome_reason": referral.outcome_reason,
        "appointment_id": referral.appointment_id,
    }
