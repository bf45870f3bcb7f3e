"""The officer sees what the person said of their first days, and records the answers at the
follow-up for someone without a phone; the person's own answers are never written over."""

from __future__ import annotations

import re

from faker import Faker
from sqlmodel import Session, select

from resettlement.actors import Actor, Role
from resettlement.models import PlanEvent
from resettlement.voice import answers as voice
from resettlement.voice.models import VoiceAnswer, VoiceAnswers
from tests.staff.conftest import released

ANSWERS = {
    "first_night": "nowhere",
    "appointments": "all",
    "had_id": "no",
    "had_money": "yes",
    "had_medication": "yes",
    "went_wrong": ["no_bed"],
    "would_have_helped": ["housing_sorted", "someone_to_meet_me"],
}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_officer_records_the_answers_at_follow_up_and_sees_where_they_differ(
    signed_in, session: Session, fake: Faker
) -> None:
    plan = released(
        session,
        fake,
        followup=dict.fromkeys(
            [
                "night_in_planned_accommodation",
                "gp_registered",
                "id_in_hand",
                "bank_account_in_hand",
                "universal_credit_claim_made",
                "first_appointment_attended",
            ],
            True,
        ),
    )
    officer = signed_in("officer")
    page = _text(officer.get(f"/staff/plans/{plan.id}").text)
    assert "has not answered the questions about their first days yet" in page
    officer.get(f"/staff/plans/{plan.id}/first-days")
    missing = officer.post(
        f"/staff/plans/{plan.id}/first-days",
        {"first_night": "nowhere", "expected_version": str(plan.version)},
    )
    assert missing.status_code == 422
    assert "Select whether you got to your appointments" in missing.text
    assert session.exec(select(VoiceAnswer)).first() is None
    saved = officer.post(
        f"/staff/plans/{plan.id}/first-days", {**ANSWERS, "expected_version": str(plan.version)}
    )
    assert saved.status_code == 303, saved.text
    page = _text(officer.get(saved.headers["location"]).text)
    assert "Recorded by the probation officer at the follow-up" in page
    assert "I had nowhere to sleep" in page and "Someone to meet me at the gate" in page
    # The officer recorded a bed for the night and ID; the person says neither.
    assert "differs from the follow-up on: first night, had id" in page
    events = session.exec(select(PlanEvent).where(PlanEvent.plan_id == plan.id)).all()
    assert [e.actor_role for e in events if e.kind == "first_days_answered"] == [
        "probation_officer"
    ]


def test_the_persons_own_answers_are_shown_and_cannot_be_written_over(
    signed_in, session: Session, fake: Faker
) -> None:
    plan = released(session, fake, followup={"night_in_planned_accommodation": False})
    person = Actor(user_id="leaver-link:1", role=Role.PRISON_LEAVER, plan_id=plan.id)
    voice.record_answers(
        session=session, actor=person, plan_id=plan.id, data=VoiceAnswers(**ANSWERS)
    )
    officer = signed_in("officer")
    page = _text(officer.get(f"/staff/plans/{plan.id}").text)
    assert "Answered by" in page and "themselves" in page
    assert "They can change their answers for a week" in page
    form = officer.get(f"/staff/plans/{plan.id}/first-days")
    assert "Their answers stand" in form.text and "<form" not in form.text.split("<main")[1]
    refused = officer.post(
        f"/staff/plans/{plan.id}/first-days",
        {**ANSWERS, "first_night": "planned_address", "expected_version": str(plan.version)},
    )
    assert refused.status_code == 409
    session.expire_all()
    assert session.exec(select(VoiceAnswer)).one().first_night == "nowhere"
