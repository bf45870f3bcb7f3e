"""The consent record over the API: staff read a person's consents, the accountable officer
records one given in person, and a consent is withdrawn at once; the person reads and withdraws
their own at /me/consents."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from api.deps import (
    MAX_ID,
    CurrentLeaver,
    CurrentOfficer,
    CurrentStaffOrAdmin,
    LeaverRateLimit,
    SessionDep,
)
from resettlement.errors import NotFound
from resettlement.models import ReleasePlan
from resettlement.privacy import consents
from resettlement.privacy.consents import ConsentKind, GivenHow, Section, WithWhomType

router = APIRouter(tags=["consents"])

PersonId = Annotated[int, Path(ge=1, le=MAX_ID, description="The person's id.")]
ConsentId = Annotated[int, Path(ge=1, le=MAX_ID, description="The consent's id.")]
Version = Annotated[int | None, Query(ge=1, le=MAX_ID, description="The version you saw.")]


class WithWhomIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: WithWhomType
    id: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=200)


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: ConsentKind
    with_whom: WithWhomIn | None = Field(
        default=None, description="For sharing: the partner organisation or supporter."
    )
    scope: list[Section] = Field(
        default_factory=list, max_length=len(Section), description="For sharing: which parts."
    )
    until: date | None = Field(default=None, description="The last day it holds; none: open.")


class ConsentOut(BaseModel):
    id: int
    version: int
    person_id: int
    kind: str
    with_whom_type: str | None
    with_whom_id: str | None
    with_whom_name: str | None
    scope: list[str]
    until: date | None
    given_at: datetime
    given_how: str
    recorded_by: str
    withdrawn_at: datetime | None
    withdrawn_by: str | None
    live: bool


def out(consent: consents.Consent) -> ConsentOut:
    assert consent.id is not None
    return ConsentOut(
        id=consent.id,
        version=consent.version,
        person_id=consent.person_id,
        kind=consent.kind,
        with_whom_type=consent.with_whom_type,
        with_whom_id=consent.with_whom_id,
        with_whom_name=consent.with_whom_name,
        scope=list(consent.scope),
        until=consent.until,
        given_at=consent.given_at.astimezone(UTC),
        given_how=consent.given_how,
        recorded_by=consent.recorded_by,
        withdrawn_at=consent.withdrawn_at.astimezone(UTC) if consent.withdrawn_at else None,
        withdrawn_by=consent.withdrawn_by,
        live=consent.live,
    )


@router.get("/people/{person_id}/consents", response_model=list[ConsentOut])
def person_consents(
    person_id: PersonId, actor: CurrentStaffOrAdmin, session: SessionDep
) -> list[ConsentOut]:
    """Every consent the person gave, live and withdrawn (an audited read)."""
    found = consents.list_consents(session=session, actor=actor, person_id=person_id)
    return [out(c) for c in found]


@router.post("/people/{person_id}/consents", response_model=ConsentOut, status_code=201)
def give_consent(
    person_id: PersonId, body: ConsentIn, actor: CurrentOfficer, session: SessionDep
) -> ConsentOut:
    """The officer accountable for the person records a consent they gave in person."""
    consent = consents.give_consent(
        session=session,
        actor=actor,
        person_id=person_id,
        kind=body.kind,
        how=GivenHow.IN_PERSON,
        with_whom=consents.WithWhom(body.with_whom.type, body.with_whom.id, body.with_whom.name)
        if body.with_whom
        else None,
        scope=body.scope,
        until=body.until,
    )
    return out(consent)


@router.delete("/consents/{consent_id}", response_model=ConsentOut)
def withdraw_consent(
    consent_id: ConsentId,
    actor: CurrentStaffOrAdmin,
    session: SessionDep,
    expected_version: Version = None,
) -> ConsentOut:
    """Withdraws a consent now: whatever it gated stops at once."""
    consent = consents.withdraw_consent(
        session=session, actor=actor, consent_id=consent_id, expected_version=expected_version
    )
    return out(consent)


def _leavers_person(session: SessionDep, plan_id: int | None) -> int:
    plan = session.get(ReleasePlan, plan_id) if plan_id else None
    if plan is None:
        raise NotFound("There is no plan for this sign-in.")
    return plan.person_id


@router.get("/me/consents", response_model=list[ConsentOut], dependencies=[LeaverRateLimit])
def my_consents(actor: CurrentLeaver, session: SessionDep) -> list[ConsentOut]:
    person_id = _leavers_person(session, actor.plan_id)
    return [
        out(c) for c in consents.list_consents(session=session, actor=actor, person_id=person_id)
    ]


@router.delete(
    "/me/consents/{consent_id}", response_model=ConsentOut, dependencies=[LeaverRateLimit]
)
def withdraw_my_consent(
    consent_id: ConsentId,
    actor: CurrentLeaver,
    session: SessionDep,
    expected_version: Version = None,
) -> ConsentOut:
    consent = consents.withdraw_consent(
        session=session, actor=actor, consent_id=consent_id, expected_version=expected_version
    )
    return out(consent)
