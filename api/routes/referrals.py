"""Referrals to services in the directory, as the plan's officer makes them and as a partner
organisation's staff answer them, and the supporters the person names.

A partner sees only referrals to their own organisation whose person's consent to share is
live, and of each only the consented sections: anything else is a 404, worded as for a
referral that does not exist, and audited as denied.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Path
from pydantic import BaseModel, Field

from api.deps import (
    MAX_ID,
    CurrentOfficer,
    CurrentPartner,
    OfficersPlan,
    SessionDep,
    require,
)
from api.input_types import STRICT_BODY, AnswerByDate, AppointmentTime, ConsentUntilDate
from resettlement.actors import Actor, Role
from resettlement.partners import partner_access, referrals, supporters
from resettlement.partners.referrals import FlagKind, OfferedAppointment, Referral, UpdateKind
from rules.service_needs import ServiceNeed

router = APIRouter(tags=["referrals"])

ReferralId = Annotated[int, Path(ge=1, le=MAX_ID, description="The referral's id.")]
FlagId = Annotated[int, Path(ge=1, le=MAX_ID, description="The flag's id.")]
SupporterId = Annotated[int, Path(ge=1, le=MAX_ID, description="The supporter's id.")]
# The plan's officer or the person themselves may stop a supporter's link.
OfficerOrPerson = Annotated[Actor, Depends(require(Role.PROBATION_OFFICER, Role.PRISON_LEAVER))]


class ReferralCreate(BaseModel):
    model_config = STRICT_BODY

    service_id: int = Field(ge=1, le=MAX_ID, description="A service from the directory.")
    need: ServiceNeed = Field(description="What the referral is for: a need the service meets.")
    help_wanted: str = Field(
        min_length=1,
        max_length=2000,
        description="What the person wants help with, in their words.",
    )
    sections: list[
        Literal["first_night_address", "appointments", "contacts", "health", "characteristics"]
    ] = Field(min_length=1, max_length=5, description="What the person agrees to share.")
    consent_until: ConsentUntilDate = Field(description="The last day the person's consent holds.")
    due_date: AnswerByDate | None = Field(
        default=None, description="The day the organisation should answer by (5 days if unset)."
    )


class ReferralPublic(BaseModel):
    id: int
    version: int
    state: str
    service: str | None
    organisation: str | None
    need: str
    help_wanted: str
    due_date: date
    sent_at: datetime | None
    answered_at: datetime | None
    outcome_reason: str | None
    appointment_id: int | None


class PartnerReferral(ReferralPublic):
    given_name: str
    family_name: str
    walk_out_date: date | None


class PartnerReferralDetail(BaseModel):
    referral: ReferralPublic
    person: dict[str, Any]
    sections: list[str]
    shared: dict[str, Any] = Field(description="Only the sections the person's consent covers.")
    updates: list[dict[str, Any]]
    allowed: list[str] = Field(description="What the partner can do next.")


class Versioned(BaseModel):
    model_config = STRICT_BODY

    expected_version: int = Field(ge=1, le=MAX_ID)


class Close(Versioned):
    reason: str = Field(min_length=1, max_length=1000)


class Appointment(BaseModel):
    model_config = STRICT_BODY

    starts_at: AppointmentTime = Field(description="With its offset, e.g. 2026-12-18T10:00:00Z.")
    location: str = Field(min_length=1, max_length=500)
    what_to_bring: str | None = Field(default=None, max_length=1000)

    def offered(self) -> OfferedAppointment:
        return OfferedAppointment(self.starts_at, self.location, self.what_to_bring)


class Accept(Versioned):
    appointment: Appointment | None = None


class OfferAppointment(Versioned):
    appointment: Appointment


class Step(Versioned):
    event: Literal["decline", "start", "complete"]
    reason: str | None = Field(default=None, max_length=1000)


class ProgressOrNote(BaseModel):
    model_config = STRICT_BODY

    kind: Literal["progress", "note"]
    text: str = Field(min_length=1, max_length=4000)
    flag_kind: None = Field(default=None, description="Only a flag is an issue or a risk.")


class FlagCreate(BaseModel):
    model_config = STRICT_BODY

    kind: Literal["flag"]
    text: str = Field(min_length=1, max_length=4000)
    flag_kind: Literal["issue", "risk"] = Field(
        description="Whether the flag is an issue or a risk to the probation officer."
    )


# A flag must say whether it is an issue or a risk: the schema says so by the kind (found by
# schemathesis, which sent a flag with no flag_kind that the schema allowed and the service
# refused).
UpdateCreate = Annotated[ProgressOrNote | FlagCreate, Field(discriminator="kind")]


class UpdatePublic(BaseModel):
    id: int
    kind: str
    flag_kind: str | None
    text: str | None
    at: datetime
    resolved_at: datetime | None


def _public(session: SessionDep, referral: Referral) -> ReferralPublic:
    return ReferralPublic.model_validate(referrals.describe(session, referral))


def _update(update: referrals.ReferralUpdate) -> UpdatePublic:
    assert update.id is not None
    return UpdatePublic(
        id=update.id,
        kind=update.kind,
        flag_kind=update.flag_kind,
        text=update.text,
        at=update.at.astimezone(UTC),
        resolved_at=update.resolved_at.astimezone(UTC) if update.resolved_at else None,
    )


# --- the officer ---------------------------------------------------------------------------


@router.post(
    "/plans/{plan_id}/referrals", status_code=201, response_model=ReferralPublic, tags=["referrals"]
)
def make_referral(
    plan: OfficersPlan, body: ReferralCreate, actor: CurrentOfficer, session: SessionDep
) -> ReferralPublic:
    """Records the person's consent to share the chosen sections with the service's
    organisation, until the date given, and a draft referral under it."""
    assert plan.id is not None
    referral = referrals.make_referral(
        session=session,
        actor=actor,
        plan_id=plan.id,
        request=referrals.ReferralRequest(
            service_id=body.service_id,
            need=body.need.value,
            help_wanted=body.help_wanted,
            sections=tuple(body.sections),
            consent_until=body.consent_until,
            due_date=body.due_date,
        ),
    )
    return _public(session, referral)


@router.get("/plans/{plan_id}/referrals", response_model=list[ReferralPublic])
def plan_referrals(
    plan: OfficersPlan, actor: CurrentOfficer, session: SessionDep
) -> list[ReferralPublic]:
    assert plan.id is not None
    found = referrals.list_for_plan(session=session, actor=actor, plan_id=plan.id)
    return [_public(session, r) for r in found]


@router.post("/referrals/{referral_id}/send", response_model=ReferralPublic)
def send_referral(
    referral_id: ReferralId, body: Versioned, actor: CurrentOfficer, session: SessionDep
) -> ReferralPublic:
    """Sends a draft referral to the organisation, while the person's consent is live."""
    referral = referrals.send_referral(
        session=session,
        actor=actor,
        referral_id=referral_id,
        expected_version=body.expected_version,
    )
    return _public(session, referral)


@router.post("/referrals/{referral_id}/close", response_model=ReferralPublic)
def close_referral(
    referral_id: ReferralId, body: Close, actor: CurrentOfficer, session: SessionDep
) -> ReferralPublic:
    referral = referrals.close_referral(
        session=session,
        actor=actor,
        referral_id=referral_id,
        expected_version=body.expected_version,
        reason=body.reason,
    )
    return _public(session, referral)


@router.get("/plans/{plan_id}/referral-flags", response_model=list[UpdatePublic])
def plan_flags(
    plan: OfficersPlan, actor: CurrentOfficer, session: SessionDep
) -> list[UpdatePublic]:
    """Issues and risks partners have flagged on the plan's referrals, newest first."""
    assert plan.id is not None
    found = referrals.list_flags(session=session, actor=actor, plan_id=plan.id)
    return [_update(u) for u in found]


@router.post("/referral-flags/{flag_id}/seen", response_model=UpdatePublic)
def flag_seen(flag_id: FlagId, actor: CurrentOfficer, session: SessionDep) -> UpdatePublic:
    return _update(referrals.mark_flag_seen(session=session, actor=actor, update_id=flag_id))


# --- the partner ---------------------------------------------------------------------------


@router.get("/partner/referrals", response_model=list[PartnerReferral])
def partner_referrals(actor: CurrentPartner, session: SessionDep) -> list[PartnerReferral]:
    """Referrals to your organisation that the person's consent covers, soonest due first."""
    rows = partner_access.list_referrals(session=session, actor=actor)
    return [PartnerReferral.model_validate(row) for row in rows]


@router.get("/partner/referrals/{referral_id}", response_model=PartnerReferralDetail)
def partner_referral(
    referral_id: ReferralId, actor: CurrentPartner, session: SessionDep
) -> PartnerReferralDetail:
    view = partner_access.open_referral(session=session, actor=actor, referral_id=referral_id)
    return PartnerReferralDetail(
        referral=ReferralPublic.model_validate(view.referral),
        person=view.person,
        sections=view.sections,
        shared=view.shared,
        updates=view.updates,
        allowed=view.allowed,
    )


@router.post("/partner/referrals/{referral_id}/accept", response_model=ReferralPublic)
def accept_referral(
    referral_id: ReferralId, body: Accept, actor: CurrentPartner, session: SessionDep
) -> ReferralPublic:
    """Takes the person on; an appointment given joins their 48-hour plan."""
    referral = referrals.accept_referral(
        session=session,
        actor=actor,
        referral_id=referral_id,
        expected_version=body.expected_version,
        appointment=body.appointment.offered() if body.appointment else None,
    )
    return _public(session, referral)


@router.post("/partner/referrals/{referral_id}/appointment", response_model=ReferralPublic)
def offer_appointment(
    referral_id: ReferralId, body: OfferAppointment, actor: CurrentPartner, session: SessionDep
) -> ReferralPublic:
    referral = referrals.offer_appointment(
        session=session,
        actor=actor,
        referral_id=referral_id,
        expected_version=body.expected_version,
        appointment=body.appointment.offered(),
    )
    return _public(session, referral)


@router.post("/partner/referrals/{referral_id}/steps", response_model=ReferralPublic)
def partner_step(
    referral_id: ReferralId, body: Step, actor: CurrentPartner, session: SessionDep
) -> ReferralPublic:
    """Decline (with a reason), start or complete the referral."""
    referral = referrals.partner_step(
        session=session,
        actor=actor,
        referral_id=referral_id,
        expected_version=body.expected_version,
        event=body.event,
        reason=body.reason,
    )
    return _public(session, referral)


@router.post(
    "/partner/referrals/{referral_id}/updates", status_code=201, response_model=UpdatePublic
)
def partner_update(
    referral_id: ReferralId,
    body: Annotated[UpdateCreate, Body()],
    actor: CurrentPartner,
    session: SessionDep,
) -> UpdatePublic:
    """Progress, a note, or an issue or risk flagged to the probation officer."""
    update = referrals.add_update(
        session=session,
        actor=actor,
        referral_id=referral_id,
        kind=UpdateKind(body.kind),
        text=body.text,
        flag_kind=FlagKind(body.flag_kind) if body.flag_kind else None,
    )
    return _update(update)


# --- supporters ----------------------------------------------------------------------------


class SupporterCreate(BaseModel):
    model_config = STRICT_BODY

    name: str = Field(min_length=1, max_length=200)
    relationship: str = Field(min_length=1, max_length=100)
    contact: str | None = Field(
        default=None, max_length=200, description="How to reach them: a phone number or email."
    )
    check_question: str = Field(min_length=1, max_length=200)
    answer: str = Field(min_length=3, max_length=100)
    sections: list[Literal["first_night_address", "appointments", "contacts"]] = Field(
        min_length=1, max_length=3
    )
    weeks_after_release: int = Field(default=supporters.DEFAULT_WEEKS_AFTER_RELEASE, ge=1, le=8)


class SupporterIssued(BaseModel):
    supporter_id: int
    path: str = Field(description="The supporter's link: shown this once and never stored.")
    expires_at: datetime


class SupporterPublic(BaseModel):
    id: int
    name: str
    relationship: str
    sections: list[str]
    expires_at: datetime
    revoked_at: datetime | None


@router.post("/plans/{plan_id}/supporters", status_code=201, response_model=SupporterIssued)
def name_supporter(
    plan: OfficersPlan, body: SupporterCreate, actor: CurrentOfficer, session: SessionDep
) -> SupporterIssued:
    """Records the person's consent to show a supporter the chosen parts of their published
    48-hour plan, and the supporter's own link (with a check question)."""
    assert plan.id is not None
    link, path = supporters.name_supporter(
        session=session,
        actor=actor,
        plan_id=plan.id,
        request=supporters.SupporterRequest(
            name=body.name,
            relationship=body.relationship,
            check_question=body.check_question,
            answer=body.answer,
            sections=tuple(body.sections),
            weeks_after_release=body.weeks_after_release,
            contact=body.contact or "",
        ),
    )
    assert link.id is not None
    return SupporterIssued(
        supporter_id=link.id, path=path, expires_at=link.expires_at.astimezone(UTC)
    )


@router.get("/plans/{plan_id}/supporters", response_model=list[SupporterPublic])
def plan_supporters(
    plan: OfficersPlan, actor: CurrentOfficer, session: SessionDep
) -> list[SupporterPublic]:
    assert plan.id is not None
    found = supporters.list_for_plan(session=session, actor=actor, plan_id=plan.id)
    return [
        SupporterPublic(
            id=link.id,  # type: ignore[arg-type]
            name=link.name,
            relationship=link.relationship,
            sections=sections,
            expires_at=link.expires_at.astimezone(UTC),
            revoked_at=link.revoked_at.astimezone(UTC) if link.revoked_at else None,
        )
        for link, sections in found
    ]


@router.delete("/supporters/{supporter_id}", response_model=SupporterPublic)
def revoke_supporter(
    supporter_id: SupporterId, actor: OfficerOrPerson, session: SessionDep
) -> SupporterPublic:
    """Stops a supporter's link and withdraws the consent it rested on, at once: the plan's
    officer or the person themselves (with their own token)."""
    link = supporters.revoke_supporter(session=session, actor=actor, link_id=supporter_id)
    assert link.id is not None
    return SupporterPublic(
        id=link.id,
        name=link.name,
        relationship=link.relationship,
        sections=[],
        expires_at=link.expires_at.astimezone(UTC),
        revoked_at=link.revoked_at.astimezone(UTC) if link.revoked_at else None,
    )
