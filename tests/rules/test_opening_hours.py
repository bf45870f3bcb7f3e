"""Who is open in the first 48 hours (OH-FIRST-48-HOURS), over real dates and real calendars."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.nations import Nation
from rules.opening_hours import (
    LONDON,
    Availability,
    HolidayOpening,
    WeeklyOpening,
    first_48_hours,
    walk_out_moment,
)

ENGLAND = Nation.ENGLAND_AND_WALES
SCOTLAND = Nation.SCOTLAND
CHRISTMAS = (HolidayOpening(date(2026, 12, 25), date(2026, 12, 26), closed=True),)
WEEKDAYS = tuple(WeeklyOpening(d, time(9), time(17)) for d in range(1, 6))
SATURDAY = (WeeklyOpening(6, time(10), time(14)),)
LINE_24 = tuple(WeeklyOpening(d, time(0), time(0)) for d in range(1, 8))
# 23:59 is how many directories write "until midnight".
LINE_24_BY_2359 = tuple(WeeklyOpening(d, time(0), time(23, 59)) for d in range(1, 8))
NIGHT_SHELTER = tuple(WeeklyOpening(d, time(20), time(8)) for d in range(1, 8))
EARLY_CLOSE_ON_CHRISTMAS_EVE = (
    HolidayOpening(date(2026, 12, 24), date(2026, 12, 24), False, time(9), time(12)),
    *CHRISTMAS,
)

FRIDAY = walk_out_moment(date(2026, 12, 18))
CHRISTMAS_EVE = walk_out_moment(date(2026, 12, 24))
NEW_YEARS_EVE = walk_out_moment(date(2026, 12, 31))


@pytest.mark.parametrize(
    ("weekly", "holidays", "walk_out", "nation", "ooh", "availability", "english", "welsh"),
    [
        pytest.param(
            WEEKDAYS,
            CHRISTMAS,
            FRIDAY,
            ENGLAND,
            None,
            Availability.OPEN,
            "Open on Friday 9am to 5pm, then closed until Monday",
            "Ar agor ddydd Gwener 9yb i 5yh, yna ar gau tan ddydd Llun",
            id="friday-18-dec-weekday-service-closes-for-the-weekend",
        ),
        pytest.param(
            SATURDAY,
            CHRISTMAS,
            FRIDAY,
            ENGLAND,
            None,
            Availability.OPEN,
            "Open on Saturday 10am to 2pm",
            "Ar agor ddydd Sadwrn 10yb i 2yh",
            id="friday-18-dec-saturday-service-is-the-one-open-on-the-weekend",
        ),
        pytest.param(
            LINE_24,
            (),
            FRIDAY,
            ENGLAND,
            None,
            Availability.OPEN_THROUGHOUT,
            "Open 24 hours",
            "Ar agor 24 awr",
            id="friday-18-dec-24-hour-line",
        ),
        pytest.param(
            LINE_24_BY_2359,
            CHRISTMAS[:0],
            CHRISTMAS_EVE,
            ENGLAND,
            None,
            Availability.OPEN_THROUGHOUT,
            "Open 24 hours",
            "Ar agor 24 awr",
            id="a-line-closing-at-23-59-is-open-through-christmas-day",
        ),
        pytest.param(
            WEEKDAYS,
            CHRISTMAS,
            CHRISTMAS_EVE,
            ENGLAND,
            None,
            Availability.OPEN,
            # Christmas and Boxing Day from the holiday schedule; Monday 28th is the
            # substitute bank holiday, from the nation's calendar.
            "Open on Thursday 9am to 5pm, then closed until Tuesday",
            "Ar agor ddydd Iau 9yb i 5yh, yna ar gau tan ddydd Mawrth",
            id="christmas-eve-weekday-service-closed-christmas-boxing-day-and-the-28th",
        ),
        pytest.param(
            WEEKDAYS,
            EARLY_CLOSE_ON_CHRISTMAS_EVE,
            CHRISTMAS_EVE,
            ENGLAND,
            None,
            Availability.OPEN,
            "Open on Thursday 9am to midday, then closed until Tuesday",
            "Ar agor ddydd Iau 9yb i ganol dydd, yna ar gau tan ddydd Mawrth",
            id="christmas-eve-holiday-hours-replace-the-weekday",
        ),
        pytest.param(
            WEEKDAYS,
            EARLY_CLOSE_ON_CHRISTMAS_EVE,
            datetime(2026, 12, 24, 14, tzinfo=LONDON),
            ENGLAND,
            "0800 123 4567",
            Availability.CLOSED,
            "Closed until Tuesday: call the out-of-hours line",
            "Ar gau tan ddydd Mawrth: ffoniwch y llinell y tu allan i oriau",
            id="walking-out-after-the-early-close-finds-it-shut-until-tuesday",
        ),
        pytest.param(
            SATURDAY,
            CHRISTMAS,
            CHRISTMAS_EVE,
            ENGLAND,
            None,
            Availability.CLOSED,
            # Boxing Day is a Saturday: closed by the holiday schedule, so a week later.
            "Closed until Saturday 2 January",
            "Ar gau tan ddydd Sadwrn 2 Ionawr",
            id="saturday-service-closed-on-boxing-day-opens-a-week-later",
        ),
        pytest.param(
            WEEKDAYS,
            (),
            NEW_YEARS_EVE,
            ENGLAND,
            None,
            Availability.OPEN,
            "Open on Thursday 9am to 5pm, then closed until Monday",
            "Ar agor ddydd Iau 9yb i 5yh, yna ar gau tan ddydd Llun",
            id="new-years-eve-in-england-closed-new-years-day-back-monday",
        ),
        pytest.param(
            WEEKDAYS,
            (),
            NEW_YEARS_EVE,
            SCOTLAND,
            None,
            Availability.OPEN,
            # Scotland's 2nd January falls on a Saturday: Monday 4th is its substitute.
            "Open on Thursday 9am to 5pm, then closed until Tuesday",
            "Ar agor ddydd Iau 9yb i 5yh, yna ar gau tan ddydd Mawrth",
            id="new-years-eve-in-scotland-closed-until-tuesday",
        ),
        pytest.param(
            NIGHT_SHELTER,
            (),
            FRIDAY,
            ENGLAND,
            None,
            Availability.OPEN,
            # Thursday night's stay ends at 8am, before they walk out at 9.
            "Open from Friday 8pm to Saturday 8am and from Saturday 8pm to Sunday 8am",
            "Ar agor o ddydd Gwener 8yh i ddydd Sadwrn 8yb a o ddydd Sadwrn 8yh i ddydd Sul 8yb",
            id="a-night-shelter-runs-past-midnight",
        ),
    ],
)
def test_who_is_open_in_the_first_48_hours(
    weekly, holidays, walk_out, nation, ooh, availability, english, welsh
):
    hours = first_48_hours(
        weekly=weekly, holidays=holidays, walk_out=walk_out, nation=nation, out_of_hours_phone=ooh
    )
    assert hours.availability is availability
    assert hours.words() == english
    assert hours.words("cy") == welsh


def test_a_weekday_service_is_open_as_a_friday_release_walks_out():
    hours = first_48_hours(weekly=WEEKDAYS, holidays=(), walk_out=FRIDAY, nation=ENGLAND)
    assert hours.open_at_walk_out
    assert hours.next_opening == datetime(2026, 12, 21, 9, tzinfo=LONDON)


def test_a_bank_holiday_without_a_holiday_schedule_closes_an_office_but_not_a_daily_service():
    boxing_day_observed = walk_out_moment(date(2026, 12, 28), time(8))
    office = first_48_hours(
        weekly=WEEKDAYS, holidays=(), walk_out=boxing_day_observed, nation=ENGLAND
    )
    assert office.words() == "Open on Tuesday 9am to 5pm"
    daily = tuple(WeeklyOpening(d, time(9), time(17)) for d in range(1, 8))
    every_day = first_48_hours(
        weekly=daily, holidays=(), walk_out=boxing_day_observed, nation=ENGLAND
    )
    assert every_day.words() == "Open on Monday 9am to 5pm and on Tuesday 9am to 5pm"


def test_the_48_hours_are_real_hours_across_the_clocks_going_back():
    saturday = walk_out_moment(date(2026, 10, 24))
    hours = first_48_hours(weekly=LINE_24, holidays=(), walk_out=saturday, nation=ENGLAND)
    # 25 October 2026 has 25 hours: 48 hours from 9am BST on Saturday is 8am GMT on Monday.
    assert hours.window_ends == datetime(2026, 10, 26, 8, tzinfo=LONDON)
    assert hours.availability is Availability.OPEN_THROUGHOUT


def test_schedules_outside_their_valid_dates_do_not_count():
    summer_only = (WeeklyOpening(6, time(10), time(14), valid_to=date(2026, 9, 30)),)
    hours = first_48_hours(weekly=summer_only, holidays=(), walk_out=FRIDAY, nation=ENGLAND)
    assert hours.availability is Availability.CLOSED
    assert hours.words() == "Closed for the first 48 hours"


def test_a_naive_walk_out_is_refused():
    with pytest.raises(ValueError, match="aware"):
        first_48_hours(weekly=(), holidays=(), walk_out=datetime(2026, 12, 18, 9), nation=ENGLAND)


@given(
    day=st.dates(date(2026, 1, 1), date(2030, 12, 31)),
    opens=st.integers(0, 22),
    length=st.integers(1, 12),
    days=st.sets(st.integers(1, 7), min_size=1),
)
def test_every_opening_named_overlaps_the_48_hours_and_matches_the_schedule(
    day, opens, length, days
):
    closes = time((opens + length) % 24)
    weekly = tuple(WeeklyOpening(d, time(opens), closes) for d in days)
    hours = first_48_hours(
        weekly=weekly, holidays=(), walk_out=walk_out_moment(day), nation=ENGLAND
    )
    for opening in hours.openings:
        assert opening.starts < hours.window_ends and opening.ends > hours.window_starts
        assert opening.starts.astimezone(LONDON).isoweekday() in days or opening.starts == (
            hours.openings[0].starts
        )
    if hours.availability is Availability.CLOSED:
        assert hours.openings == ()
    # Real hours: aware datetimes in one zone subtract as wall-clock times, so compare in UTC.
    assert hours.window_ends.astimezone(UTC) - hours.window_starts.astimezone(UTC) == timedelta(
        hours=48
    )
