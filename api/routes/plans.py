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
    AppointmentChangeIn,
    AppointmentIn,
    AssessmentIn,
    CaseloadRowPublic,
    ChecklistChange,
    ContactChangeIn,
    ContactIn,
    EarlyReleaseRequestPublic,
    FollowUpIn,
    GoalOnPlan,
    GoalsIn,
    NightOneIn,
    PlanCheckPublic,
    PlanEventPublic,
    PlanOpen,
    PlanPage,
    PlanPublic,
    PublishedPlanPublic,
    PublishIn,
    ReassignedPublic,
    ReassignIn,
    ReleaseDateIn,
    TransitionIn,
)
from resettlement import audit, checklists, early_release, forty_eight_hours, goals, plans
from resettlement import plan_checks as checks
from resettlement.actors import Actor, Role
from resettlement.caseload import caseload_rows
from resettlement.errors import Forbidden
from resettlement.models import PlanState, ReleasePlan
from resettlement.plan_view import PlanView
from resettlement.transactions import Answer, answer_in_transaction

router = APIRouter(prefix="/plans", tags=["release plans"])

MAX_PAGE = 200
RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]
ExpectedVersion = Annotated[
    int,
    Query(ge=1, le=MAX_ID, description="The plan's version you loaded; a stale one is 409."),
]
ItemKey = Annotated[str, Path(min_length=1, max_length=60, description="The checklist item's key.")]


def _shown(session: Session, actor: Actor, plan_id: int) -> PlanPublic:
    """The plan as it now stands; reading it is audited like any other read."""
    return PlanPublic.of(plans.get_plan(session=session, actor=actor, plan_id=plan_id))


def _answer(session: Session, actor: Actor) -> Answer[PlanView | None]:
    """What a write answers, read in its own transaction before the commit: once the change
    has committed, nothing can turn it into an error (a lost connection included)."""
    return answer_in_transaction(session, lambda s: plans.view_written(s, actor))


def _answered(
    answer: Answer[PlanView | None], session: Session, actor: Actor, plan_id: int
) -> PlanPublic:
    # A write that changed nothing of the plan has no answer read for it: read it now.
    if answer.value is None:
        return _shown(session, actor, plan_id)
    return PlanPublic.of(answer.value)


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
    answer = _answer(session, actor)
    plan = plans.open_plan(session=session, actor=actor, data=data)
    assert plan.id is not None
    response.headers["Location"] = f"/api/v1/plans/{plan.id}"
    return _answered(answer, session, actor, plan.id)


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
    answer = _answer(session, actor)
    plans.transition(
        session=session,
        actor=actor,
        plan_id=_id(plan),
        event=body.event,
        expected_version=body.expected_version,
        reason=body.reason,
        cancel_reason=body.cancel_reason,
    )
    return _answered(answer, session, actor, _id(plan))


@router.patch("/{plan_id}/checklist/{item}", response_model=PlanPublic)
def update_checklist_item(
    item: ItemKey,
    body: ChecklistChange,
    plan: OfficersPlan,
    actor: CurrentOfficer,
    session: SessionDep,
) -> PlanPublic:
    answer = _answer(session, actor)
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
    return _answered(answer, session, actor, _id(plan))


@router.post("/{plan_id}/appointments", status_code=201, response_model=PlanPublic)
def add_appointment(
    body: AppointmentIn, plan: OfficersPlan, actor: CurrentOfficer, session: SessionDep
) -> PlanPublic:
    answer = _answer(session, actor)
    forty_eight_hours.add_appointment(
        session=session,
        actor=actor,
        plan_id=_id(plan),
        expected_version=body.expected_version,
        data=body.create(),
    )
    return _answered(answer, session, actor, _id(plan))


@router.post("/{plan_id}/contacts", status_code=201, response_model=PlanPublic)
def add_contact(
    body: ContactIn, plan: OfficersPlan, actor: CurrentOfficer, session: SessionDep
) -> PlanPublic:
    answer = _answer(session, actor)
    forty_eight_hours.add_contact(
        session=session,
        actor=actor,
        plan_id=_id(plan),
        expected_version=body.expected_version,
        data=body.create(),
    )
    return _answered(answer, session, actor, _id(plan))


@router.put("/{plan_id}/appointments/{appointment_id}", response_model=PlanPublic)
def change_appointment(
    appointment_id: RecordId,
    body: AppointmentChangeIn,
    plan: OfficersPlan,
    actor: CurrentOfficer,
    session: SessionDep,
) -> PlanPublic:
    """Replaces an appointment's details; an unchanged appointment is left as it was."""
    forty_eight_hours.change_appointment(
        session=session,
        actor=actor,
        plan_id=_id(plan),
        appointment_id=appointment_id,
        expected_version=body.expected_version,
        data=body.change(),
    )
    return _shown(session, actor, _id(plan))


@router.delete("/{plan_id}/appointments/{appointment_id}", response_model=PlanPublic)
def remove_appointment(
    appointment_id: RecordId,
    expected_version: ExpectedVersion,
    plan: OfficersPlan,
    actor: CurrentOfficer,
    session: SessionDep,
) -> PlanPublic:
    """Removes an appointment; the person's published plan keeps it until the next publish."""
    forty_eight_hours.cancel_appointment(
        session=session,
        actor=actor,
        plan_id=_id(plan),
        appointment_id=appointment_id,
        expected_version=expected_version,
    )
    return _shown(session, actor, _id(plan))


@router.put("/{plan_id}/contacts/{contact_id}", response_model=PlanPublic)
def change_contact(
    contact_id: RecordId,
    body: ContactChangeIn,
    plan: OfficersPlan,
    actor: CurrentOfficer,
    session: SessionDep,
) -> PlanPublic:
    forty_eight_hours.change_contact(
        session=session,
        actor=actor,
        plan_id=_id(plan),
        contact_id=contact_id,
        expected_version=body.expected_version,
        data=body.change(),
    )
    return _shown(session, actor, _id(plan))


@router.delete("/{plan_id}/contacts/{contact_id}", response_model=PlanPublic)
def remove_contact(
    contact_id: RecordId,
    expected_version: ExpectedVersion,
    plan: OfficersPlan,
    actor: CurrentOfficer,
    session: SessionDep,
) -> PlanPublic:
    forty_eight_hours.remove_contact(
        session=session,
        actor=actor,
        plan_id=_id(plan),
        contact_id=contact_id,
        expected_version=expected_version,
    )
    return _shown(session, actor, _id(plan))


@router.post("/{plan_id}/reassign", response_model=ReassignedPublic)
def reassign(
    body: ReassignIn, plan: OfficersPlan, actor: CurrentOfficer, session: SessionDep
) -> ReassignedPublic:
    """Passes the plan to another probation officer (a caseload transfer)."""
    moved = plans.reassign(
        session=session,
        actor=actor,
        plan_id=_id(plan),
        expected_version=body.expected_version,
        probation_officer_id=body.probation_officer_id,
        reason=body.reason,
    )
    return ReassignedPublic(
        plan_id=_id(moved), version=moved.version, probation_officer_id=moved.probation_officer_id
    )


@router.get("/{plan_id}/goals", response_model=list[GoalOnPlan])
def list_goals(plan: OfficersPlan, actor: CurrentOfficer, session: SessionDep) -> list[GoalOnPlan]:
    """The plan's goals with who wrote each and who last changed it (the person or staff),
    and each goal's id to send back with PUT .../goals so it keeps its author."""
    found = goals.goals_for(session=session, actor=actor, plan_id=_id(plan))
    return [GoalOnPlan.model_validate(g) for g in found]


@router.put("/{plan_id}/goals", response_model=PlanPublic)
def replace_goals(
    body: GoalsIn, plan: OfficersPlan, actor: CurrentOfficer, session: SessionDep
) -> PlanPublic:
    answer = _answer(session, actor)
    plans.replace_goals(
        session=session,
        actor=actor,
        plan_id=_id(plan),
        expected_version=body.expected_version,
        goals=body.goals,
    )
    return _answered(answer, session, actor, _id(plan))


@router.put("/{plan_id}/night-one", response_model=PlanPublic)
def set_night_one(
    body: NightOneIn, plan: OfficersPlan, actor: CurrentOfficer, session: SessionDep
) -> PlanPublic:
    answer = _answer(session, actor)
    plans.set_night_one(
        session=session,
        actor=actor,
        plan_id=_id(plan),
        expected_version=body.expected_version,
        data=body.night_one(),
    )
    return _answered(answer, session, actor, _id(plan))


@router.post("/{plan_id}/release-date", response_model=PlanPublic)
def change_release_date(
    body: ReleaseDateIn, plan: OfficersPlan, actor: CurrentOfficer, session: SessionDep
) -> PlanPublic:
    answer = _answer(session, actor)
    plans.change_release_date(
        session=session,
        actor=actor,
        plan_id=_id(plan),
        expected_version=body.expected_version,
        requested_release_date=body.requested_release_date,
        reason=body.reason,
    )
    return _answered(answer, session, actor, _id(plan))


@router.post("/{plan_id}/followup", response_model=PlanPublic)
def record_followup(
    body: FollowUpIn, plan: OfficersPlan, actor: CurrentOfficer, session: SessionDep
) -> PlanPublic:
    answer = _answer(session, actor)
    plans.record_followup(
        session=session,
        actor=actor,
        plan_id=_id(plan),
        expected_version=body.expected_version,
        data=body.followup(),
    )
    return _answered(answer, session, actor, _id(plan))


@router.post("/{plan_id}/publish", status_code=201, response_model=PublishedPlanPublic)
def publish(
    body: PublishIn, plan: OfficersPlan, actor: CurrentOfficer, session: SessionDep
) -> PublishedPlanPublic:
    published = forty_eight_hours.publish(
        session=session,
        actor=actor,
        plan_id=_id(plan),
        expected_version=body.expected_version,
        accept_warnings_reason=body.accept_warnings_reason,
    )
    return PublishedPlanPublic.of(published)


@router.get("/{plan_id}/checks", response_model=list[PlanCheckPublic])
def plan_checks(
    plan: OfficersPlan, actor: CurrentOfficer, session: SessionDep
) -> list[PlanCheckPublic]:
    """What the plan checks find now, blocking first: what publishing would refuse or ask the
    officer to accept."""
    found = checks.check(session=session, actor=actor, plan_id=_id(plan))
    return [
        PlanCheckPublic(
            check=f.check_id, severity=f.severity.value, message=f.message, summary=f.summary
        )
        for f in found
    ]


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
