"""The person's own mobile, recorded with their consent, and their sign-in link sent to it by
text message through GOV.UK Notify (a recording fake stands in for Notify's servers)."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, MetaData
from sqlmodel import Session, col, select

from resettlement import forty_eight_hours, leaver_access, notifications, plans
from resettlement.actors import Actor, Role
from resettlement.config import get_settings
from resettlement.errors import NotFound
from resettlement.leaver_access import SIGN_IN_LINK, LeaverLink
from resettlement.models import AuditEvent, Person, PersonEvent, PlanEvent, ReleasePlan
from resettlement.notifications import Notification
from resettlement.person_mobile import record_mobile
from tests.pages.conftest import dob_form, form_post
from tests.staff.conftest import OFFICER_ID, OTHER_OFFICER_ID, Browser, bearer

OFFICER = Actor(user_id=OFFICER_ID, role=Role.PROBATION_OFFICER)
SignedIn = Callable[[str], Browser]
MOBILE = "07700 900123"
E164 = "+447700900123"


class RecordingNotify:
    """GOV.UK Notify as the person's phone sees it: every text, as sent."""

    def __init__(self, fail: bool = False) -> None:
        self.sent: list[dict[str, Any]] = []
        self.fail = fail

    def send_sms_notification(self, **kwargs: Any) -> dict[str, str]:
        if self.fail:
            raise RuntimeError("Notify answered 500")
        self.sent.append(kwargs)
        return {"id": "fake"}

    def send_email_notification(self, **kwargs: Any) -> dict[str, str]:
        raise AssertionError("a sign-in link is texted, not emailed")


@pytest.fixture
def notify(monkeypatch: pytest.MonkeyPatch) -> RecordingNotify:
    recorder = RecordingNotify()
    monkeypatch.setenv("RESETTLEMENT_NOTIFY_API_KEY", "test-key")
    monkeypatch.setenv("RESETTLEMENT_NOTIFY_SMS_TEMPLATE_ID", "sms-template-1")
    get_settings.cache_clear()
    monkeypatch.setattr(notifications, "client_factory", lambda key: recorder)
    return recorder


def _text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def _version(html: str) -> str:
    found = re.search(r'name="expected_version" value="(\d+)"', html)
    assert found, "the page has no expected version"
    return found.group(1)


def _published(session: Session, plan: ReleasePlan) -> ReleasePlan:
    assert plan.id is not None
    plans.set_night_one(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        data=plans.NightOne(accommodation_address="Flat 1, 2 Made Up Road, Leeds"),
    )
    forty_eight_hours.publish(
        session=session, actor=OFFICER, plan_id=plan.id, expected_version=plan.version
    )
    session.refresh(plan)
    return plan


def _record_on_the_page(officer: Browser, plan_id: int, number: str, consent: bool) -> Any:
    officer.get(f"/staff/plans/{plan_id}/mobile-number")
    form = {"mobile_number": number, "expected_version": _version(officer.last)}
    if consent:
        form["mobile_consent"] = "yes"
    return officer.post(f"/staff/plans/{plan_id}/mobile-number", form)


def _secret_in(message: dict[str, Any]) -> str:
    body = message["personalisation"]["body"]
    found = re.search(r"http://127\.0\.0\.1:8000(/plan-link/(\S+))", body)
    assert found, body
    return found.group(2)


def _tables_holding(engine: Engine, needle: str) -> set[str]:
    database = MetaData()
    database.reflect(bind=engine)
    holding: set[str] = set()
    with engine.connect() as connection:
        for table in database.sorted_tables:
            for row in connection.execute(table.select()):
                if any(needle in str(value) for value in row):
                    holding.add(table.name)
    return holding


def test_the_officer_records_the_mobile_with_consent_and_texts_a_link_that_opens_the_plan(
    signed_in: SignedIn,
    new_plan: Callable[..., ReleasePlan],
    session: Session,
    engine: Engine,
    app: FastAPI,
    notify: RecordingNotify,
) -> None:
    plan = _published(session, new_plan())
    assert plan.id is not None
    officer = signed_in("officer")
    tab = _text(officer.get(f"/staff/plans/{plan.id}/48-hour-plan").text)
    assert "No mobile number is recorded for them" in tab
    assert f'href="/staff/plans/{plan.id}/mobile-number"' in officer.last

    # The phone-with-credit checklist item leads there too.
    item = officer.get(f"/staff/plans/{plan.id}/checklist/mobile_phone")
    assert f'href="/staff/plans/{plan.id}/mobile-number"' in item.text

    saved = _record_on_the_page(officer, plan.id, MOBILE, consent=True)
    assert saved.status_code == 303
    assert saved.headers["location"].endswith("/48-hour-plan?done=mobile-recorded")
    session.expire_all()
    person = session.get(Person, plan.person_id)
    assert person is not None
    assert person.mobile_number == E164 and person.mobile_consent_by == OFFICER_ID
    assert person.mobile_consent_at is not None
    [event] = session.exec(select(PersonEvent).where(PersonEvent.person_id == person.id)).all()
    assert event.kind == "mobile_number_recorded" and "7700" not in str(event.detail)

    officer.get(f"/staff/plans/{plan.id}/48-hour-plan")
    officer.get(f"/staff/plans/{plan.id}/sign-in-link/text")
    assert "07700 900123" in officer.last
    sent = officer.post(f"/staff/plans/{plan.id}/sign-in-link/text", {})
    assert sent.status_code == 303, sent.text
    assert sent.headers["location"].endswith("?done=link-texted")

    [message] = notify.sent
    assert message["phone_number"] == E164
    assert message["template_id"] == "sms-template-1"
    secret = _secret_in(message)
    assert person.given_name in message["personalisation"]["body"]
    # The texted link opens the person's sign-in page, and their date of birth opens the plan.
    with TestClient(app) as phone:
        opened = phone.get(f"/plan-link/{secret}")
        assert opened.status_code == 200 and "Enter your date of birth" in opened.text
        signed = form_post(phone, f"/plan-link/{secret}", dob_form(person.date_of_birth))
        assert signed.status_code == 200 and signed.url.path == "/my-plan"

    # No table holds the secret; the outbox keeps the text with the placeholder.
    assert _tables_holding(engine, secret) == set()
    [row] = session.exec(select(Notification).where(Notification.kind == "sign_in_link_text")).all()
    assert SIGN_IN_LINK in row.body and row.sent_at is not None and row.channel == "govuk_notify"
    [link] = session.exec(select(LeaverLink).where(LeaverLink.plan_id == plan.id)).all()
    assert (link.handed_over, link.sent_to) == ("text_message", E164)
    kinds = [e.kind for e in session.exec(select(PlanEvent).where(PlanEvent.plan_id == plan.id))]
    assert "leaver_link_texted" in kinds and "mobile_number_recorded" in kinds
    audited = session.exec(
        select(AuditEvent).where(
            AuditEvent.actor == OFFICER_ID, AuditEvent.action == "text_leaver_link"
        )
    ).all()
    assert len(audited) == 1

    # The plan page says how the person received their link.
    tab = _text(officer.get(f"/staff/plans/{plan.id}/48-hour-plan").text)
    assert "The newest link was sent by text message to 07700 900123" in tab
    assert "has a working sign-in link" in tab


def test_a_second_text_stops_the_first_link(
    signed_in: SignedIn,
    new_plan: Callable[..., ReleasePlan],
    session: Session,
    notify: RecordingNotify,
) -> None:
    plan = _published(session, new_plan())
    assert plan.id is not None
    officer = signed_in("officer")
    _record_on_the_page(officer, plan.id, "+44 7700 900456", consent=True)
    for _ in range(2):
        officer.get(f"/staff/plans/{plan.id}/sign-in-link/text")
        officer.post(f"/staff/plans/{plan.id}/sign-in-link/text", {})
    first, second = (_secret_in(m) for m in notify.sent)
    with pytest.raises(leaver_access.LinkNotValid):
        leaver_access.find_link(session, first)
    assert leaver_access.find_link(session, second).plan_id == plan.id


def test_without_consent_no_number_is_stored_and_no_text_is_sent(
    signed_in: SignedIn,
    new_plan: Callable[..., ReleasePlan],
    session: Session,
    client: TestClient,
    notify: RecordingNotify,
) -> None:
    plan = _published(session, new_plan())
    assert plan.id is not None
    officer = signed_in("officer")
    refused = _record_on_the_page(officer, plan.id, MOBILE, consent=False)
    assert refused.status_code == 422
    assert "Their number is not recorded without their agreement" in _text(refused.text)
    assert 'href="#mobile-consent"' in refused.text
    person = session.get(Person, plan.person_id)
    assert person is not None
    version = person.version
    api = client.put(
        f"/api/v1/plans/{plan.id}/person-mobile",
        json={"mobile_number": MOBILE, "consent": False, "expected_version": version},
        headers=bearer(Role.PROBATION_OFFICER, OFFICER_ID),
    )
    assert api.status_code == 422
    assert api.headers["content-type"] == "application/problem+json"
    landline = client.put(
        f"/api/v1/plans/{plan.id}/person-mobile",
        json={"mobile_number": "020 7946 0123", "consent": True, "expected_version": version},
        headers=bearer(Role.PROBATION_OFFICER, OFFICER_ID),
    )
    assert landline.status_code == 422 and "mobile" in landline.json()["detail"]
    session.expire_all()
    person = session.get(Person, plan.person_id)
    assert person is not None
    assert person.mobile_number is None and person.mobile_consent_at is None
    assert person.version == version

    page = officer.get(f"/staff/plans/{plan.id}/sign-in-link/text")
    assert "no mobile number for" in _text(page.text)
    officer.get(f"/staff/plans/{plan.id}/48-hour-plan")
    sent = officer.post(f"/staff/plans/{plan.id}/sign-in-link/text", {})
    assert sent.status_code == 409
    assert "Record the person's own mobile number, with their agreement" in _text(sent.text)
    api_send = client.post(
        f"/api/v1/plans/{plan.id}/leaver-links/text-message",
        headers=bearer(Role.PROBATION_OFFICER, OFFICER_ID),
    )
    assert api_send.status_code == 409
    assert notify.sent == []
    assert session.exec(select(LeaverLink)).first() is None


def test_only_the_plans_officer_can_record_the_number_or_text_the_link(
    signed_in: SignedIn,
    new_plan: Callable[..., ReleasePlan],
    session: Session,
    client: TestClient,
    notify: RecordingNotify,
) -> None:
    plan = _published(session, new_plan())
    assert plan.id is not None
    person = session.get(Person, plan.person_id)
    assert person is not None
    other = signed_in("other_officer")
    for path in ("/mobile-number", "/sign-in-link/text"):
        assert other.get(f"/staff/plans/{plan.id}{path}").status_code == 404, path
    other.get("/staff/caseload")
    for path in ("/mobile-number", "/mobile-number/remove", "/sign-in-link/text"):
        form = {"mobile_number": MOBILE, "mobile_consent": "yes", "expected_version": "1"}
        assert other.post(f"/staff/plans/{plan.id}{path}", form).status_code == 404, path
    as_other = bearer(Role.PROBATION_OFFICER, OTHER_OFFICER_ID)
    put = client.put(
        f"/api/v1/plans/{plan.id}/person-mobile",
        json={"mobile_number": MOBILE, "consent": True, "expected_version": person.version},
        headers=as_other,
    )
    assert put.status_code == 404
    send = client.post(f"/api/v1/plans/{plan.id}/leaver-links/text-message", headers=as_other)
    assert send.status_code == 404
    # The domain refuses too, whatever skin calls it.
    with pytest.raises(NotFound):
        record_mobile(
            session=session,
            actor=Actor(user_id=OTHER_OFFICER_ID, role=Role.PROBATION_OFFICER),
            plan_id=plan.id,
            expected_version=person.version,
            number=MOBILE,
            consent=True,
        )
    denied = session.exec(
        select(AuditEvent).where(
            AuditEvent.actor == OTHER_OFFICER_ID,
            AuditEvent.action == "denied",
            AuditEvent.object_id == str(plan.id),
        )
    ).all()
    assert len(denied) >= 8
    session.expire_all()
    assert session.get(Person, plan.person_id).mobile_number is None  # type: ignore[union-attr]
    assert notify.sent == [] and session.exec(select(LeaverLink)).first() is None


def test_withdrawing_consent_removes_the_number_everywhere(
    signed_in: SignedIn,
    new_plan: Callable[..., ReleasePlan],
    session: Session,
    engine: Engine,
    notify: RecordingNotify,
) -> None:
    plan = _published(session, new_plan())
    assert plan.id is not None
    officer = signed_in("officer")
    _record_on_the_page(officer, plan.id, MOBILE, consent=True)
    officer.get(f"/staff/plans/{plan.id}/sign-in-link/text")
    officer.post(f"/staff/plans/{plan.id}/sign-in-link/text", {})
    assert _tables_holding(engine, "7700900123") == {"person", "leaver_link"}

    officer.get(f"/staff/plans/{plan.id}/mobile-number")
    check = officer.post(
        f"/staff/plans/{plan.id}/mobile-number/remove",
        {"expected_version": _version(officer.last)},
    )
    assert "Yes, remove the number" in check.text
    done = officer.post(
        f"/staff/plans/{plan.id}/mobile-number/remove",
        {"expected_version": _version(officer.last), "confirmed": "yes"},
    )
    assert done.headers["location"].endswith("?done=mobile-removed")
    session.expire_all()
    person = session.get(Person, plan.person_id)
    assert person is not None
    assert (person.mobile_number, person.mobile_consent_at, person.mobile_consent_by) == (
        None,
        None,
        None,
    )
    assert _tables_holding(engine, "7700900123") == set()
    assert _tables_holding(engine, "7700 900123") == set()
    tab = _text(officer.get(f"/staff/plans/{plan.id}/48-hour-plan").text)
    assert "sent by text message (the number has since been removed)" in tab
    assert "No mobile number is recorded for them" in tab
    # With the number gone, nothing more can be texted.
    officer.get(f"/staff/plans/{plan.id}/sign-in-link/text")
    assert officer.post(f"/staff/plans/{plan.id}/sign-in-link/text", {}).status_code == 409
    assert len(notify.sent) == 1
    kinds = [
        e.kind
        for e in session.exec(
            select(PersonEvent)
            .where(PersonEvent.person_id == person.id)
            .order_by(col(PersonEvent.id))
        )
    ]
    assert kinds == ["mobile_number_recorded", "mobile_consent_withdrawn"]


def test_without_notify_the_page_says_texts_cannot_be_sent_and_offers_the_printed_link(
    signed_in: SignedIn,
    new_plan: Callable[..., ReleasePlan],
    session: Session,
    client: TestClient,
) -> None:
    plan = _published(session, new_plan())
    assert plan.id is not None
    officer = signed_in("officer")
    _record_on_the_page(officer, plan.id, MOBILE, consent=True)
    tab = _text(officer.get(f"/staff/plans/{plan.id}/48-hour-plan").text)
    assert "Text messages cannot be sent from here" in tab
    page = officer.get(f"/staff/plans/{plan.id}/sign-in-link/text")
    assert "Text messages cannot be sent from here: GOV.UK Notify is not set up" in _text(page.text)
    assert f'action="/staff/plans/{plan.id}/sign-in-link"' in page.text
    refused = officer.post(f"/staff/plans/{plan.id}/sign-in-link/text", {})
    assert refused.status_code == 409
    api = client.post(
        f"/api/v1/plans/{plan.id}/leaver-links/text-message",
        headers=bearer(Role.PROBATION_OFFICER, OFFICER_ID),
    )
    assert api.status_code == 409 and "GOV.UK Notify is not set up" in api.json()["detail"]
    assert session.exec(select(LeaverLink)).first() is None
    # The printable link still works, and the plan page says it was printed.
    officer.get(f"/staff/plans/{plan.id}/sign-in-link/text")
    printed = officer.post(f"/staff/plans/{plan.id}/sign-in-link", {})
    assert printed.status_code == 200 and 'id="sign-in-link"' in printed.text
    tab = _text(officer.get(f"/staff/plans/{plan.id}/48-hour-plan").text)
    assert "The newest link was printed for them" in tab


def test_when_notify_refuses_the_text_nothing_changes_and_the_old_link_still_works(
    signed_in: SignedIn,
    new_plan: Callable[..., ReleasePlan],
    session: Session,
    notify: RecordingNotify,
) -> None:
    plan = _published(session, new_plan())
    assert plan.id is not None
    officer = signed_in("officer")
    _record_on_the_page(officer, plan.id, MOBILE, consent=True)
    session.expire_all()
    old, path = leaver_access.issue_link(session=session, actor=OFFICER, plan_id=plan.id)
    notify.fail = True
    officer.get(f"/staff/plans/{plan.id}/sign-in-link/text")
    failed = officer.post(f"/staff/plans/{plan.id}/sign-in-link/text", {})
    assert failed.status_code == 503
    assert "did not send the text message, so nothing has changed" in _text(failed.text)
    session.expire_all()
    assert leaver_access.find_link(session, path.removeprefix("/plan-link/")).id == old.id
    assert [link.id for link in session.exec(select(LeaverLink))] == [old.id]
    assert session.exec(select(Notification)).first() is None


def test_the_api_records_the_number_in_e164_and_never_answers_the_link(
    new_plan: Callable[..., ReleasePlan],
    session: Session,
    client: TestClient,
    notify: RecordingNotify,
) -> None:
    plan = _published(session, new_plan())
    assert plan.id is not None
    person = session.get(Person, plan.person_id)
    assert person is not None
    headers = bearer(Role.PROBATION_OFFICER, OFFICER_ID)
    put = client.put(
        f"/api/v1/plans/{plan.id}/person-mobile",
        json={
            "mobile_number": "07700-900-789",
            "consent": True,
            "expected_version": person.version,
        },
        headers=headers,
    )
    assert put.status_code == 200, put.text
    assert put.json()["mobile_number"] == "+447700900789"
    assert put.json()["consent_by"] == OFFICER_ID
    sent = client.post(f"/api/v1/plans/{plan.id}/leaver-links/text-message", headers=headers)
    assert sent.status_code == 201, sent.text
    assert sent.json()["sent_to"] == "07700 900789" and "plan-link" not in sent.text
    assert [m["phone_number"] for m in notify.sent] == ["+447700900789"]
    removed = client.delete(
        f"/api/v1/plans/{plan.id}/person-mobile",
        params={"expected_version": put.json()["person_version"]},
        headers=headers,
    )
    assert removed.status_code == 200 and removed.json()["mobile_number"] is None
