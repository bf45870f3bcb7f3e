"""The route diagram's stops in the order the person needs to be at each place, night one
placed by the time they can arrive. Pure: no database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from resettlement.leaver_plan import APPOINTMENT_TITLES, AppointmentLine
from resettlement.local_map import arrival_time, stops

# Wednesday 16 December 2026 (GMT: London time is UTC) and Thursday 17 December.
WALK_OUT = date(2026, 12, 16)
HOSTEL = "12 Station Road, Leeds LS1 4AB"


def _appointment(kind: str, when: datetime, place: str, number: int = 1) -> AppointmentLine:
    return AppointmentLine(
        id=number,
        kind=kind,
        title=APPOINTMENT_TITLES[kind],
        starts_at=when,
        location=place,
        with_whom="Someone",
        what_to_bring=None,
        sequence=0,
    )


PROBATION_10AM = _appointment(
    "probation", datetime(2026, 12, 16, 10, 0, tzinfo=UTC), "Probation office", 1
)
JOBCENTRE_4PM = _appointment(
    "jobcentre", datetime(2026, 12, 16, 16, 0, tzinfo=UTC), "Jobcentre Plus", 2
)
GP_NEXT_DAY_9AM = _appointment("gp", datetime(2026, 12, 17, 9, 0, tzinfo=UTC), "The Surgery", 3)
HOUSING_2PM = _appointment("housing", datetime(2026, 12, 16, 14, 0, tzinfo=UTC), "Housing desk", 4)


@pytest.mark.parametrize(
    ("text", "expected", "why"),
    [
        ("You can arrive from 2pm", time(14, 0), "the issue's own words"),
        ("From 3pm", time(15, 0), "the demo data's words"),
        ("after 2:30 p.m.", time(14, 30), "minutes and a dotted pm"),
        ("From 10am until 10pm", time(10, 0), "the first time is when the stay opens"),
        ("14:30 onwards", time(14, 30), "a 24-hour time"),
        ("From 3:00pm", time(15, 0), "3:00 is not 3 in the morning when pm follows"),
        ("12pm", time(12, 0), "12pm is midday"),
        ("12am", time(0, 0), "12am is midnight"),
        ("from midday", time(12, 0), "a word for the time"),
        ("o 2yh ymlaen", time(14, 0), "Welsh, typed by a Welsh-speaking officer"),
        ("Any time", None, "no time written"),
        ("Room 3pmx", None, "letters after pm are not a time"),
        (None, None, "nothing recorded"),
    ],
)
def test_the_arrival_time_is_read_from_the_officers_words(text, expected, why):
    assert arrival_time(text) == expected, why


def _route(
    appointments, *, arrive_from="You can arrive from 2pm", night_one=WALK_OUT, address=HOSTEL
):
    return [
        s.kind for s in stops(address, appointments, night_one=night_one, arrive_from=arrive_from)
    ]


@pytest.mark.parametrize(
    ("appointments", "arrive_from", "expected", "why"),
    [
        (
            [PROBATION_10AM],
            "You can arrive from 2pm",
            ["gate", "probation", "tonight"],
            "the issue: a 10am probation appointment comes before a stay that opens at 2pm",
        ),
        (
            [PROBATION_10AM, JOBCENTRE_4PM, GP_NEXT_DAY_9AM],
            "You can arrive from 2pm",
            ["gate", "probation", "tonight", "jobcentre", "gp"],
            "the stay sits between the day's appointments by its time",
        ),
        (
            [GP_NEXT_DAY_9AM, PROBATION_10AM],
            "From 9am",
            ["gate", "tonight", "probation", "gp"],
            "a stay open from 9am comes before a 10am appointment",
        ),
        (
            [HOUSING_2PM],
            "You can arrive from 2pm",
            ["gate", "housing", "tonight"],
            "an appointment at the very time the stay opens comes first: its time is fixed",
        ),
        (
            [PROBATION_10AM, JOBCENTRE_4PM, GP_NEXT_DAY_9AM],
            "Ask at reception",
            ["gate", "probation", "jobcentre", "tonight", "gp"],
            "no time: the stay comes after walk-out day's appointments, before the next day's",
        ),
        (
            [JOBCENTRE_4PM, PROBATION_10AM],
            None,
            ["gate", "probation", "jobcentre", "tonight"],
            "appointments are in time order whatever order they were given in",
        ),
    ],
)
def test_stops_are_in_the_order_the_person_needs_to_be_there(
    appointments, arrive_from, expected, why
):
    assert _route(appointments, arrive_from=arrive_from) == expected, why


def test_the_stay_carries_its_arrival_time_and_is_drawn_once():
    at_the_hostel = _appointment("housing", datetime(2026, 12, 17, 11, 0, tzinfo=UTC), HOSTEL, 9)
    route = stops(HOSTEL, [PROBATION_10AM, at_the_hostel], night_one=WALK_OUT, arrive_from="2pm")
    assert [s.kind for s in route] == ["gate", "probation", "tonight"]
    assert route[2].when == datetime(2026, 12, 16, 14, 0, tzinfo=UTC)


def test_without_a_walk_out_date_the_stay_stays_first():
    assert _route([PROBATION_10AM], night_one=None) == ["gate", "tonight", "probation"]


def test_a_summer_arrival_time_is_london_time():
    # Friday 18 June 2027 is in BST: 2pm in London is 13:00 UTC, after a 12:30 UTC appointment.
    eleven_thirty_utc = _appointment(
        "probation", datetime(2027, 6, 18, 12, 30, tzinfo=UTC), "Probation office"
    )
    route = stops(HOSTEL, [eleven_thirty_utc], night_one=date(2027, 6, 18), arrive_from="2pm")
    assert [s.kind for s in route] == ["gate", "probation", "tonight"]
    assert route[2].when == datetime(2027, 6, 18, 13, 0, tzinfo=UTC)
