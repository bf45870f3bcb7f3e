"""Typed dates: four-digit years only, and appointments between today and two years ahead."""

from __future__ import annotations

from datetime import date

import pytest

from rules.entered_dates import (
    DateNotValid,
    appointment_day_problem,
    plausible_birth,
    report_day_problem,
    typed_date,
)

TODAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("3", "3", "2027"), date(2027, 3, 3)),
        ((" 03", "03 ", " 2027 "), date(2027, 3, 3)),
        (("29", "2", "2028"), date(2028, 2, 29)),
    ],
)
def test_a_day_month_and_four_digit_year_is_read(
    parts: tuple[str, str, str], expected: date
) -> None:
    assert typed_date(*parts, today=TODAY) == expected


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        # The officer meant 2027; the year 27 was saved and published.
        (("3", "3", "27"), "four digits"),
        (("3", "3", "027"), "four digits"),
        (("3", "3", "9999999999"), "four digits"),
        (("3", "3", "2O27"), "four digits"),
        (("3", "3", "٢٠٢٧"), "four digits"),
        (("3", "3", "2027\x00"), "four digits"),
        (("30", "2", "2027"), "real date"),
        (("3", "13", "2027"), "real date"),
        (("99999999999", "3", "2027"), "real date"),
        (("", "3", "2027"), "day, month and year"),
    ],
)
def test_a_date_that_is_not_plain_is_refused_with_what_to_fix(
    parts: tuple[str, str, str], message: str
) -> None:
    with pytest.raises(DateNotValid, match=message):
        typed_date(*parts, today=TODAY)


@pytest.mark.parametrize(
    ("day", "allowed"),
    [
        (TODAY, True),
        (date(2028, 12, 31), True),  # the end of the year two years ahead
        (date(2029, 1, 1), False),
        (date(2026, 11, 29), False),  # yesterday
        (date(2020, 1, 1), False),  # `1 1 2020`, in the past
        (date(27, 3, 3), False),
        (date(9999, 12, 31), False),
    ],
)
def test_appointments_are_between_today_and_two_years_ahead(day: date, allowed: bool) -> None:
    assert (appointment_day_problem(day, TODAY) is None) == allowed


@pytest.mark.parametrize(
    ("day", "allowed"),
    [
        (date(1990, 1, 1), True),
        (date(2027, 12, 31), True),
        (date(1989, 12, 31), False),
        (date(1, 1, 1), False),
        (date(2028, 1, 1), False),
    ],
)
def test_report_dates_are_between_the_calendars_start_and_next_year(
    day: date, allowed: bool
) -> None:
    assert (report_day_problem(day, TODAY) is None) == allowed


@pytest.mark.parametrize(
    ("born", "today", "plausible"),
    [
        (date(2016, 12, 1), date(2026, 12, 1), True),  # ten today
        (date(2016, 12, 2), date(2026, 12, 1), False),  # ten tomorrow
        (date(2026, 11, 30), date(2026, 12, 1), False),  # the year typed for the birth year
        (date(1900, 1, 1), date(2026, 12, 1), True),
        (date(1899, 12, 31), date(2026, 12, 1), False),
        # why: ten years after a leap day there is no 29 February: the 28th is the last day
        (date(2018, 2, 28), date(2028, 2, 29), True),
        (date(2018, 3, 1), date(2028, 2, 29), False),
    ],
)
def test_a_date_of_birth_is_at_least_ten_years_ago(
    born: date, today: date, plausible: bool
) -> None:
    assert plausible_birth(born, today) is plausible
