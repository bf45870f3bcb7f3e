"""The early-release request: officer's assessment, governor's decision, and date changes."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, col, select

from resettlement import early_release, plans
from resettlement.actors import Actor, Role
from resettlement.errors import GuardRefused, TransitionNotAllowed, VersionConflict
from resettlement.models import EarlyReleaseRequest, PlanEvent, ReleasePlan, RequestState

OFFICER = Actor(user_id="po-test", role=Role.PROBATION_OFFICER)
GOVERNOR = Actor(user_id="governor-mdi", role=Role.GOVERNOR, prison_code="MDI")
# Friday 12 March 2027, no holiday near: presumptive Thursday 11, earliest Wednesday 10.
FRIDAY = date(2027, 3, 12)


def request_for(session: Session, plan: ReleasePlan) -> EarlyReleaseRequest:
    return session.exec(
        select(EarlyReleaseRequest)
        .where(EarlyReleaseRequest.plan_id == plan.id)
        .order_by(col(EarlyReleaseRequest.id).desc())
    ).first()


def submitted(session: Session, plan: ReleasePlan) -> EarlyReleaseRequest:
    request = request_for(session, plan)
    request = early_release.assess(
        session=session,
        actor=OFFICER,
        request_id=request.id,
        expected_version=request.version,
        harms_resettlement=True,
        needs=["accommodation", "long_journey_home"],
        assessment="Approved premises will not take arrivals on Saturday.",
    )
    return early_release.submit(
        session=session, actor=OFFICER, request_id=request.id, expected_version=request.version
    )


def decide(session, plan, request, *, approve, on=None, reasons="Accommodation starts Thursday"):
    return early_release.decide(
        session=session,
        actor=GOVERNOR,
        request_id=request.id,
        expected_version=request.version,
        approve=approve,
        release_date=on,
        reasons=reasons,
        assessment=plans.assessment_for(plan, session.get(plans.Person, plan.person_id)),
    )


def test_a_friday_release_opens_a_request_with_its_window_and_deadline(session, new_plan):
    plan = new_plan(requested_release_date=FRIDAY)
    assert plan.flagged and plan.flag_reason == "friday"
    request = request_for(session, plan)
    assert request.state == RequestState.FLAGGED
    assert (request.earliest_date, request.latest_date) == (date(2027, 3, 10), date(2027, 3, 11))
    # Five working days before Friday 12 March is Friday 5 March.
    assert request.decision_deadline == date(2027, 3, 5)
    assert request.prison_code == "MDI"


def test_an_unflagged_release_opens_no_request(session, new_plan):
    plan = new_plan()
    assert not plan.flagged and request_for(session, plan) is None


def test_a_flagged_but_ineligible_release_shows_the_flag_without_a_request(session, new_plan):
    plan = new_plan(requested_release_date=FRIDAY, sentence_type="hdc")
    assert plan.flagged
    assert request_for(session, plan) is None


def test_approval_moves_the_walk_out_date_and_the_history_says_who_and_why(session, new_plan):
    plan = new_plan(requested_release_date=FRIDAY)
    request = submitted(session, plan)
    assert request.state == RequestState.SUBMITTED and request.submitted_at is not None
    session.refresh(plan)
    request = decide(session, plan, request, approve=True, on=date(2027, 3, 10))
    assert request.state == RequestState.APPROVED and request.decided_by == "governor-mdi"
    session.refresh(plan)
    assert plan.walk_out_date == date(2027, 3, 10) and plan.release_date == FRIDAY
    change = session.exec(
        select(PlanEvent).where(
            PlanEvent.plan_id == plan.id, PlanEvent.kind == "walk_out_date_changed"
        )
    ).one()
    assert change.actor == "governor-mdi" and "Accommodation starts Thursday" in change.reason
    assert change.detail["to"] == "2027-03-10"


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (date(2027, 3, 9), "three working days back: outside the window"),
        (date(2027, 3, 12), "the flagged day itself is not an early release"),
        (date(2027, 3, 13), "a Saturday"),
    ],
)
def test_approval_outside_the_window_is_refused(session, new_plan, day, why):
    plan = new_plan(requested_release_date=FRIDAY)
    request = submitted(session, plan)
    session.refresh(plan)
    with pytest.raises(GuardRefused) as refused:
        decide(session, plan, request, approve=True, on=day)
    assert [u.guard for u in refused.value.unmet] == ["release_date_in_window"], why
    session.refresh(request)
    session.refresh(plan)
    assert request.state == RequestState.SUBMITTED and plan.walk_out_date == FRIDAY


def test_refusal_needs_reasons(session, new_plan):
    plan = new_plan(requested_release_date=FRIDAY)
    request = submitted(session, plan)
    with pytest.raises(GuardRefused):
        decide(session, plan, request, approve=False, reasons="  ")
    session.refresh(request)
    request = decide(session, plan, request, approve=False, reasons="Hostel confirmed Friday")
    assert request.state == RequestState.REFUSED
    session.refresh(plan)
    assert plan.walk_out_date == FRIDAY


def test_assessing_harm_needs_the_needs_it_would_harm(session, new_plan):
    plan = new_plan(requested_release_date=FRIDAY)
    request = request_for(session, plan)
    with pytest.raises(GuardRefused) as refused:
        early_release.assess(
            session=session,
            actor=OFFICER,
            request_id=request.id,
            expected_version=request.version,
            harms_resettlement=True,
            needs=[],
            assessment="",
        )
    assert refused.value.unmet[0].guard == "resettlement_needs_given"


def test_no_harm_closes_the_request_as_not_needed(session, new_plan):
    plan = new_plan(requested_release_date=FRIDAY)
    request = request_for(session, plan)
    request = early_release.assess(
        session=session,
        actor=OFFICER,
        request_id=request.id,
        expected_version=request.version,
        harms_resettlement=False,
        needs=[],
        assessment="Family collecting; home is 10 minutes.",
    )
    assert request.state == RequestState.NOT_NEEDED
    with pytest.raises(TransitionNotAllowed):
        early_release.submit(
            session=session,
            actor=OFFICER,
            request_id=request.id,
            expected_version=request.version,
        )


def test_a_governor_cannot_decide_before_submission_or_on_a_stale_copy(session, new_plan):
    plan = new_plan(requested_release_date=FRIDAY)
    request = request_for(session, plan)
    with pytest.raises(TransitionNotAllowed):
        decide(session, plan, request, approve=True, on=date(2027, 3, 11))
    stale = request.version
    request = submitted(session, plan)
    with pytest.raises(VersionConflict):
        early_release.decide(
            session=session,
            actor=GOVERNOR,
            request_id=request.id,
            expected_version=stale,
            approve=True,
            release_date=date(2027, 3, 11),
            reasons="Approved",
            assessment=plans.assessment_for(plan, session.get(plans.Person, plan.person_id)),
        )
    session.refresh(request)
    assert request.state == RequestState.SUBMITTED


def test_a_new_release_date_never_leaves_a_stale_approval(session, new_plan):
    plan = new_plan(requested_release_date=FRIDAY)
    request = submitted(session, plan)
    session.refresh(plan)
    decide(session, plan, request, approve=True, on=date(2027, 3, 11))
    session.refresh(plan)
    # The sentence is recalculated: release now Friday 19 March 2027.
    plan = plans.change_release_date(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        requested_release_date=date(2027, 3, 19),
        reason="Sentence recalculated",
    )
    assert plan.release_date == date(2027, 3, 19) and plan.walk_out_date == date(2027, 3, 19)
    requests = session.exec(
        select(EarlyReleaseRequest)
        .where(EarlyReleaseRequest.plan_id == plan.id)
        .order_by(col(EarlyReleaseRequest.id))
    ).all()
    assert [r.state for r in requests] == [RequestState.WITHDRAWN, RequestState.FLAGGED]
    assert requests[1].release_date == date(2027, 3, 19)


def test_a_new_unflagged_date_closes_the_request_without_a_new_one(session, new_plan):
    plan = new_plan(requested_release_date=FRIDAY)
    plan = plans.change_release_date(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        requested_release_date=date(2027, 3, 17),
        reason="Sentence recalculated",
    )
    assert not plan.flagged
    states = [
        r.state
        for r in session.exec(
            select(EarlyReleaseRequest).where(EarlyReleaseRequest.plan_id == plan.id)
        )
    ]
    assert states == [RequestState.WITHDRAWN]


def test_the_governors_queue_is_their_prisons_submitted_requests_most_urgent_first(
    session, new_plan
):
    later = new_plan(requested_release_date=date(2027, 3, 19))
    sooner = new_plan(requested_release_date=FRIDAY)
    elsewhere = new_plan(requested_release_date=FRIDAY, person={"prison_code": "BWI"})
    for plan in (later, sooner, elsewhere):
        submitted(session, plan)
    queue = early_release.queue(session, "MDI")
    assert [r.plan_id for r in queue] == [sooner.id, later.id]


def test_assessing_and_submitting_is_one_transaction(session, new_plan):
    plan = new_plan(requested_release_date=FRIDAY)
    request = request_for(session, plan)
    # No harm found, yet asked to submit: the submission is refused, and so is the assessment.
    with pytest.raises(TransitionNotAllowed):
        early_release.assess(
            session=session,
            actor=OFFICER,
            request_id=request.id,
            expected_version=request.version,
            harms_resettlement=False,
            needs=[],
            assessment="Family collecting.",
            submit_to_governor=True,
        )
    session.refresh(request)
    assert request.state == RequestState.FLAGGED and request.assessed_by is None
    request = early_release.assess(
        session=session,
        actor=OFFICER,
        request_id=request.id,
        expected_version=request.version,
        harms_resettlement=True,
        needs=["accommodation"],
        assessment="No bed on Saturday.",
        submit_to_governor=True,
    )
    assert request.state == RequestState.SUBMITTED and request.submitted_at is not None
