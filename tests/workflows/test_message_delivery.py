"""Messages that arrive: GOV.UK Notify played by a local HTTP server that fails on purpose
(429, 500, a timeout, a 400), and the sweep, the statuses and the officer's warning."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from resettlement import clock, leaver_access
from resettlement.actors import Role
from resettlement.config import get_settings
from resettlement.delivery import sending, sweep
from resettlement.delivery.sending import deliver
from resettlement.models import Person, PlanEvent
from resettlement.notifications import Message, Notification, NotificationKind, enqueue
from tests.workflows.conftest import FakeNotify
from workflows.upkeep import message_sweep

pytestmark = pytest.mark.usefixtures("flow_db")


@pytest.fixture
def addresses(monkeypatch: pytest.MonkeyPatch) -> None:
    recipients = {"probation_officer:po-test": "officer@example.gov.uk"}
    recipients |= {f"prison_leaver:{n}": f"leaver{n}@example.org" for n in range(1, 10)}
    monkeypatch.setenv("RESETTLEMENT_NOTIFY_RECIPIENTS", json.dumps(recipients))
    get_settings.cache_clear()


def _setting(monkeypatch: pytest.MonkeyPatch, **values: object) -> None:
    for name, value in values.items():
        monkeypatch.setenv(f"RESETTLEMENT_{name.upper()}", str(value))
    get_settings.cache_clear()


def _queue(session: Session, plan_id: int, key: str = "reminder:1", **over: object) -> int:
    message = Message(
        recipient_role=Role(str(over.get("role", Role.PROBATION_OFFICER.value))),
        recipient_id=str(over.get("recipient", "po-test")),
        kind=NotificationKind(str(over.get("kind", NotificationKind.CHECKLIST_DUE.value))),
        subject="Checklist items due",
        body=str(over.get("body", "Two checklist items are due this week.")),
        idempotency_key=key,
        plan_id=plan_id,
    )
    [row_id] = enqueue(session, [message])
    session.commit()
    return row_id


def _row(session: Session, row_id: int) -> Notification:
    session.expire_all()
    row = session.get(Notification, row_id)
    assert row is not None
    return row


def _posts(fake: FakeNotify) -> int:
    return sum(1 for method, _ in fake.requests if method == "POST")


def _failed_events(session: Session, plan_id: int) -> list[PlanEvent]:
    session.expire_all()
    return list(
        session.exec(
            select(PlanEvent).where(
                PlanEvent.plan_id == plan_id, PlanEvent.kind == "message_failed"
            )
        ).all()
    )


def test_429_500_and_a_timeout_are_tried_again_until_notify_takes_the_message_once(
    session, new_plan, notify_server: FakeNotify, addresses, monkeypatch
):
    _setting(monkeypatch, notify_tries_per_round=4)
    plan = new_plan()
    row_id = _queue(session, plan.id)
    notify_server.script = ["429", "500", "timeout", "ok"]

    counts = deliver(session, [row_id])

    assert counts == {"notify_sent": 1}
    row = _row(session, row_id)
    assert (row.status, row.attempts, row.channel) == ("sent", 4, "govuk_notify")
    [taken] = notify_server.notifications.values()
    assert row.notify_id == taken["id"]
    assert taken["reference"] == "reminder:1"
    assert taken["email_address"] == "officer@example.gov.uk"
    assert _posts(notify_server) == 4
    # After the timeout (which may have reached Notify) it asked by reference before sending
    # again; after a 429 or a 500, which certainly sent nothing, it did not need to.
    assert [r for r in notify_server.requests if r[0] == "GET"] == [("GET", "/v2/notifications?")]


def test_a_timeout_that_reached_notify_is_found_by_reference_not_sent_twice(
    session, new_plan, notify_server: FakeNotify, addresses, monkeypatch
):
    plan = new_plan()
    row_id = _queue(session, plan.id)
    notify_server.script = ["late"]  # Notify took it but answered after the client gave up

    assert deliver(session, [row_id]) == {"notify_sent": 1}

    assert len(notify_server.notifications) == 1
    assert _posts(notify_server) == 1
    row = _row(session, row_id)
    assert row.status == "sent" and row.notify_id == next(iter(notify_server.notifications))


def test_a_permanent_4xx_is_not_retried_and_the_officer_sees_it_on_the_plan(
    session, new_plan, notify_server: FakeNotify, addresses
):
    plan = new_plan()
    row_id = _queue(session, plan.id)
    notify_server.script = ["400"]

    assert deliver(session, [row_id]) == {"notify_failed": 1}

    assert _posts(notify_server) == 1
    row = _row(session, row_id)
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.last_error == "GOV.UK Notify answered HTTP 400"
    [event] = _failed_events(session, plan.id)
    assert "Checklist items due" in (event.reason or "")
    warning = session.exec(
        select(Notification).where(Notification.kind == NotificationKind.MESSAGE_FAILED.value)
    ).one()
    assert warning.recipient_id == "po-test" and warning.plan_id == plan.id
    assert "could not be sent" in warning.body
    # The sweep leaves a failed message alone.
    assert row_id not in sweep.due_resend(session, clock.now() + timedelta(hours=1))


def test_sent_by_notify_but_the_commit_failed_is_not_sent_twice_and_the_link_still_works(
    session, plan_in_pre_release, notify_server: FakeNotify, addresses, monkeypatch
):
    """The known edge: Notify took the message (with the person's new sign-in link) and the
    commit that marks it sent failed. The sweep asks Notify by reference and sends nothing
    again: no second message, and no second link that would stop the first."""
    _setting(monkeypatch, notify_resend_after_minutes=0)
    plan = plan_in_pre_release(ready=True)
    row_id = _queue(
        session,
        plan.id,
        key=f"plan_ready:{plan.id}",
        role=Role.PRISON_LEAVER.value,
        recipient=str(plan.id),
        kind=NotificationKind.PLAN_READY.value,
        body=f"Your plan is ready: {leaver_access.SIGN_IN_LINK}",
    )
    real_mark_sent = sending.mark_sent

    def commit_fails(*args, **kwargs):
        raise OperationalError("COMMIT", {}, Exception("the connection dropped"))

    monkeypatch.setattr(sending, "mark_sent", commit_fails)
    with pytest.raises(OperationalError):
        deliver(session, [row_id])
    monkeypatch.setattr(sending, "mark_sent", real_mark_sent)
    session.rollback()
    assert _row(session, row_id).status == "sending"
    # The outbox keeps the placeholder, never the secret.
    assert _row(session, row_id).body == f"Your plan is ready: {leaver_access.SIGN_IN_LINK}"

    summary = message_sweep()

    assert summary["resend.due"] == 1 and summary["resend.notify_sent"] == 1
    assert len(notify_server.notifications) == 1 and _posts(notify_server) == 1
    row = _row(session, row_id)
    assert row.status == "sent" and row.notify_id == next(iter(notify_server.notifications))
    [sent] = notify_server.notifications.values()
    secret = sent["personalisation"]["body"].split("/plan-link/", 1)[1].split()[0]
    person = session.get(Person, plan.person_id)
    link = leaver_access.confirm(session=session, secret=secret, date_of_birth=person.date_of_birth)
    assert link.plan_id == plan.id


def test_the_sweep_sends_again_then_fails_at_the_limit_and_tells_the_officer(
    session, new_plan, notify_server: FakeNotify, addresses, monkeypatch
):
    _setting(
        monkeypatch, notify_tries_per_round=1, notify_max_attempts=3, notify_resend_after_minutes=5
    )
    plan = new_plan()
    row_id = _queue(session, plan.id)
    notify_server.script = ["500"] * 10

    assert deliver(session, [row_id]) == {"notify_retry_later": 1}
    # Not yet: its last attempt was moments ago.
    assert row_id not in sweep.due_resend(session)
    assert row_id in sweep.due_resend(session, clock.now() + timedelta(minutes=6))

    _setting(monkeypatch, notify_resend_after_minutes=0)
    first = message_sweep()
    assert first["resend.notify_retry_later"] == 1
    assert _row(session, row_id).attempts == 2
    second = message_sweep()
    assert second["resend.notify_failed"] == 1

    row = _row(session, row_id)
    assert (row.status, row.attempts) == ("failed", 3)
    assert _posts(notify_server) == 3
    assert len(_failed_events(session, plan.id)) == 1
    # The officer's own warning is queued; a later sweep sends it (Notify works again).
    notify_server.script = []
    third = message_sweep()
    assert third["resend.notify_sent"] == 1
    warning = session.exec(
        select(Notification).where(Notification.kind == NotificationKind.MESSAGE_FAILED.value)
    ).one()
    assert warning.status == "sent"
    assert [n["reference"] for n in notify_server.notifications.values()] == [
        f"message_failed:{row_id}"
    ]


def test_notify_delivery_statuses_are_recorded_by_the_sweep(
    session, new_plan, notify_server: FakeNotify, addresses
):
    plan = new_plan()
    arrives = _queue(session, plan.id, key="reminder:arrives")
    bounces = _queue(session, plan.id, key="reminder:bounces")
    travelling = _queue(session, plan.id, key="reminder:travelling")
    assert deliver(session, [arrives, bounces, travelling]) == {"notify_sent": 3}
    ids = {key: _row(session, key).notify_id for key in (arrives, bounces, travelling)}
    notify_server.statuses[ids[arrives]] = "delivered"
    notify_server.statuses[ids[bounces]] = "permanent-failure"
    notify_server.statuses[ids[travelling]] = "sending"

    summary = message_sweep()

    assert summary["statuses.due"] == 3
    assert (summary["statuses.delivered"], summary["statuses.failed"]) == (1, 1)
    assert (_row(session, arrives).status, _row(session, arrives).notify_status) == (
        "delivered",
        "delivered",
    )
    failed = _row(session, bounces)
    assert failed.status == "failed"
    assert failed.last_error == "GOV.UK Notify reported permanent-failure"
    assert len(_failed_events(session, plan.id)) == 1
    assert _row(session, travelling).status == "sent"
    assert _row(session, travelling).notify_status == "sending"
    # A delivered message is not asked about again.
    assert arrives not in sweep.due_status_check(session)


def test_without_an_address_a_message_is_held_in_the_outbox_and_not_swept(
    session, new_plan, notify_server: FakeNotify, addresses
):
    plan = new_plan(probation_officer_id="po-unknown")
    row_id = _queue(session, plan.id, recipient="po-unknown")
    assert deliver(session, [row_id]) == {"notify_unaddressed": 1}
    assert _row(session, row_id).status == "held"
    assert notify_server.requests == []
    assert row_id not in sweep.due_resend(session, clock.now() + timedelta(hours=1))


def test_a_held_message_goes_on_the_first_sweep_after_its_recipient_is_given_an_address(
    session, new_plan, notify_server: FakeNotify, addresses, monkeypatch
):
    plan = new_plan(probation_officer_id="po-later")
    row_id = _queue(session, plan.id, recipient="po-later")
    assert deliver(session, [row_id]) == {"notify_unaddressed": 1}
    assert row_id not in sweep.due_resend(session)

    later = {"probation_officer:po-later": "po@example.gov.uk"}
    recipients = {**get_settings().notify_recipients, **later}
    monkeypatch.setenv("RESETTLEMENT_NOTIFY_RECIPIENTS", json.dumps(recipients))
    get_settings.cache_clear()
    # Noticed at once, not after the resend wait: it was never tried.
    assert row_id in sweep.due_resend(session)
    message_sweep()
    row = _row(session, row_id)
    assert (row.status, row.attempts) == ("sent", 1)
    [sent] = notify_server.by_reference(row.idempotency_key)
    assert sent["email_address"] == "po@example.gov.uk"
    # Sent once: the next sweep leaves it alone.
    message_sweep()
    assert _posts(notify_server) == 1


def test_the_outbox_api_shows_each_messages_state_and_attempts(
    session, new_plan, notify_server: FakeNotify, addresses, app
):
    from fastapi.testclient import TestClient

    from api.auth import mint_token

    officer_headers = {
        "Authorization": f"Bearer {mint_token(role=Role.PROBATION_OFFICER, user='po-test')}"
    }
    client = TestClient(app)
    plan = new_plan()
    sent = _queue(session, plan.id, key="reminder:sent")
    failed = _queue(session, plan.id, key="reminder:failed")
    notify_server.script = ["ok", "400"]
    deliver(session, [sent, failed])

    answer = client.get("/api/v1/notifications", headers=officer_headers)
    assert answer.status_code == 200
    by_id = {n["id"]: n for n in answer.json()}
    assert (by_id[sent]["status"], by_id[sent]["attempts"]) == ("sent", 1)
    assert (by_id[failed]["status"], by_id[failed]["attempts"]) == ("failed", 1)
    assert by_id[failed]["last_error"] == "GOV.UK Notify answered HTTP 400"
    assert "notify_id" not in by_id[sent]


def test_texting_a_sign_in_link_goes_through_notifys_sms_api_after_a_timeout_once(
    session, plan_in_pre_release, notify_server: FakeNotify, monkeypatch
):
    from resettlement import sign_in_texts
    from resettlement.person_mobile import record_mobile
    from tests.workflows.conftest import OFFICER

    _setting(monkeypatch, notify_sms_template_id="sms-template-1")
    plan = plan_in_pre_release(ready=True)
    person = session.get(Person, plan.person_id)
    record_mobile(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=person.version,
        number="07700 900123",
        consent=True,
    )
    notify_server.script = ["late", "ok"]  # Notify took the first, answered too late

    sign_in_texts.text_sign_in_link(session=session, actor=OFFICER, plan_id=plan.id)

    [text] = notify_server.notifications.values()
    assert (text["type"], text["phone_number"]) == ("sms", "+447700900123")
    assert _posts(notify_server) == 1
    [row] = session.exec(
        select(Notification).where(Notification.kind == NotificationKind.SIGN_IN_LINK_TEXT.value)
    ).all()
    assert (row.status, row.notify_id) == ("sent", text["id"])
    assert leaver_access.SIGN_IN_LINK in row.body and "/plan-link/" not in row.body
    secret = text["personalisation"]["body"].split("/plan-link/", 1)[1].split()[0]
    link = leaver_access.confirm(session=session, secret=secret, date_of_birth=person.date_of_birth)
    assert link.plan_id == plan.id


def test_of_two_processes_delivering_one_message_only_the_first_to_record_an_attempt_sends(
    session, new_plan, notify_server: FakeNotify, addresses, monkeypatch, engine
):
    from sqlalchemy import text

    plan = new_plan()
    row_id = _queue(session, plan.id)
    real_body = sending._with_sign_in_link

    def another_process_claims_it_first(session_, row, settings):
        with engine.begin() as other:
            other.execute(
                text(
                    "UPDATE notification SET attempts = attempts + 1, status = 'sending' "
                    "WHERE id = :id"
                ),
                {"id": row_id},
            )
        return real_body(session_, row, settings)

    monkeypatch.setattr(sending, "_with_sign_in_link", another_process_claims_it_first)
    assert deliver(session, [row_id]) == {"notify_busy": 1}
    assert notify_server.requests == []
    assert _row(session, row_id).attempts == 1
