"""Early-release requests: the governor's queue and decisions for their own prison."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import CurrentGovernor, GovernorsRequest, SessionDep
from api.schemas import DecisionIn, EarlyReleaseRequestPublic
from resettlement import audit, early_release, plans
from resettlement.errors import TransitionNotAllowed
from resettlement.models import Person, ReleasePlan
from resettlement.transactions import get_or_404

router = APIRouter(prefix="/early-release-requests", tags=["early release"])


@router.get("", response_model=list[EarlyReleaseRequestPublic])
def governors_queue(actor: CurrentGovernor, session: SessionDep) -> list[EarlyReleaseRequestPublic]:
    """Requests submitted to the governor of your prison, most urgent deadline first."""
    requests = early_release.queue(session, actor.prison_code)
    audit.record_reads(
        session=session,
        actor=actor,
        action="list",
        object_type="early_release_request",
        object_ids=[r.id for r in requests],
    )
    return [EarlyReleaseRequestPublic.model_validate(r) for r in requests]


@router.post("/{request_id}/decision", response_model=EarlyReleaseRequestPublic)
def decide(
    body: DecisionIn, request: GovernorsRequest, actor: CurrentGovernor, session: SessionDep
) -> EarlyReleaseRequestPublic:
    assert request.id is not None
    plan = get_or_404(session, ReleasePlan, request.plan_id, "plan")
    person = get_or_404(session, Person, plan.person_id, "person")
    assessment = plans.assessment_for(plan, person)
    if assessment is None:
        raise TransitionNotAllowed("The plan has no release date to decide against.")
    decided = early_release.decide(
        session=session,
        actor=actor,
        request_id=request.id,
        expected_version=body.expected_version,
        approve=body.decision == "approve",
        release_date=body.release_date,
        reasons=body.reasons,
        assessment=assessment,
    )
    return EarlyReleaseRequestPublic.model_validate(decided)
