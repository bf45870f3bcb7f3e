"""Subject access over the API: everything held about a person, as JSON or a readable PDF in
English or Welsh, in one request. An admin, or the person's officer when the person asks."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from api.deps import MAX_ID, CurrentOfficerOrAdmin, SessionDep
from api.pages.subject_access import export_response
from resettlement.privacy import subject_access

router = APIRouter(tags=["data protection"])

PersonId = Annotated[int, Path(ge=1, le=MAX_ID, description="The person's id.")]


@router.get(
    "/people/{person_id}/subject-access",
    response_class=Response,
    responses={
        200: {
            "content": {"application/json": {}, "application/pdf": {}},
            "description": "The export, as a file to download.",
        }
    },
)
def export(
    person_id: PersonId,
    request: Request,
    actor: CurrentOfficerOrAdmin,
    session: SessionDep,
    format: Annotated[Literal["json", "pdf"], Query(description="json or pdf")] = "json",
    language: Annotated[Literal["en", "cy"], Query(description="The PDF's language")] = "en",
    persons_request: Annotated[
        bool, Query(description="An officer confirms the person asked for it (required).")
    ] = False,
) -> Response:
    """Everything the service holds about the person (never a link's secret), including every
    audit row about them; the export itself is audited."""
    data = subject_access.export_person(
        session=session, actor=actor, person_id=person_id, persons_request=persons_request
    )
    return export_response(request, data, file_format=format, language=language)
