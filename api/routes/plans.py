"""Release plans: the probation officer's work, and what a governor may read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from fastapi.concurrency import run_in_threadpool
from sqlmodel import Session

from api.deps import (
    MAX_ID,
    CurrentOfficer,
    CurrentStaff,
    OfficersPlan,
    PlanId,
    ReadablePlan,
    SessionDep,
)
from api.input_types import AnyDate
from api.schemas import (
    AppointmentIn,
    AssessmentIn,
    CaseloadRowPublic,
    ChecklistChange,
    ContactIn,
    EarlyReleaseRequestPublic,
    FollowUpIn,
    GoalsIn,
    NightOneIn,
    PlanEventPublic,
    PlanOpen,
    PlanPage,
    PlanPublic,
    PublishedPlanPublic,
    PublishIn,
    ReleaseDateIn,
    TransitionIn,
)
from resettlement import audit, checklists, early_release, forty_eight_hours, plans
from resettlement.actors import Actor, Role
from resettlement.caseload import caseload_rows
from resettlement.errors import Forbidden
from resettlement.models import PlanState, ReleasePlan

router = APIRouter(prefix="/plans", tags=["release plans"])

MAX_PAGE = 200
ItemKey = Annotated[str, Path(min_length=1, max_length=60, description="The checklist item's key.")]


def _shown(session: Session, actor: Actor, plan_id: int) -> PlanPublic:
    """The plan as it now stands; reading it is audited like any other read."""
    return PlanPublic.of(plans.get_plan(session=session, actor=actor, plan_id=plan_id))


@router.post("", status_code=201, response_model=PlanPublic)
def open_plan(
    body: PlanOpen, actor: CurrentOfficer, session: SessionDep, response: Response
) -> PlanPublic:
    if body.probation_officer_id not in (None, actor.user_id):
        # Opening a plan for someone else is a matter of permission, not of a mistyped field.
        raise Forbidden("You can only open plans on which you are the probation officer.")
    data = plans.PlanCreate.model_validate(
        {**body.model_dump(), "probation_officer_id": actor.user_id}
    )
    plan = plans.open_plan(session=session, actor=actor, data=data)
    assert plan.id is not None
    response.headers["Location"] = f"/api/v1/plans/{plan.id}"
    return _shown(session, actor, plan.id)


@router.get("", response_model=PlanPage)
def list_plans(
    actor: CurrentStaff,
    session: SessionDep,
    state: Annotated[list[PlanState] | None, Query()] = None,
    prison: Annotated[str | None, Query(pattern=r"^[A-Za-z]{3}$")] = None,
    walk_out_from: Annotated[
        AnyDate | None,
        Query(description="Only walk-out dates on or after this day (YYYY-MM-DD)."),
    ] = None,
    walk_out_to: Annotated[
        AnyDate | None,
        Query(description="Only walk-out dates on or before this day (YYYY-MM-DD)."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> PlanPage:
    """Open plans by default, soonest walk-out first: an officer's own, a governor's prison's."""
    prison = prison.upper() if prison else None
    if actor.role == Role.GOVERNOR and prison not in (None, actor.prison_code):
        rows = []
    else:
        rows = caseload_rows(
            session,
            officer_id=actor.user_id if actor.role == Role.PROBATION_OFFICER else None,
            prison_code=actor.prison_code if actor.role == Role.GOVERNOR else prison,
            states=[s.value for s in state] if state else None,
            walk_out_from=walk_out_from,
            walk_out_to=walk_out_to,
            limit=limit,
            offset=offset,
        )
    audit.record_reads(
        session=session,
        actor=actor,
        action="list",
        object_type="plan",
        object_ids=[r.plan_id for r in rows],
    )
    return PlanPage(
        items=[CaseloadRowPublic.of(r) for r in rows],
        limit=limit,
        offset=offset,
        next_offset=offset + limit if len(rows) == limit else None,
    )


@router.get("/{plan_id}", response_model=PlanPublic)
async def read_plan(plan_id: PlanId, actor: CurrentStaff, session: SessionDep) -> PlanPublic:
    # The commonest read, kept to one worker-thread trip: the service checks access on the plan
    # it reads (a separate access dependency would cost a statement and a trip), and an async
    # route has FastAPI check the response on the event loop, not in a second trip.
    return await run_in_threadpool(_shown, session, actor, plan_id)


@router.get("/{plan_id}/history", response_model=list[PlanEventPublic])
def read_history(
    plan: ReadablePlan, actor: CurrentStaff, session: SessionDep
) -> list[PlanEventPublic]:
    assert plan.id is not None
    events = plans.plan_history(session=session, actor=actor, plan_id=plan.id)
    return [PlanEventPublic.of(e) for e in events]


@router.post("/{plan_id}/transitions", response_model=PlanPublic)
def transition(
    body: TransitionIn, plan: OfficersPlan, actor: CurrentOfficer, session: SessionDep
) -> PlanPublic:
    plans.transition(
        session=session,
        actor=actor,
        plan_id=_id(plan),
        event=body.event,
        expected_version=body.expected_version,
        reason=body.reason,
        cancel_reason=body.cancel_reason,
    )
    return _shown(session, actor, _id(plan))


@router.patch("/{plan_id}/checklist/{item}", response_model=PlanPublic)
def update_checklist_item(
    item: ItemKey,
    body: ChecklistChange,
    plan: OfficersPlan,
    actor: CurrentOfficer,
    session: SessionDep,
) -> PlanPublic:
    checklists.update_item(
        session=session,
        actor=actor,
        plan_id=_id(plan),
        key=item,
        expected_version=body.expected_version,
        status=body.status,
        reason=body.reason,
        note=body.note,
    )
    return _shown(session, actor, _id(plan))


@router.post("/{plan_id}/appointments", status_code=201, response_model=PlanPublic)
def add_appointment(
    body: AppointmentIn, plan: OfficersPlan, actor: CurrentOfficer, session: SessionDep
) -> PlanPublic:
    forty_eight_hours.add_appointment(
        session=session,
        actor=actor,
        plan_id=_id(plan),
        expected_version=body.expected_version,
        data=body.create(),
    )
    return _shown(session, actor, _id(plan))


@router.post("/{plan_id}/contacts", status_code=201, response_model=PlanPublic)
def add_contact(
    body: ContactIn, plan: OfficersPlan, actor: CurrentOfficer, session: SessionDep
) -> PlanPublic:
    forty_eight_hours.add_contact(
        session=session,
        actor=actor,
        plan_id=_id(plan),
        expected_version=body.expected_version,
        data=body.create(),
    )
    return _shown(session, actor, _id(plan))


@router.put("/{plan_id}/goals", response_model=PlanPublic)
def replace_goals(
    body: GoalsIn, plan: OfficersPlan, actor: CurrentOfficer, session: SessionDep
) -> PlanPublic:
    plans.replace_goals(
        session=session,
        actor=actor,
        plan_id=_id(plan),
        expected_version=body.expected_version,
        goals=body.goals,
    )
    return _shown(session, actor, _id(plan))


@router.put("/{plan_id}/night-one", response_model=PlanPublic)
def set_night_one(
    body: NightOneIn, plan: OfficersPlan, actor: CurrentOfficer, session: SessionDep
) -> PlanPublic:
    plans.set_night_one(
        session=session,
        actor=actor,
        plan_id=_id(plan),
        expected_version=body.expected_version,
        data=body.night_one(),
    )
    return _shown(session, actor, _id(plan))


@router.post("/{plan_id}/release-date", response_model=PlanPublic)
def change_release_date(
    body: ReleaseDateIn, plan: OfficersPlan, actor: CurrentOfficer, session: SessionDep
) -> PlanPublic:
    plans.change_release_date(
        session=session,
        actor=actor,
        plan_id=_id(plan),
        expected_version=body.expected_version,
        requested_release_date=body.requested_release_date,
        reason=body.reason,
    )
    return _shown(session, actor, _id(plan))


@router.post("/{plan_id}/followup", response_model=PlanPublic)
def record_followup(
    body: FollowUpIn, plan: OfficersPlan, actor: CurrentOfficer, session: SessionDep
) -> PlanPublic:
    plans.record_followup(
        session=session,
        actor=actor,
        plan_id=_id(plan),
        expected_version=body.expected_version,
        data=body.followup(),
    )
    return _shown(session, actor, _id(plan))


@router.post("/{plan_id}/publish", status_code=201, response_model=PublishedPlanPublic)
def publish(
    body: PublishIn, plan: OfficersPlan, actor: CurrentOfficer, session: SessionDep
) -> PublishedPlanPublic:
    published = forty_eight_hours.publish(
        session=session, actor=actor, plan_id=_id(plan), expected_version=body.expected_version
    )
    return PublishedPlanPublic.of(published)


@router.post("/{plan_id}/early-release-requests", response_model=EarlyReleaseRequestPublic)
def assess_early_release(
    body: AssessmentIn, plan: OfficersPlan, actor: CurrentOfficer, session: SessionDep
) -> EarlyReleaseRequestPublic:
    """Assess the plan's open request and, if asked, submit it to the governor, in one
    transaction: a refused submission leaves the assessment unsaved too."""
    request = early_release.open_request(session, _id(plan))
    assert request.id is not None
    request = early_release.assess(
        session=session,
        actor=actor,
        request_id=request.id,
        expected_version=body.expected_version,
        harms_resettlement=body.harms_resettlement,
        needs=body.needs,
        assessment=body.assessment,
        submit_to_governor=body.submit,
    )
    return EarlyReleaseRequestPublic.model_validate(request)


def _id(plan: ReleasePlan) -> int:
    assert plan.id is not None
    return plan.id
