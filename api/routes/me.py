"""The prison leaver's own 48-hour plan, on their phone."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import CurrentLeaver, LeaverRateLimit, SessionDep
from api.schemas import PublishedPlanPublic
from resettlement import forty_eight_hours

router = APIRouter(prefix="/me", tags=["prison leaver"], dependencies=[LeaverRateLimit])


@router.get("/plan", response_model=PublishedPlanPublic)
def my_plan(actor: CurrentLeaver, session: SessionDep) -> PublishedPlanPublic:
    """The latest published version of your 48-hour plan."""
    assert actor.plan_id is not None
    shown = PublishedPlanPublic.of(forty_eight_hours.latest_published(session, actor.plan_id))
    # The read ends here, in this worker thread, so closing the session needs no second trip.
    session.rollback()
    return shown
