"""Task bodies with .fn(), the batch facts, the Notify adapter, the outbox reader, the
schedules and the command."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import select
from typer.testing import CliRunner

from cli.flow_commands import flows_app
from resettlement import notifications, plans
from resettlement.actors import Role
from resettlement.config import Settings
from resettlement.errors import Unavailable
from resettlement.messages import long_date
from resettlement.models import ReleasePlan
from resettlement.notifications import Message, NotificationKind, enqueue, list_notifications
from resettlement.scheduling import facts_for_many
from workflows.serve import daily_cron, deployments
from workflows.tasks import find_due, is_transient, run_batch

from .conftest import OFFICER, publish, start_core_items, version

WEDNESDAY = date(2027, 3, 10)


def test_task_bodies_find_and_remind_in_one_batch(flow_db, session, new_plan):
    first, second = new_plan(), new_plan()
    due = find_due.fn("checklist_reminders", WEDNESDAY)
    assert due == [first.id, second.id]
    assert find_due.fn("checklist_reminders", date(2026, 11, 1)) == []

    counts = run_batch.fn("checklist_reminders", due, WEDNESDAY)

    assert counts == {"plans_reminded": 2, "notifications": 2}
    assert run_batch.fn("checklist_reminders", due, WEDNESDAY)["notifications"] == 0


def test_batch_facts_agree_with_the_single_plan_facts(session, new_plan):
    plain, friday, ready = (
        new_plan(),
        new_plan(requested_release_date=date(2027, 3, 12)),
        new_plan(),
    )
    start_core_items(session, ready.id, keys=["id_documents", "bank_account"])
    publish(session, ready.id)
    batch = list(session.exec(select(ReleasePlan).order_by(ReleasePlan.id)))
    many = facts_for_many(session, batch, WEDNESDAY)
    for plan in batch:
        assert many[plan.id] == plans.facts_for(session, plan, today=WEDNESDAY)
    assert many[friday.id].request_awaiting_decision
    assert many[ready.id].published and not many[plain.id].published


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (OperationalError("SELECT 1", {}, Exception("database is locked")), True),
        (Unavailable("the connection was lost before the commit"), True),
        (IntegrityError("INSERT", {}, Exception("duplicate key")), False),
        (ValueError("a bug"), False),
    ],
)
def test_only_database_hiccups_are_retried(error, transient):
    assert is_transient(error) is transient


def _message(key: str, **overrides) -> Message:
    fields = {
        "recipient_role": Role.PROBATION_OFFICER,
        "recipient_id": "po-test",
        "kind": NotificationKind.CHECKLIST_DUE,
        "subject": "Two checklist items are overdue",
        "body": "Get proof of identity.",
        "idempotency_key": key,
    } | overrides
    return Message(**fields)


def test_the_outbox_adds_each_key_once_and_reads_newest_first(session, new_plan):
    plan = new_plan()
    first = enqueue(session, [_message("a"), _message("b", plan_id=plan.id)])
    again = enqueue(session, [_message("a"), _message("c", recipient_id="po-other")])
    session.commit()
    assert len(first) == 2 and len(again) == 1
    assert [n.idempotency_key for n in list_notifications(session)] == ["c", "b", "a"]
    assert [n.idempotency_key for n in list_notifications(session, recipient_id="po-test")] == [
        "b",
        "a",
    ]
    assert [n.idempotency_key for n in list_notifications(session, plan_id=plan.id)] == ["b"]
    assert [n.idempotency_key for n in list_notifications(session, limit=1, offset=1)] == ["b"]
    assert list_notifications(session, recipient_role="governor") == []


def test_notify_sends_addressed_messages_once_and_keeps_the_rest(
    flow_db, session, new_plan, monkeypatch
):
    sent: list[dict] = []

    class FakeNotify:
        def send_email_notification(self, **kwargs):
            sent.append(kwargs)
            return {"id": "fake"}

    monkeypatch.setenv("RESETTLEMENT_NOTIFY_API_KEY", "test-key")
    monkeypatch.setenv("RESETTLEMENT_NOTIFY_TEMPLATE_IDS", json.dumps({"default": "tmpl-1"}))
    monkeypatch.setenv(
        "RESETTLEMENT_NOTIFY_RECIPIENTS",
        json.dumps({"probation_officer:po-test": "officer@example.gov.uk"}),
    )
    monkeypatch.setattr(notifications, "client_factory", lambda key: FakeNotify())
    new_plan()
    new_plan(probation_officer_id="po-unknown")

    counts = run_batch.fn("checklist_reminders", [1, 2], WEDNESDAY)
    assert counts["notify_sent"] == 1 and counts["notify_unaddressed"] == 1
    assert [s["email_address"] for s in sent] == ["officer@example.gov.uk"]
    assert sent[0]["template_id"] == "tmpl-1"
    assert sent[0]["reference"] == f"checklist_due:1:{WEDNESDAY}"
    by_officer = {n.recipient_id: n for n in list_notifications(session)}
    assert by_officer["po-test"].channel == "govuk_notify"
    assert by_officer["po-test"].sent_at is not None
    assert by_officer["po-unknown"].sent_at is None

    run_batch.fn("checklist_reminders", [1, 2], WEDNESDAY)
    assert len(sent) == 1


def test_welsh_dates_are_written_in_welsh():
    assert long_date(date(2026, 12, 18)) == "Friday 18 December 2026"
    assert long_date(date(2026, 12, 18), "cy") == "dydd Gwener 18 Rhagfyr 2026"
    assert long_date(date(2027, 3, 1), "cy") == "dydd Llun 1 Mawrth 2027"


def test_the_flows_are_served_daily_at_the_configured_london_times():
    settings = Settings(scan_time="05:45", release_day_time="06:30", followup_time="09:00")
    made = {d.name: d for d in deployments(settings)}
    assert set(made) == {
        "daily-release-scan-daily",
        "release-day-daily",
        "forty-eight-hour-followup-daily",
        "calendar-refresh-daily",
        "message-sweep-every-few-minutes",
        "retention-daily",
    }
    scan = made["daily-release-scan-daily"].schedules[0].schedule
    assert (scan.cron, scan.timezone) == ("45 5 * * *", "Europe/London")
    assert daily_cron("06:30") == "30 6 * * *"
    sweep = made["message-sweep-every-few-minutes"].schedules[0].schedule
    assert (sweep.cron, sweep.timezone) == ("*/5 * * * *", "Europe/London")
    refresh = made["calendar-refresh-daily"].schedules[0].schedule
    assert refresh.cron == "30 2 * * *"
    with pytest.raises(ValueError):
        Settings(scan_time="25:00")


def test_the_command_runs_a_flow_for_a_day_and_prints_the_counts(flow_db, session, new_plan):
    plan = new_plan()
    result = CliRunner().invoke(
        flows_app, ["run", "daily-release-scan", "--as-of", "2027-02-24", "--batch-size", "10"]
    )
    assert result.exit_code == 0, result.output
    assert "daily-release-scan for Wednesday 24 February 2027" in result.output
    assert "open_resettlement_planning.moved" in result.output
    session.expire_all()
    assert session.get(ReleasePlan, plan.id).state == "resettlement_planning"
    assert version(session, plan.id) > 1
    assert OFFICER.user_id in {n.recipient_id for n in list_notifications(session)}


def test_a_plan_changed_during_the_batch_sends_the_batch_one_plan_at_a_time(
    session, new_plan, monkeypatch
):
    from sqlalchemy import text

    from resettlement import scheduling

    first, second = new_plan(), new_plan()
    real_facts = scheduling.facts_for_many
    one_by_one = []
    real_fallback = scheduling._advance_one_by_one

    def facts_then_someone_edits(session_, batch, today):
        # Another writer bumps the version behind the loaded objects' backs.
        session_.execute(
            text("UPDATE release_plan SET version = version + 1 WHERE id = :id"), {"id": second.id}
        )
        return real_facts(session_, batch, today)

    def spy(*args, **kwargs):
        one_by_one.append(args[1])
        return real_fallback(*args, **kwargs)

    monkeypatch.setattr(scheduling, "facts_for_many", facts_then_someone_edits)
    monkeypatch.setattr(scheduling, "_advance_one_by_one", spy)
    result = scheduling.run_resettlement_planning(session, [first.id, second.id], WEDNESDAY)

    assert one_by_one == [[first.id, second.id]]
    assert result.counts["moved"] == 2
    session.expire_all()
    assert {session.get(ReleasePlan, i).state for i in (first.id, second.id)} == {
        "resettlement_planning"
    }


def test_batch_writes_bump_each_version_exactly_once(session, new_plan):
    from resettlement import scheduling
    from resettlement.models import EarlyReleaseRequest

    plain = new_plan()
    friday = new_plan(requested_release_date=date(2027, 3, 12))
    plan_versions = {p.id: version(session, p.id) for p in (plain, friday)}
    request = session.exec(select(EarlyReleaseRequest)).one()
    request_version = request.version

    scheduling.run_resettlement_planning(session, [plain.id], WEDNESDAY)
    # A refused step writes nothing to the plan; a notification is not a change to the plan.
    scheduling.run_pre_release(session, [plain.id], WEDNESDAY)
    scheduling.run_escalation(session, [request.id], date(2027, 3, 3))

    session.expire_all()
    assert version(session, plain.id) == plan_versions[plain.id] + 1
    assert version(session, friday.id) == plan_versions[friday.id] + 1
    assert session.get(EarlyReleaseRequest, request.id).version == request_version + 1


def test_outside_local_mode_a_flow_without_database_url_refuses_to_run(monkeypatch, tmp_path):
    """A worker without DATABASE_URL once ran against a new empty SQLite file and reported
    success with every count 0."""
    from resettlement.config import get_settings
    from workflows.flows import NoDatabaseConfigured, daily_release_scan

    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("RESETTLEMENT_LOCAL_MODE", raising=False)
    monkeypatch.setenv("RESETTLEMENT_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()

    with pytest.raises(NoDatabaseConfigured, match="DATABASE_URL"):
        daily_release_scan(as_of=WEDNESDAY)
    assert list(tmp_path.iterdir()) == []  # no database file was made

    result = CliRunner().invoke(flows_app, ["worker", "--pool", "resettlement"])
    assert result.exit_code == 2
    assert "DATABASE_URL is not set" in result.output


def test_a_scheduled_run_started_late_works_for_the_day_it_was_scheduled_for(
    flow_db, session, new_plan
):
    """A crashed scheduled run retried days later keeps its expected start time: it must do
    its own day (here: nothing due yet), not the day of the retry (a plan due)."""
    from datetime import datetime, time, timedelta

    from prefect import get_client
    from prefect.flow_engine import run_flow
    from prefect.states import Scheduled

    from resettlement import clock
    from rules.timings import RESETTLEMENT_PLANNING_OPENS_DAYS
    from workflows.flows import daily_release_scan

    today = clock.today()
    new_plan(requested_release_date=today + timedelta(days=RESETTLEMENT_PLANNING_OPENS_DAYS - 4))
    missed = today - timedelta(days=30)
    at = datetime.combine(missed, time(6, 0), tzinfo=clock.LONDON)
    with get_client(sync_client=True) as client:
        run = client.create_flow_run(daily_release_scan, state=Scheduled(scheduled_time=at))

    summary = run_flow(daily_release_scan, flow_run=run)

    assert summary["open_resettlement_planning.due"] == 0
    assert daily_release_scan()["open_resettlement_planning.due"] == 1  # today's run


def test_the_zombie_automation_is_created_once_and_crashes_runs_after_three_missed_heartbeats():
    from datetime import timedelta

    from prefect import get_client

    from workflows.zombies import NAME, ensure_zombie_automation

    first = ensure_zombie_automation()
    assert ensure_zombie_automation() == first  # running setup again changes nothing
    with get_client(sync_client=True) as client:
        [automation] = client.read_automations_by_name(NAME)
    assert automation.trigger.within == timedelta(seconds=90)
    assert automation.trigger.after == {"prefect.flow-run.heartbeat"}
    assert "prefect.flow-run.Completed" in automation.trigger.expect
    [action] = automation.actions
    assert (action.type, action.state.value) == ("change-flow-run-state", "CRASHED")


def test_a_run_in_this_process_has_no_heartbeats_and_a_workers_run_keeps_them():
    """`resettlement flows run` (and bench/scan.py) run flows in their own process: nothing
    watches their heartbeats, and joining the heartbeat thread cost up to a second a run. A
    worker's runs get PREFECT_FLOWS_HEARTBEAT_FREQUENCY=30 from prefect.yaml and keep them, for
    the zombie automation."""
    from prefect import flow
    from prefect.settings import (
        PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
        get_current_settings,
        temporary_settings,
    )

    from workflows.in_process import run_in_process

    @flow
    def heartbeat_frequency() -> int | None:
        return get_current_settings().flows.heartbeat_frequency

    assert run_in_process(heartbeat_frequency) is None
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: 30}):  # a worker's
        assert heartbeat_frequency() == 30
    assert get_current_settings().flows.heartbeat_frequency is not None  # only for that run
