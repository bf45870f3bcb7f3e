"""release_day and forty_eight_hour_followup on a seeded database."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from sqlalchemy import MetaData
from sqlmodel import select

from resettlement import leaver_access, notifications, plans
from resettlement.config import get_settings
from resettlement.leaver_access import SIGN_IN_LINK, LeaverLink
from resettlement.models import Person, PlanState, ReleasePlan
from resettlement.notifications import list_notifications
from resettlement.scheduling import FORTY_EIGHT_HOUR_FOLLOWUP, RELEASE_DAY
from workflows.flows import forty_eight_hour_followup, release_day

from .conftest import OFFICER, days, run_directly, states, version

WEDNESDAY = date(2027, 3, 10)


def test_ready_plans_are_released_and_the_person_told_their_plan_is_ready(
    flow_db, session, plan_in_pre_release
):
    ready = plan_in_pre_release(ready=True)
    welsh = plan_in_pre_release(ready=True, person={"preferred_language": "cy"})
    tomorrow = plan_in_pre_release(ready=True, requested_release_date=date(2027, 3, 11))

    summary = release_day(as_of=WEDNESDAY)

    assert states(session) == {
        ready.id: "released",
        welsh.id: "released",
        tomorrow.id: "pre_release",
    }
    assert summary["release.moved"] == 2
    assert summary["plan_to_leaver.plans_sent"] == 2
    [english] = list_notifications(session, recipient_role="prison_leaver", plan_id=ready.id)
    assert english.recipient_id == str(ready.id)
    assert english.language == "en"
    assert "Wednesday 10 March 2027" in english.body
    [cymraeg] = list_notifications(session, recipient_role="prison_leaver", plan_id=welsh.id)
    assert cymraeg.language == "cy"
    assert cymraeg.subject == "Mae eich cynllun ar gyfer eich 48 awr gyntaf yn barod"
    assert "dydd Mercher 10 Mawrth 2027" in cymraeg.body
    assert "swyddog prawf" in cymraeg.body


def test_the_officer_is_told_what_is_missing_from_a_plan_that_is_not_ready(
    flow_db, session, plan_in_pre_release, new_plan
):
    unpublished = plan_in_pre_release(ready=False)
    still_planning = new_plan()

    summary = release_day(as_of=WEDNESDAY)

    assert states(session) == {
        unpublished.id: "pre_release",
        still_planning.id: "sentence_planning",
    }
    assert summary["release.not_ready"] == 2
    assert summary.get("plan_to_leaver.plans_sent", 0) == 0
    [alert] = list_notifications(session, plan_id=unpublished.id)
    assert (alert.kind, alert.recipient_id) == ("not_ready", "po-test")
    assert "Publish the 48-hour plan" in alert.body
    [early] = list_notifications(session, plan_id=still_planning.id)
    assert "still in sentence planning" in early.body
    assert "Publish the 48-hour plan" in early.body
    assert list_notifications(session, recipient_role="prison_leaver") == []

    assert run_directly(RELEASE_DAY, WEDNESDAY)["notifications"] == 0


def test_an_open_early_release_request_holds_the_release(flow_db, session, plan_in_pre_release):
    friday = plan_in_pre_release(ready=True, requested_release_date=date(2027, 3, 12))
    run_directly(RELEASE_DAY, date(2027, 3, 12))
    assert states(session)[friday.id] == "pre_release"
    [alert] = list_notifications(session, plan_id=friday.id)
    assert "early-release request" in alert.body


def test_a_release_recorded_but_not_messaged_is_messaged_on_the_rerun(
    flow_db, session, plan_in_pre_release
):
    # As if the run crashed between the release and the message.
    plan = plan_in_pre_release(ready=True)
    plans.transition(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        event="release",
        expected_version=version(session, plan.id),
        today=WEDNESDAY,
    )
    summary = run_directly(RELEASE_DAY, WEDNESDAY)
    assert summary.get("release.moved", 0) == 0
    assert len(list_notifications(session, recipient_role="prison_leaver")) == 1


def test_the_followup_is_asked_for_48_hours_after_release_until_recorded(
    flow_db, session, plan_in_pre_release
):
    plan = plan_in_pre_release(ready=True)
    run_directly(RELEASE_DAY, WEDNESDAY)

    assert (
        run_directly(FORTY_EIGHT_HOUR_FOLLOWUP, WEDNESDAY + days(1))["followup_requests.due"] == 0
    )
    summary = forty_eight_hour_followup(as_of=WEDNESDAY + days(2))
    assert summary["followup_requests.officers_asked"] == 1
    [ask] = list_notifications(session, plan_id=plan.id, recipient_role="probation_officer")
    assert ask.kind == "followup_due"
    for outcome in ("probation appointment", "accommodation", "GP", "Universal Credit", "ID"):
        assert outcome in ask.body
    assert run_directly(FORTY_EIGHT_HOUR_FOLLOWUP, WEDNESDAY + days(2))["notifications"] == 0

    plans.record_followup(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=version(session, plan.id),
        data=plans.FollowUp(
            first_appointment_attended=True,
            night_in_planned_accommodation=True,
            gp_registered=False,
            universal_credit_claim_made=True,
            id_in_hand=True,
            bank_account_in_hand=True,
        ),
    )
    assert (
        run_directly(FORTY_EIGHT_HOUR_FOLLOWUP, WEDNESDAY + days(3))["followup_requests.due"] == 0
    )
    session.expire_all()
    assert session.exec(select(ReleasePlan.state)).one() == PlanState.COMPLETED.value


class RecordingNotify:
    """GOV.UK Notify as the person's phone sees it: every message sent, as sent."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def send_email_notification(self, **kwargs: Any) -> dict[str, str]:
        self.sent.append(kwargs)
        return {"id": "fake"}


@pytest.fixture
def notify(monkeypatch) -> RecordingNotify:
    recorder = RecordingNotify()
    monkeypatch.setenv("RESETTLEMENT_NOTIFY_API_KEY", "test-key")
    monkeypatch.setenv("RESETTLEMENT_NOTIFY_TEMPLATE_IDS", json.dumps({"default": "tmpl-1"}))
    monkeypatch.setenv(
        "RESETTLEMENT_NOTIFY_RECIPIENTS",
        json.dumps({f"prison_leaver:{n}": f"leaver{n}@example.org" for n in range(1, 20)}),
    )
    get_settings.cache_clear()
    monkeypatch.setattr(notifications, "client_factory", lambda key: recorder)
    return recorder


def _secret_sent(notify: RecordingNotify, plan_id: int) -> str:
    [message] = [m for m in notify.sent if m["email_address"] == f"leaver{plan_id}@example.org"]
    body = message["personalisation"]["body"]
    assert "http://127.0.0.1:8000/plan-link/" in body
    return str(body.split("/plan-link/", 1)[1].split()[0])


def test_the_person_gets_a_working_link_to_their_plan_and_a_rerun_sends_no_second(
    flow_db, session, plan_in_pre_release, notify
):
    ready = plan_in_pre_release(ready=True)
    release_day(as_of=WEDNESDAY)
    release_day(as_of=WEDNESDAY)

    [message] = list_notifications(session, recipient_role="prison_leaver", plan_id=ready.id)
    assert message.sent_at is not None
    assert len(notify.sent) == 1
    secret = _secret_sent(notify, ready.id)
    person = session.get(Person, ready.person_id)
    link = leaver_access.confirm(session=session, secret=secret, date_of_birth=person.date_of_birth)
    assert link.plan_id == ready.id
    links = session.exec(select(LeaverLink).where(LeaverLink.plan_id == ready.id)).all()
    assert len(links) == 1


def test_after_release_day_no_table_holds_the_link_secret(
    flow_db, engine, session, plan_in_pre_release, notify
):
    """A copy of the database (which also holds the date of birth) must not open a plan."""
    ready = plan_in_pre_release(ready=True)
    release_day(as_of=WEDNESDAY)
    secret = _secret_sent(notify, ready.id)

    database = MetaData()
    database.reflect(bind=engine)
    scanned = 0
    with engine.connect() as connection:
        for table in database.sorted_tables:
            for row in connection.execute(table.select()):
                for value in row:
                    scanned += 1
                    assert secret not in str(value), f"the link secret is stored in {table.name}"
    assert scanned > 100
    assert {"notification", "leaver_link", "audit_event", "plan_event"} <= set(database.tables)
    # The outbox keeps what was said, with a placeholder where the link went.
    [message] = list_notifications(session, recipient_role="prison_leaver", plan_id=ready.id)
    assert SIGN_IN_LINK in message.body


def test_release_day_catches_up_walk_out_dates_that_passed_while_it_did_not_run(
    flow_db, session, plan_in_pre_release
):
    """No release-day run on Wednesday (a lost machine): Friday's run releases Wednesday's
    ready plan and tells the person and the officer once, as Wednesday's run would have."""
    ready = plan_in_pre_release(ready=True)  # walks out Wednesday 10 March 2027
    unready = plan_in_pre_release(ready=False)
    friday = WEDNESDAY + days(2)

    summary = release_day(as_of=friday)

    assert states(session) == {ready.id: "released", unready.id: "pre_release"}
    assert summary["release.moved"] == 1
    assert summary["release.not_ready"] == 1
    assert summary["plan_to_leaver.plans_sent"] == 1
    [sent] = list_notifications(session, recipient_role="prison_leaver", plan_id=ready.id)
    assert sent.idempotency_key == f"plan_ready:{ready.id}:{WEDNESDAY}"
    assert "Wednesday 10 March 2027" in sent.body
    [alert] = list_notifications(session, plan_id=unready.id)
    assert alert.idempotency_key == f"not_ready:{unready.id}:{WEDNESDAY}"
    assert "walked out on Wednesday 10 March 2027" in alert.subject

    # The next day's run, and a re-run of the missed day itself, add nothing.
    assert run_directly(RELEASE_DAY, friday + days(1))["notifications"] == 0
    assert run_directly(RELEASE_DAY, WEDNESDAY)["notifications"] == 0


def test_release_day_catches_up_a_week_and_no_further(flow_db, session, plan_in_pre_release):
    from resettlement.scheduling import RELEASE_CATCH_UP_DAYS

    plan_in_pre_release(ready=True)
    late = WEDNESDAY + days(RELEASE_CATCH_UP_DAYS + 1)
    assert run_directly(RELEASE_DAY, late).get("release.due", 0) == 0
    assert run_directly(RELEASE_DAY, late - days(1))["release.moved"] == 1


# GOV.UK Notify's longest text message, in characters: the message must fit a text too.
NOTIFY_TEXT_LIMIT = 918


@pytest.mark.parametrize(
    ("language", "first_question", "answer_here"),
    [
        ("en", "The first is: where did you sleep on your first night?", "Answer here: "),
        ("cy", "Y cyntaf yw: ble wnaethoch chi gysgu ar eich noson gyntaf?", "Atebwch yma: "),
    ],
)
def test_the_message_as_sent_asks_the_first_question_with_a_secret_free_link_to_the_rest(
    flow_db, session, plan_in_pre_release, notify, language, first_question, answer_here
):
    ready = plan_in_pre_release(ready=True, person={"preferred_language": language})
    release_day(as_of=WEDNESDAY)

    [sent] = [m for m in notify.sent if m["email_address"] == f"leaver{ready.id}@example.org"]
    body = sent["personalisation"]["body"]
    assert first_question in body
    # The questions' page, as the site serves it, with nothing after it on its line: no secret.
    assert f"\n{answer_here}http://127.0.0.1:8000{leaver_access.FIRST_DAYS_PATH}\n" in body
    # The sign-in link beside it carries the secret, issued as the message left; the outbox
    # keeps the placeholder, and the link table only the secret's hash.
    secret = _secret_sent(notify, ready.id)
    assert secret not in f"{answer_here}http://127.0.0.1:8000{leaver_access.FIRST_DAYS_PATH}"
    [stored] = list_notifications(session, recipient_role="prison_leaver", plan_id=ready.id)
    assert SIGN_IN_LINK in stored.body and secret not in stored.body
    assert first_question in stored.body
    [link] = session.exec(select(LeaverLink).where(LeaverLink.plan_id == ready.id)).all()
    assert link.secret_hash == leaver_access.hash_secret(secret)
    assert len(body) <= NOTIFY_TEXT_LIMIT, len(body)
