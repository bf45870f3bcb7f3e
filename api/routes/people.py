"""A person's own record: read it, correct their details, see the history of those changes.

A plan never changes the person it is for; this is the one way their details change.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.deps import MAX_ID, CurrentOfficer, CurrentStaff, SessionDep
from api.schemas import PersonChangeIn, PersonEventPublic, PersonPublic
from resettlement import people

router = APIRouter(prefix="/people", tags=["people"])

PersonId = Annotated[int, Path(ge=1, le=MAX_ID, description="The person's id.")]


@router.get("/{person_id}", response_model=PersonPublic)
def read_person(person_id: PersonId, actor: CurrentStaff, session: SessionDep) -> PersonPublic:
    person = people.get_person(session=session, actor=actor, person_id=person_id)
    return PersonPublic.model_validate(person)


@router.patch("/{person_id}", response_model=PersonPublic)
def change_person(
    person_id: PersonId, body: PersonChangeIn, actor: CurrentOfficer, session: SessionDep
) -> PersonPublic:
    """Only the officer on one of the person's open plans; a stale version is refused (409)."""
    person = people.update_person(
        session=session,
        actor=actor,
        person_id=person_id,
        expected_version=body.expected_version,
        changes=body.changes(),
    )
    return PersonPublic.model_validate(person)


@router.get("/{person_id}/history", response_model=list[PersonEventPublic])
def person_history(
    person_id: PersonId, actor: CurrentStaff, session: SessionDep
) -> list[PersonEventPublic]:
    people.get_person(session=session, actor=actor, person_id=person_id)
    return [PersonEventPublic.model_validate(e) for e in people.history(session, person_id)]
