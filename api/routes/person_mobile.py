"""The person's own mobile number, recorded with their consent by the officer of the plan, for
texting them their sign-in link. Withdrawing consent removes the number."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.deps import CurrentOfficer, OfficersPlan, SessionDep
from resettlement import person_mobile
from resettlement.models import Person

router = APIRouter(prefix="/plans", tags=["release plans"])


class MobileIn(BaseModel):
    mobile_number: str = Field(
        min_length=1,
        max_length=40,
        description="The person's own UK mobile, like 07700 900123 (a landline, a helpline or a "
        "number abroad is refused, 422). Stored in E.164.",
    )
    consent: bool = Field(
        description="The person agrees to be sent their sign-in link on this number. Without "
        "it nothing is stored."
    )
    expected_version: int = Field(ge=1, description="The person's version you last saw.")


class MobileOut(BaseModel):
    person_id: int
    person_version: int
    mobile_number: str | None = Field(description="E.164, or null when none is held.")
    consent_at: datetime | None
    consent_by: str | None


def _out(person: Person) -> MobileOut:
    assert person.id is not None
    return MobileOut(
        person_id=person.id,
        person_version=person.version,
        mobile_number=person.mobile_number,
        consent_at=person.mobile_consent_at.astimezone(UTC) if person.mobile_consent_at else None,
        consent_by=person.mobile_consent_by,
    )


@router.put("/{plan_id}/person-mobile", response_model=MobileOut)
def record_mobile(
    plan: OfficersPlan, body: MobileIn, actor: CurrentOfficer, session: SessionDep
) -> MobileOut:
    """Record or change the person's own mobile, with their consent (422 without it)."""
    assert plan.id is not None
    person = person_mobile.record_mobile(
        session=session,
        actor=actor,
        plan_id=plan.id,
        expected_version=body.expected_version,
        number=body.mobile_number,
        consent=body.consent,
    )
    return _out(person)


@router.delete("/{plan_id}/person-mobile", response_model=MobileOut)
def withdraw_consent(
    plan: OfficersPlan,
    expected_version: Annotated[int, Query(ge=1, le=2**31 - 1)],
    actor: CurrentOfficer,
    session: SessionDep,
) -> MobileOut:
    """The person withdraws their consent: the number is removed."""
    assert plan.id is not None
    person = person_mobile.withdraw_consent(
        session=session, actor=actor, plan_id=plan.id, expected_version=expected_version
    )
    return _out(person)
