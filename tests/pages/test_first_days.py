"""The person's own answers about their first days out: asked on their plan's pages after
release, in their language, theirs to change for a week, never overwritten by the officer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from api.pages.leaver_session import CSRF_FIELD, PLAN_FORM_COOKIE
from resettlement.actors import Actor, Role
from resettlement.errors import ConflictsWithRecord
from resettlement.models import AuditEvent, PlanEvent, ReleasePlan
from resettlement.voice import answers as voice
from resettlement.voice.models import VoiceAnswer, VoiceAnswers
from tests.pages.conftest import sign_in

ANSWERS = {
    "first_night": "family_or_friends",
    "appointments": "some",
    "had_id": "yes",
    "had_money": "no",
    "had_medication": "not_needed",
    "went_wrong": ["no_bed", "no_money"],
    "would_have_helped": ["housing_sorted", "released_earlier_in_the_week"],
}


def _released(session: Session, plan: ReleasePlan) -> None:
    # The release itself is the lifecycle's business (tested there); here it has happened.
    found = session.get(ReleasePlan, plan.id)
    found.state = "released"
    session.add(found)
    session.commit()


def _post(client, data):
    token = client.cookies.get(PLAN_FORM_COOKIE)
    if token is None:
        client.get("/my-plan/first-days")
        token = client.cookies.get(PLAN_FORM_COOKIE)
    return client.post(
        "/my-plan/first-days", data={**data, CSRF_FIELD: token}, follow_redirects=False
    )


def test_nothing_is_asked_before_release(client, published):
    person = published()
    sign_in(client, person)
    assert "/my-plan/first-days" not in client.get("/my-plan").text
    response = client.get("/my-plan/first-days", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/my-plan"


def test_a_welsh_speaker_answers_in_welsh_and_the_answers_are_theirs(
    client, published, session: Session
):
    person = published(language="cy")
    _released(session, person.plan)
    sign_in(client, person)
    assert "/my-plan/first-days" in client.get("/my-plan").text
    page = client.get("/my-plan/first-days")
    assert page.status_code == 200
    assert "Ble wnaethoch chi gysgu ar eich noson gyntaf?" in page.text
    assert 'lang="cy"' in page.text
    # Nothing chosen: every question is named in the error summary, in Welsh.
    empty = _post(client, {})
    assert empty.status_code == 422
    assert "Dewiswch ble wnaethoch chi gysgu ar eich noson gyntaf" in empty.text
    assert session.exec(select(VoiceAnswer)).first() is None
    sent = _post(client, ANSWERS)
    assert sent.status_code == 303 and sent.headers["location"].endswith("?sent=1")
    assert "Diolch. Mae gennym eich atebion." in client.get(sent.headers["location"]).text
    session.expire_all()
    answer = session.exec(select(VoiceAnswer)).one()
    assert (answer.first_night, answer.had_money, answer.recorded_by_role) == (
        "family_or_friends",
        "no",
        "prison_leaver",
    )
    assert answer.went_wrong == ["no_bed", "no_money"]
    events = session.exec(select(PlanEvent).where(PlanEvent.kind == "first_days_answered")).all()
    assert [e.actor_role for e in events] == ["prison_leaver"]
    assert session.exec(
        select(AuditEvent).where(AuditEvent.action == "record_first_days_answers")
    ).first()
    # The officer cannot write over the person's own answers.
    officer = Actor(user_id="po-test", role=Role.PROBATION_OFFICER)
    with pytest.raises(ConflictsWithRecord):
        voice.record_answers(
            session=session,
            actor=officer,
            plan_id=person.plan.id,
            data=VoiceAnswers.model_validate({**ANSWERS, "first_night": "planned_address"}),
        )


def test_answers_can_be_changed_for_a_week_and_not_after(client, published, session: Session):
    person = published()
    _released(session, person.plan)
    sign_in(client, person)
    assert _post(client, ANSWERS).status_code == 303
    changed = _post(client, {**ANSWERS, "first_night": "planned_address"})
    assert changed.status_code == 303
    session.expire_all()
    answer = session.exec(select(VoiceAnswer)).one()
    assert answer.first_night == "planned_address"
    answer.first_answered_at -= timedelta(days=8)
    session.add(answer)
    session.commit()
    assert "can no longer be changed" in client.get("/my-plan/first-days").text
    _post(client, {**ANSWERS, "first_night": "nowhere"})
    session.expire_all()
    assert session.exec(select(VoiceAnswer)).one().first_night == "planned_address"


def test_a_choice_that_is_not_on_the_page_is_refused_and_nothing_is_stored(
    client, published, session: Session
):
    person = published()
    _released(session, person.plan)
    sign_in(client, person)
    response = _post(client, {**ANSWERS, "first_night": "<script>"})
    assert response.status_code == 422
    assert session.exec(select(VoiceAnswer)).first() is None


@pytest.mark.parametrize(
    ("language", "asked"),
    [
        ("en", "The first is: where did you sleep on your first night?"),
        ("cy", "Y cyntaf yw: ble wnaethoch chi gysgu ar eich noson gyntaf?"),
    ],
)
def test_the_48_hour_message_asks_the_first_question_and_carries_nothing_sensitive(language, asked):
    from datetime import date

    from resettlement import messages
    from resettlement.leaver_access import SIGN_IN_LINK

    line = messages.PlanLine(
        plan_id=7,
        officer_id="po-test",
        person_name="Made Up",
        prison_number="A1234BC",
        prison_code="MDI",
        walk_out_date=date(2026, 12, 16),
        language=language,
    )
    message = messages.plan_ready(line, "Made", date(2026, 12, 16))
    assert asked in message.body
    # Straight to the questions, by an address that holds no secret.
    answer_here = "Answer here: " if language == "en" else "Atebwch yma: "
    assert f"{answer_here}http://127.0.0.1:8000/my-plan/first-days\n" in message.body
    # The link is a placeholder until sending; the body names no number, date of birth or
    # address, and no answer.
    assert SIGN_IN_LINK in message.body
    assert "A1234BC" not in message.body and "MDI" not in message.body


def test_a_person_sent_to_the_questions_before_signing_in_is_taken_back_to_them(
    client, published, session: Session
):
    person = published()
    _released(session, person.plan)
    # The link in the release-day message, opened in a browser with no session.
    asked = client.get("/my-plan/first-days", follow_redirects=False)
    assert asked.status_code == 401
    assert "leaver_return" in asked.headers["set-cookie"]
    signed = sign_in(client, person)
    assert signed.status_code == 200
    assert str(signed.url).endswith("/my-plan/first-days")
    assert 'action="/my-plan/first-days"' in signed.text
    # Once only: the next sign-in goes to the plan itself.
    again = sign_in(client, person)
    assert str(again.url).endswith("/my-plan")


@pytest.mark.parametrize(
    "forged",
    ["https://elsewhere.example/", "//elsewhere.example/my-plan/", "/staff/plans", "/my-plan/../x"],
)
def test_a_remembered_page_is_only_ever_one_of_the_plans_own(client, published, forged):
    from api import cookie_signing
    from api.pages import leaver_session

    person = published()
    client.cookies.set(
        leaver_session.RETURN_COOKIE,
        cookie_signing.sign_timed(leaver_session.RETURN_PURPOSE, forged),
        path=leaver_session.CSRF_PATH,
    )
    signed = sign_in(client, person)
    assert signed.status_code == 200
    assert str(signed.url) == str(client.base_url) + "/my-plan"
