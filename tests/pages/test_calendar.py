"""The plan's calendar, read back with vobject (an iCalendar parser that shares no code with
the icalendar package that writes it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import vobject

from api.auth import mint_token
from resettlement import forty_eight_hours
from resettlement.actors import Role
from resettlement.forty_eight_hours import AppointmentChange
from tests.pages.conftest import (
    ACCEPTED,
    DECEMBER_GP,
    DECEMBER_PROBATION,
    JUNE_MENTAL_HEALTH,
    OFFICER,
    sign_in,
)


def _events(body: bytes) -> dict[str, vobject.base.Component]:
    calendar = vobject.readOne(body.decode())
    return {event.uid.value: event for event in calendar.vevent_list}


def _calendar(client) -> bytes:
    response = client.get("/my-plan.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert "attachment" in response.headers["content-disposition"]
    return response.content


def test_each_appointment_is_an_event_at_the_right_time_in_gmt_and_in_bst(client, published):
    p = published()
    sign_in(client, p)
    body = _calendar(client)
    events = _events(body)
    probation = events[f"appointment-{p.appointment_ids['probation']}@resettlement"]
    june = events[f"appointment-{p.appointment_ids['mental_health']}@resettlement"]
    # December: London is on GMT, 10am local is 10:00 UTC.
    assert probation.dtstart.value.astimezone(UTC) == DECEMBER_PROBATION
    assert probation.dtstart.value.hour == 10
    assert probation.dtstart.value.utcoffset() == timedelta(0)
    # June: London is on BST, 11am local is 10:00 UTC.
    assert june.dtstart.value.astimezone(UTC) == JUNE_MENTAL_HEALTH
    assert june.dtstart.value.hour == 11
    assert june.dtstart.value.utcoffset() == timedelta(hours=1)
    assert probation.dtend.value - probation.dtstart.value == timedelta(hours=1)
    assert probation.summary.value == "Probation appointment"
    assert probation.location.value
    assert "With: " in probation.description.value
    assert "Bring: Your licence and ID" in probation.description.value
    alarm = probation.valarm
    assert alarm.action.value == "DISPLAY"
    assert alarm.trigger.value == -timedelta(hours=2)
    assert b"BEGIN:VTIMEZONE\r\nTZID:Europe/London" in body
    assert b"DTSTART;TZID=Europe/London:20261218T100000" in body


def test_rendering_the_same_version_twice_gives_the_same_file(client, published):
    p = published()
    sign_in(client, p)
    assert _calendar(client) == _calendar(client)
    stamps = {e.dtstamp.value for e in _events(_calendar(client)).values()}
    assert len(stamps) == 1


def test_a_moved_appointment_keeps_its_uid_and_raises_its_sequence(client, session, published):
    p = published()
    sign_in(client, p)
    before = _events(_calendar(client))
    session.refresh(p.plan)
    forty_eight_hours.change_appointment(
        session=session,
        actor=OFFICER,
        plan_id=p.plan.id,
        appointment_id=p.appointment_ids["gp"],
        expected_version=p.plan.version,
        data=AppointmentChange(starts_at=DECEMBER_GP + timedelta(hours=1)),
    )
    session.refresh(p.plan)
    forty_eight_hours.publish(
        session=session,
        actor=OFFICER,
        plan_id=p.plan.id,
        expected_version=p.plan.version,
        accept_warnings_reason=ACCEPTED,
    )
    after = _events(_calendar(client))
    assert set(after) == set(before)
    uid = f"appointment-{p.appointment_ids['gp']}@resettlement"
    assert int(after[uid].sequence.value) == int(before[uid].sequence.value) + 1
    assert after[uid].dtstart.value.astimezone(UTC) == DECEMBER_GP + timedelta(hours=1)
    unchanged = f"appointment-{p.appointment_ids['probation']}@resettlement"
    assert after[unchanged].sequence.value == before[unchanged].sequence.value


def test_the_calendar_is_in_welsh_for_a_welsh_speaker(client, published):
    p = published(language="cy")
    sign_in(client, p)
    events = _events(_calendar(client))
    probation = events[f"appointment-{p.appointment_ids['probation']}@resettlement"]
    assert probation.summary.value == "Apwyntiad prawf"
    assert probation.description.value.startswith("Gyda: ")


def test_the_calendar_needs_a_signed_in_person(client):
    response = client.get("/my-plan.ics")
    assert response.status_code == 401
    assert "BEGIN:VCALENDAR" not in response.text


def test_the_api_twin_serves_the_same_calendar_for_a_leaver_token(client, published):
    p = published()
    token = mint_token(role=Role.PRISON_LEAVER, user="leaver-1", plan=p.plan.id)
    response = client.get("/api/v1/me/plan.ics", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    sign_in(client, p)
    assert response.content == _calendar(client)


def test_the_api_twin_refuses_staff_and_anonymous_callers(client, published):
    published()
    assert client.get("/api/v1/me/plan.ics").status_code == 401
    officer = mint_token(role=Role.PROBATION_OFFICER, user="po-test")
    response = client.get("/api/v1/me/plan.ics", headers={"Authorization": f"Bearer {officer}"})
    assert response.status_code == 403


def test_times_are_written_the_govuk_way():
    from api.pages.formatting import time_text, when_text
    from api.pages.i18n import language_scope

    cases = {
        datetime(2026, 12, 18, 10, 0, tzinfo=UTC): "10am",
        datetime(2026, 12, 18, 14, 30, tzinfo=UTC): "2:30pm",
        datetime(2026, 12, 18, 12, 0, tzinfo=UTC): "midday",
        datetime(2026, 12, 18, 0, 0, tzinfo=UTC): "midnight",
        datetime(2027, 6, 18, 11, 0, tzinfo=UTC): "midday",  # 11:00 UTC is noon in BST
    }
    for instant, text in cases.items():
        assert time_text(instant) == text
    assert when_text(DECEMBER_PROBATION) == "Friday 18 December, 10am"
    with language_scope("cy"):
        assert when_text(DECEMBER_PROBATION) == "Dydd Gwener 18 Rhagfyr, 10yb"
        assert time_text(DECEMBER_GP) == "2:30yh"
