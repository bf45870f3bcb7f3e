"""daily_release_scan on a seeded database: stages open on time, refusals become reminders,
flagged releases get a request, decisions near their deadline go to the governor."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select

from resettlement.models import EarlyReleaseRequest, PlanEvent, PlanState, ReleasePlan
from resettlement.notifications import Notification, list_notifications
from resettlement.scheduling import DAILY_RELEASE_SCAN
from rules.timings import PRE_RELEASE_OPENS_DAYS, RESETTLEMENT_PLANNING_OPENS_DAYS
from workflows.flows import daily_release_scan

from .conftest import days, run_directly, start_core_items, states

WEDNESDAY = date(2027, 3, 10)
FRIDAY = date(2027, 3, 12)


def scan(as_of: date) -> dict[str, int]:
    return run_directly(DAILY_RELEASE_SCAN, as_of)


def kinds(session, **filters) -> list[str]:
    return sorted(n.kind for n in list_notifications(session, limit=1000, **filters))


def test_resettlement_planning_opens_twelve_weeks_before_walk_out(flow_db, session, new_plan):
    due = new_plan()
    later = new_plan(requested_release_date=date(2027, 9, 15))
    as_of = WEDNESDAY - days(RESETTLEMENT_PLANNING_OPENS_DAYS)

    day_before = scan(as_of - days(1))
    assert day_before["open_resettlement_planning.due"] == 0
    summary = daily_release_scan(as_of=as_of)

    assert states(session) == {
        due.id: PlanState.RESETTLEMENT_PLANNING.value,
        later.id: PlanState.SENTENCE_PLANNING.value,
    }
    assert summary["open_resettlement_planning.moved"] == 1
    event = session.exec(
        select(PlanEvent).where(PlanEvent.plan_id == due.id, PlanEvent.kind == "transition")
    ).one()
    assert (event.actor_role, event.to_state) == ("system", "resettlement_planning")
    assert "T-PLANNING-OPENS" in (event.reason or "")


def test_pre_release_waits_for_core_items_and_tells_the_officer_what_is_missing(
    flow_db, session, new_plan
):
    plan = new_plan()
    as_of = WEDNESDAY - days(PRE_RELEASE_OPENS_DAYS)

    summary = scan(as_of)

    # Planning opened, pre-release refused by its guard: not a failure, a reminder.
    assert states(session)[plan.id] == PlanState.RESETTLEMENT_PLANNING.value
    assert summary["open_resettlement_planning.moved"] == 1
    assert summary["open_pre_release.refused"] == 1
    [blocked] = [
        n for n in list_notifications(session, plan_id=plan.id) if n.kind == "stage_blocked"
    ]
    assert blocked.recipient_role == "probation_officer"
    assert blocked.recipient_id == "po-test"
    for missing in ("ID documents", "bank account", "GP registration", "accommodation"):
        assert missing in blocked.body

    start_core_items(session, plan.id)
    summary = scan(as_of + days(1))
    assert states(session)[plan.id] == PlanState.PRE_RELEASE.value
    assert summary["open_pre_release.moved"] == 1


def test_a_second_run_for_the_same_day_changes_nothing(flow_db, session, new_plan):
    for release in (WEDNESDAY, FRIDAY, date(2027, 3, 3), date(2027, 9, 15)):
        new_plan(requested_release_date=release)
    as_of = WEDNESDAY - days(10)
    first = daily_release_scan(as_of=as_of)
    assert first["notifications"] > 0

    def snapshot():
        session.expire_all()
        return (
            states(session),
            session.exec(select(PlanEvent.id)).all(),
            session.exec(select(Notification.idempotency_key)).all(),
            [(r.id, r.version, r.escalated_at) for r in session.exec(select(EarlyReleaseRequest))],
        )

    before = snapshot()
    second = daily_release_scan(as_of=as_of)
    assert snapshot() == before
    assert second.get("notifications", 0) == 0
    assert not any(k.endswith(".moved") or k.endswith(".escalated") for k in second if second[k])


def test_a_second_run_for_the_same_day_finds_no_one_left_to_tell(flow_db, session, new_plan):
    """Officers already told today are not due again (a re-run rebuilt every message only for
    the outbox to turn it away); the next day they are reminded again."""
    for release in (WEDNESDAY, FRIDAY, date(2027, 3, 3)):
        new_plan(requested_release_date=release)
    as_of = WEDNESDAY - days(10)
    told = ("checklist_reminders", "no_accommodation_warnings", "early_release_requests")
    first = scan(as_of)
    assert all(first.get(f"{action}.due", 0) > 0 for action in told), first
    second = scan(as_of)
    assert {action: second.get(f"{action}.due", 0) for action in told} == dict.fromkeys(told, 0)
    next_day = scan(as_of + days(1))
    assert next_day["checklist_reminders.due"] == first["checklist_reminders.due"]
    assert next_day["no_accommodation_warnings.due"] == first["no_accommodation_warnings.due"]
    assert next_day.get("early_release_requests.due", 0) == 0  # asked once per request


def test_checklist_items_due_or_overdue_are_one_reminder_per_plan(flow_db, session, new_plan):
    plan = new_plan()
    start_core_items(session, plan.id, keys=["id_documents"])
    scan(WEDNESDAY - days(3))

    [reminder] = [
        n for n in list_notifications(session, plan_id=plan.id) if n.kind == "checklist_due"
    ]
    overdue, due_today = reminder.body.split("Overdue:")[1].split("Due today:")
    # Started is not finished: an item in progress past its date is still overdue.
    assert "Get proof of identity (was due Wednesday 13 January 2027)" in overdue
    assert "Open a bank account" in overdue
    assert "Mobile phone with credit" in due_today
    assert "Toiletries" not in reminder.body  # due tomorrow
    assert reminder.subject.endswith("8 checklist items are due or overdue")


def test_warns_about_anyone_within_14_days_of_release_without_accommodation(
    flow_db, session, new_plan
):
    homeless = new_plan()
    housed = new_plan(requested_release_date=date(2027, 3, 9))
    far = new_plan(requested_release_date=date(2027, 4, 14))
    from resettlement import checklists

    from .conftest import OFFICER, version

    checklists.update_item(
        session=session,
        actor=OFFICER,
        plan_id=housed.id,
        key="accommodation",
        expected_version=version(session, housed.id),
        status="done",
    )
    summary = scan(WEDNESDAY - days(14))

    warned = {n.plan_id for n in list_notifications(session) if n.kind == "no_accommodation"}
    assert warned == {homeless.id}
    assert far.id not in warned
    assert summary["no_accommodation_warnings.warned"] == 1


def test_flagged_release_without_a_request_gets_one_and_the_officer_is_asked_to_assess(
    flow_db, session, new_plan
):
    friday = new_plan(requested_release_date=FRIDAY)
    # As if the request had never been opened (e.g. plans imported in bulk).
    for request in session.exec(select(EarlyReleaseRequest)).all():
        session.delete(request)
    session.commit()

    summary = scan(FRIDAY - days(30))

    [request] = session.exec(select(EarlyReleaseRequest)).all()
    assert (request.plan_id, request.state, request.release_date) == (friday.id, "flagged", FRIDAY)
    assert summary["early_release_requests.opened"] == 1
    assert kinds(session, plan_id=friday.id).count("early_release_assessment") == 1


def test_a_withdrawn_request_is_not_reopened(flow_db, session, new_plan):
    from resettlement import early_release

    from .conftest import OFFICER

    new_plan(requested_release_date=FRIDAY)
    request = session.exec(select(EarlyReleaseRequest)).one()
    early_release.withdraw(
        session=session,
        actor=OFFICER,
        request_id=request.id,
        expected_version=request.version,
        reason="The person asked to leave on the Friday.",
    )
    scan(FRIDAY - days(30))
    assert len(session.exec(select(EarlyReleaseRequest)).all()) == 1


def test_decisions_near_their_deadline_are_escalated_to_the_governor_once(
    flow_db, session, new_plan
):
    new_plan(requested_release_date=FRIDAY, person={"prison_code": "CFI"})
    request = session.exec(select(EarlyReleaseRequest)).one()
    assert request.decision_deadline == date(2027, 3, 5)

    scan(date(2027, 3, 2))  # three working days before: not yet
    session.refresh(request)
    assert request.escalated_at is None

    summary = daily_release_scan(as_of=date(2027, 3, 3))
    session.refresh(request)
    assert request.escalated_at is not None
    assert summary["escalate_decisions.escalated"] == 1
    [note] = list_notifications(session, recipient_role="governor", recipient_id="CFI")
    assert note.request_id == request.id
    assert "5 March 2027" in note.body

    again = scan(date(2027, 3, 4))
    assert again.get("escalate_decisions.escalated", 0) == 0
    assert len(list_notifications(session, recipient_role="governor")) == 1
    events = session.exec(
        select(PlanEvent).where(col(PlanEvent.kind) == "early_release_escalated")
    ).all()
    assert len(events) == 1


def test_cancelled_plans_are_left_alone(flow_db, session, new_plan):
    from resettlement import plans

    from .conftest import OFFICER, version

    plan = new_plan()
    plans.transition(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        event="cancel",
        expected_version=version(session, plan.id),
        cancel_reason="transfer",
    )
    summary = scan(WEDNESDAY - days(3))
    assert states(session)[plan.id] == "cancelled"
    assert summary.get("notifications", 0) == 0
    assert session.get(ReleasePlan, plan.id).state == "cancelled"
