"""The calendar's API twin, GET /api/v1/me/plan.ics, for a prison leaver's bearer token."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import CurrentLeaver, LeaverRateLimit, SessionDep
from api.pages.leaver import calendar_response
from resettlement import leaver_access

router = APIRouter(prefix="/api/v1/me", tags=["prison leaver"], dependencies=[LeaverRateLimit])


@router.get(
    "/plan.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}, "description": "An iCalendar file."}},
)
def my_plan_calendar(actor: CurrentLeaver, session: SessionDep) -> Response:
    """Your 48-hour plan's appointments as a calendar file (iCalendar), in your language."""
    published = leaver_access.published_for_actor(session, actor)
    language = published.snapshot.get("preferred_language") or "en"
    return calendar_response(published, language)
