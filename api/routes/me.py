"""The prison leaver's own 48-hour plan, on their phone."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from fastapi.concurrency import run_in_threadpool
from sqlmodel import Session

from api.deps import CurrentLeaver, LeaverRateLimit, SessionDep
from api.schemas import MAX_ID, GoalOnPlan, MyGoalChange, MyGoalIn, PublishedPlanPublic
from resettlement import goals, leaver_access
from resettlement.actors import Actor
from resettlement.goals import GoalText
from resettlement.transactions import statement_by_statement

GoalId = Annotated[int, Path(ge=1, le=MAX_ID)]

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


# --- your goals and hopes: yours to add, change and remove while your plan is open ---------


def _plan_id(actor: Actor) -> int:
    assert actor.plan_id is not None
    return actor.plan_id


def _text(body: MyGoalIn) -> GoalText:
    # Checked by the service, which answers a blank or too-long goal as a 422 naming the field.
    return GoalText.model_construct(area=body.area, in_their_words=body.in_their_words)


@router.get("/goals", response_model=list[GoalOnPlan])
def my_goals(actor: CurrentLeaver, session: SessionDep) -> list[GoalOnPlan]:
    """Your goals as they are now, with who wrote each (you, or staff with you)."""
    found = goals.goals_for(session=session, actor=actor, plan_id=_plan_id(actor))
    return [GoalOnPlan.model_validate(g) for g in found]


@router.post("/goals", status_code=201, response_model=GoalOnPlan)
def add_my_goal(body: MyGoalIn, actor: CurrentLeaver, session: SessionDep) -> GoalOnPlan:
    """Adds a goal in your own words (409 once the plan is closed)."""
    goal = goals.add_goal(
        session=session,
        actor=actor,
        plan_id=_plan_id(actor),
        data=_text(body),
    )
    return GoalOnPlan.model_validate(goal)


@router.put("/goals/{goal_id}", response_model=GoalOnPlan)
def change_my_goal(
    goal_id: GoalId, body: MyGoalChange, actor: CurrentLeaver, session: SessionDep
) -> GoalOnPlan:
    """Changes one of your goals; 409 if it changed since you loaded it."""
    goal = goals.change_goal(
        session=session,
        actor=actor,
        goal_id=goal_id,
        expected_version=body.expected_version,
        data=_text(body),
    )
    return GoalOnPlan.model_validate(goal)


@router.delete("/goals/{goal_id}", status_code=204)
def remove_my_goal(
    goal_id: GoalId,
    actor: CurrentLeaver,
    session: SessionDep,
    expected_version: Annotated[int, Query(ge=1, le=MAX_ID)],
) -> Response:
    """Removes one of your goals; 409 if it changed since you loaded it."""
    goals.remove_goal(
        session=session, actor=actor, goal_id=goal_id, expected_version=expected_version
    )
    return Response(status_code=204)
