"""The release plan's lifecycle: every guard allowed and refused, history and audit written."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, col, func, select

from resettlement import checklists, early_release, forty_eight_hours, plans
from resettlement.actors import Actor, Role
from resettlement.errors import GuardRefused, TransitionNotAllowed, VersionConflict
from resettlement.lifecycle import allowed_events
from resettlement.models import (
    AppointmentCreate,
    AuditEvent,
    CancelReason,
    ChecklistStatus,
    EarlyReleaseRequest,
    PlanEvent,
    ReleasePlan,
    RequestState,
)
from rules.checklists import CORE_KEYS

OFFICER = Actor(user_id="po-test", role=Role.PROBATION_OFFICER)
WEDNESDAY = date(2027, 3, 10)


def events(session: Session, plan_id: int) -> list[PlanEvent]:
    return list(
        session.exec(
            select(PlanEvent).where(PlanEvent.plan_id == plan_id).order_by(col(PlanEvent.id))
        )
    )


def move(session: Session, plan: ReleasePlan, event: str, **kwargs: object) -> ReleasePlan:
    session.refresh(plan)
    return plans.transition(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        event=event,
        expected_version=plan.version,
        **kwargs,
    )


def start_core_items(session: Session, plan: ReleasePlan) -> None:
    for key in sorted(CORE_KEYS):
        session.refresh(plan)
        checklists.update_item(
            session=session,
            actor=OFFICER,
            plan_id=plan.id,
            key=key,
            expected_version=plan.version,
            status=ChecklistStatus.IN_PROGRESS,
        )


def publish(session: Session, plan: ReleasePlan) -> None:
    session.refresh(plan)
    plans.set_night_one(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        data=plans.NightOne(accommodation_address="Room 4, 12 Example Road, Leeds LS1 1AA"),
    )
    session.refresh(plan)
    forty_eight_hours.publish(
        session=session, actor=OFFICER, plan_id=plan.id, expected_version=plan.version
    )


def to_pre_release(session: Session, plan: ReleasePlan) -> ReleasePlan:
    move(session, plan, "start_resettlement_planning")
    start_core_items(session, plan)
    return move(session, plan, "start_pre_release")


def test_a_new_plan_starts_in_sentence_planning_with_history_and_audit(session, new_plan):
    plan = new_plan()
    assert plan.state == "sentence_planning"
    assert plan.release_date == WEDNESDAY and plan.walk_out_date == WEDNESDAY
    history = events(session, plan.id)
    assert [e.kind for e in history] == ["opened"]
    assert history[0].actor == OFFICER.user_id and history[0].to_state == "sentence_planning"
    audit = session.exec(select(AuditEvent).where(AuditEvent.object_id == str(plan.id))).all()
    assert [(a.action, a.actor, a.role) for a in audit] == [
        ("create", "po-test", "probation_officer")
    ]


def test_resettlement_planning_needs_a_release_date(session, new_plan):
    plan = new_plan(requested_release_date=None)
    version = plan.version
    with pytest.raises(GuardRefused) as refused:
        move(session, plan, "start_resettlement_planning")
    assert [u.guard for u in refused.value.unmet] == ["has_release_date"]
    assert "release date" in refused.value.detail
    session.refresh(plan)
    assert (plan.state, plan.version) == ("sentence_planning", version)
    assert [e.kind for e in events(session, plan.id)] == ["opened"]


def test_resettlement_planning_with_a_release_date_writes_who_when_from_to_why(session, new_plan):
    plan = new_plan()
    plan = move(session, plan, "start_resettlement_planning", reason="12 weeks to go")
    assert plan.state == "resettlement_planning"
    last = events(session, plan.id)[-1]
    assert (last.kind, last.from_state, last.to_state, last.reason, last.actor) == (
        "transition",
        "sentence_planning",
        "resettlement_planning",
        "12 weeks to go",
        "po-test",
    )
    assert last.at is not None and last.at.tzinfo is not None


def test_pre_release_lists_every_core_item_not_yet_started(session, new_plan):
    plan = new_plan()
    move(session, plan, "start_resettlement_planning")
    session.refresh(plan)
    checklists.update_item(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        key="bank_account",
        expected_version=plan.version,
        status=ChecklistStatus.NOT_NEEDED,
        reason="Has a bank account already",
    )
    with pytest.raises(GuardRefused) as refused:
        move(session, plan, "start_pre_release")
    message = refused.value.detail
    assert [u.guard for u in refused.value.unmet] == ["core_items_started"]
    for missing in ("ID documents", "GP registration", "accommodation", "Universal Credit"):
        assert missing in message
    assert "bank account" not in message


def test_pre_release_allowed_once_core_items_started_or_not_needed(session, new_plan):
    plan = new_plan()
    plan = to_pre_release(session, plan)
    assert plan.state == "pre_release"


def test_release_needs_published_plan_no_open_request_and_the_date(session, new_plan):
    # Friday 12 March 2027: flagged, so an early-release request opens for assessment.
    plan = new_plan(requested_release_date=date(2027, 3, 12))
    plan = to_pre_release(session, plan)
    with pytest.raises(GuardRefused) as refused:
        move(session, plan, "release", today=date(2027, 3, 1))
    assert {u.guard for u in refused.value.unmet} == {
        "forty_eight_hour_plan_published",
        "no_early_release_request_awaiting_decision",
        "walk_out_date_reached",
    }
    publish(session, plan)
    request = session.exec(
        select(EarlyReleaseRequest).where(EarlyReleaseRequest.plan_id == plan.id)
    ).one()
    early_release.assess(
        session=session,
        actor=OFFICER,
        request_id=request.id,
        expected_version=request.version,
        harms_resettlement=False,
        needs=[],
        assessment="Hostel open at weekends, family collecting.",
    )
    with pytest.raises(GuardRefused) as refused:
        move(session, plan, "release", today=date(2027, 3, 11))
    assert [u.guard for u in refused.value.unmet] == ["walk_out_date_reached"]
    plan = move(session, plan, "release", today=date(2027, 3, 12))
    assert plan.state == "released"


def test_completed_needs_the_follow_up_and_recording_it_completes_the_plan(session, new_plan):
    plan = new_plan()
    plan = to_pre_release(session, plan)
    publish(session, plan)
    plan = move(session, plan, "release", today=WEDNESDAY)
    with pytest.raises(GuardRefused) as refused:
        move(session, plan, "complete")
    assert [u.guard for u in refused.value.unmet] == ["followup_recorded"]
    session.refresh(plan)
    plan = plans.record_followup(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        data=plans.FollowUp(
            first_appointment_attended=True,
            night_in_planned_accommodation=True,
            gp_registered=False,
            universal_credit_claim_made=True,
            id_in_hand=True,
            bank_account_in_hand=False,
        ),
    )
    assert plan.state == "completed"
    assert plan.followup is not None and plan.followup["gp_registered"] is False
    assert allowed_events("completed") == []


@pytest.mark.parametrize("stage", ["sentence_planning", "resettlement_planning", "pre_release"])
def test_cancel_needs_a_reason_and_works_from_any_open_stage(session, new_plan, stage):
    plan = new_plan()
    if stage != "sentence_planning":
        move(session, plan, "start_resettlement_planning")
    if stage == "pre_release":
        start_core_items(session, plan)
        move(session, plan, "start_pre_release")
    session.refresh(plan)
    assert plan.state == stage
    with pytest.raises(GuardRefused) as refused:
        move(session, plan, "cancel")
    assert [u.guard for u in refused.value.unmet] == ["cancel_reason_given"]
    session.refresh(plan)
    assert plan.cancel_reason is None and plan.state == stage
    plan = move(session, plan, "cancel", cancel_reason=CancelReason.RECALL, reason="Recalled")
    assert (plan.state, plan.cancel_reason) == ("cancelled", "recall")


def test_a_step_the_stage_does_not_have_is_refused(session, new_plan):
    plan = new_plan()
    with pytest.raises(TransitionNotAllowed):
        move(session, plan, "release")
    with pytest.raises(TransitionNotAllowed):
        move(session, plan, "no_such_step")
    session.refresh(plan)
    assert plan.state == "sentence_planning"


def test_a_stale_version_is_refused_and_nothing_changes(session, new_plan):
    plan = new_plan()
    stale = plan.version
    move(session, plan, "start_resettlement_planning")
    count = session.exec(select(func.count()).select_from(PlanEvent)).one()
    with pytest.raises(VersionConflict) as conflict:
        plans.transition(
            session=session,
            actor=OFFICER,
            plan_id=plan.id,
            event="cancel",
            expected_version=stale,
            cancel_reason=CancelReason.TRANSFER,
        )
    assert conflict.value.current_version == stale + 1
    session.refresh(plan)
    assert plan.state == "resettlement_planning" and plan.cancel_reason is None
    assert session.exec(select(func.count()).select_from(PlanEvent)).one() == count


def test_a_stale_write_from_another_session_is_refused(engine, session, new_plan):
    """Two officers load the same version; the second commit must not overwrite the first."""
    plan = new_plan()
    with Session(engine) as other:
        theirs = other.get(ReleasePlan, plan.id)
        assert theirs is not None
        move(session, plan, "start_resettlement_planning")
        theirs.travel_arrangements = "Overwrite attempt"
        other.add(theirs)
        from sqlalchemy.orm.exc import StaleDataError

        with pytest.raises(StaleDataError):
            other.commit()
    session.refresh(plan)
    assert plan.travel_arrangements is None


def test_appointment_needs_an_aware_time(plan_data):
    with pytest.raises(ValueError, match="offset"):
        AppointmentCreate(
            kind="probation",
            starts_at="2027-03-10T10:00:00",
            location="Probation office",
            with_whom="Officer",
        )


def test_cancelling_withdraws_the_open_early_release_request(session, new_plan):
    plan = new_plan(requested_release_date=date(2027, 3, 12))
    request = session.exec(
        select(EarlyReleaseRequest).where(EarlyReleaseRequest.plan_id == plan.id)
    ).one()
    assert request.state == RequestState.FLAGGED
    move(session, plan, "cancel", cancel_reason=CancelReason.RELEASE_DATE_WITHDRAWN)
    session.refresh(request)
    assert request.state == RequestState.WITHDRAWN
    assert "cancelled" in (request.closed_reason or "")


def test_walk_out_date_in_the_past_is_reached_by_default_today(session, new_plan):
    # Wednesday 14 October 2026: a plain working day well before today (23 November 2026).
    plan = new_plan(requested_release_date=date(2026, 10, 14))
    plan = to_pre_release(session, plan)
    publish(session, plan)
    plan = move(session, plan, "release")
    assert plan.state == "released"


def test_one_machine_for_many_plans_moves_each_plan_alone_and_survives_a_refusal():
    """The daily scan's batches share one machine among their plans (building one a plan cost
    more than the step): each plan must move, or be refused, exactly as with its own machine."""
    from types import SimpleNamespace

    from statemachine.exceptions import TransitionNotAllowed as MachineRefused

    from resettlement.lifecycle import ChecklistFact, PlanFacts, PlansLifecycle

    def facts(release_date: date | None, started: bool = False) -> PlanFacts:
        status = ChecklistStatus.IN_PROGRESS if started else ChecklistStatus.NOT_STARTED
        return PlanFacts(
            today=WEDNESDAY,
            release_date=release_date,
            walk_out_date=release_date,
            checklist={key: ChecklistFact(status, None) for key in CORE_KEYS},
            published=False,
            request_awaiting_decision=False,
            followup_recorded=False,
            cancel_reason="recall",
        )

    first, refused, cancelled, after, last = (
        SimpleNamespace(state="sentence_planning") for _ in "12345"
    )
    lifecycle = PlansLifecycle()
    lifecycle.send(first, "start_resettlement_planning", facts=facts(WEDNESDAY))
    with pytest.raises(GuardRefused) as caught:
        lifecycle.send(refused, "start_resettlement_planning", facts=facts(None))
    assert [u.guard for u in caught.value.unmet] == ["has_release_date"]
    lifecycle.send(cancelled, "cancel", facts=facts(WEDNESDAY))  # a final state
    lifecycle.send(after, "start_resettlement_planning", facts=facts(WEDNESDAY))
    lifecycle.send(after, "start_pre_release", facts=facts(WEDNESDAY, started=True))
    with pytest.raises(MachineRefused):
        lifecycle.send(first, "release", facts=facts(WEDNESDAY))  # not from this state
    lifecycle.send(last, "start_resettlement_planning", facts=facts(WEDNESDAY))

    assert [p.state for p in (first, refused, cancelled, after, last)] == [
        "resettlement_planning",
        "sentence_planning",
        "cancelled",
        "pre_release",
        "resettlement_planning",
    ]


def test_a_batch_update_changes_only_the_rows_still_at_the_version_it_read(session, new_plan):
    """The scan writes a batch's plans in one statement (one UPDATE ... FROM unnest on
    PostgreSQL): a plan an officer changed meanwhile must be left alone and reported, so the
    batch is redone plan by plan."""
    from resettlement import bulk, clock
    from resettlement.scheduling import save_versioned_rows

    mine, theirs = new_plan(), new_plan()
    table = ReleasePlan.__table__
    read = {mine.id: mine.version, theirs.id: theirs.version - 1}  # theirs moved on since

    changed = bulk.update_versioned(
        session,
        table,
        [
            {"b_id": i, "b_version": v, "version": v + 1, "state": "resettlement_planning"}
            for i, v in read.items()
        ],
    )
    assert changed == 1
    with pytest.raises(VersionConflict):
        save_versioned_rows(
            session, table, [(theirs.id, read[theirs.id], {"updated_at": clock.now()})], "plan"
        )
    session.commit()
    session.expire_all()
    assert session.get(ReleasePlan, mine.id).state == "resettlement_planning"
    assert session.get(ReleasePlan, mine.id).version == read[mine.id] + 1
    assert session.get(ReleasePlan, theirs.id).state == "sentence_planning"
