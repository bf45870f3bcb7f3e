"""A person's own record: read it, correct their details, see the history of those changes.

A plan never changes the person it is for; this is the one way their details change.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from api.deps import MAX_ID, CurrentAdmin, CurrentOfficerOrAdmin, CurrentStaff, SessionDep
from api.schemas import PersonChangeIn, PersonEventPublic, PersonPublic
from resettlement import people
from resettlement.privacy import erasure

router = APIRouter(prefix="/people", tags=["people"])

PersonId = Annotated[int, Path(ge=1, le=MAX_ID, description="The person's id.")]


@router.get("/{person_id}", response_model=PersonPublic)
def read_person(person_id: PersonId, actor: CurrentStaff, session: SessionDep) -> PersonPublic:
    person = people.get_person(session=session, actor=actor, person_id=person_id)
    return PersonPublic.model_validate(person)


@router.patch("/{person_id}", response_model=PersonPublic)
def change_person(
    person_id: PersonId, body: PersonChangeIn, actor: CurrentOfficerOrAdmin, session: SessionDep
) -> PersonPublic:
    """The officer on one of the person's open plans, or an admin correcting the record with a
    reason (rectification); a stale version is refused (409)."""
    person = people.update_person(
        session=session,
        actor=actor,
        person_id=person_id,
        expected_version=body.expected_version,
        changes=body.changes(),
        reason=body.reason,
    )
    return PersonPublic.model_validate(person)


class ErasureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(
        min_length=5, max_length=1000, description="Why the record is erased ahead of schedule."
    )
    expected_version: int | None = Field(default=None, ge=1, le=MAX_ID)


class ErasedPerson(BaseModel):
    id: int
    anonymised_at: datetime
    age_band: str | None


@router.post("/{person_id}/erasure", response_model=ErasedPerson)
def erase_person(
    person_id: PersonId, body: ErasureIn, actor: CurrentAdmin, session: SessionDep
) -> ErasedPerson:
    """Erases the person ahead of the retention schedule by anonymising them (what reports
    count stays). Refused (409) while one of their plans is open. Audited, with the reason."""
    person = erasure.erase_person(
        session=session,
        actor=actor,
        person_id=person_id,
        reason=body.reason,
        expected_version=body.expected_version,
    )
    assert person.id is not None and person.anonymised_at is not None
    return ErasedPerson(
        id=person.id, anonymised_at=person.anonymised_at.astimezone(UTC), age_band=person.age_band
    )


@router.get("/{person_id}/history", response_model=list[PersonEventPublic])
def person_history(
    person_id: PersonId, actor: CurrentStaff, session: SessionDep
) -> list[PersonEventPublic]:
    people.get_person(session=session, actor=actor, person_id=person_id)
    return [PersonEventPublic.model_validate(e) for e in people.history(session, person_id)]
