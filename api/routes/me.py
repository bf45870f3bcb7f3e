"""The prison leaver's own 48-hour plan, on their phone."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from sqlmodel import Session

from api.deps import CurrentLeaver, LeaverRateLimit, SessionDep
from api.schemas import PublishedPlanPublic
from resettlement import leaver_access
from resettlement.actors import Actor
from resettlement.transactions import statement_by_statement

router = APIRouter(prefix="/me", tags=["prison leaver"], dependencies=[LeaverRateLimit])


@router.get("/plan", response_model=PublishedPlanPublic)
async def my_plan(actor: CurrentLeaver, session: SessionDep) -> PublishedPlanPublic:
    """The latest published version of your 48-hour plan (403 once the plan is cancelled)."""
    # One worker-thread trip: the read ends in it (so closing the session needs none), and an
    # async route has FastAPI check the response on the event loop, not in a second trip.
    return await run_in_threadpool(_latest, session, actor)


def _latest(session: Session, actor: Actor) -> PublishedPlanPublic:
    assert actor.plan_id is not None
    statement_by_statement(session)
    shown = PublishedPlanPublic.of(leaver_access.published_for_actor(session, actor))
    session.rollback()
    return shown
