"""Dates people type in: a day, month and year read into a date, and how far from today each
kind of date may be. Pure: today is always passed in.

A two-digit year is refused, never guessed: `3 3 27` meant 2027 to the officer who typed it, but
was saved as the year 27 and published. Years are bounded so that every date the service keeps
can be moved between time zones, stored and put in a calendar without overflowing.
"""

from __future__ import annotations

import re
from datetime import date

from rules.calendars import FIRST_YEAR

_YEAR = re.compile(r"[0-9]{4}")
_DAY_OR_MONTH = re.compile(r"[0-9]{1,2}")

# Appointments are for the first days after release and are booked in the months before it.
# A plan opens years ahead of a long sentence's release, but nobody books a probation or
# Jobcentre appointment that far out; two calendar years ahead leaves room for any booking.
APPOINTMENT_YEARS_AHEAD = 2
# Reports count releases the service holds: none before its calendars begin (1990), and a
# period may end at most a year ahead (planned releases), never centuries away.
REPORT_FIRST_YEAR = FIRST_YEAR
REPORT_YEARS_AHEAD = 1

# Dates of birth: nobody in custody is younger than the UK's lowest age of criminal
# responsibility (10 in England, Wales and Northern Ireland; 12 in Scotland), so a later date
# is a slip of the keyboard (this year typed for the birth year), never a person. No one in the
# service was born, or sentenced, before 1900.
FIRST_BIRTH_YEAR = 1900
YOUNGEST_AGE = 10
BIRTH_NOT_PLAUSIBLE = (
    f"date of birth must be a real date, {FIRST_BIRTH_YEAR} or later, and at least "
    f"{YOUNGEST_AGE} years ago"
)


def birth_bounds(today: date) -> tuple[date, date]:
    """The first and last date of birth a person the service plans for can have."""
    try:
        youngest = today.replace(year=today.year - YOUNGEST_AGE)
    except ValueError:  # 29 February, ten years after a leap year
        youngest = today.replace(year=today.year - YOUNGEST_AGE, day=28)
    return date(FIRST_BIRTH_YEAR, 1, 1), youngest


def plausible_birth(born: date, today: date) -> bool:
    first, last = birth_bounds(today)
    return first <= born <= last


YEAR_NOT_FOUR_DIGITS = "Enter the year with four digits, for example {example}."
NOT_A_REAL_DATE = "Enter a real date, for example {example}."
INCOMPLETE = "Enter a day, month and year."


class DateNotValid(ValueError):
    """Typed parts that are not a date; the message says what to fix in plain words."""


def typed_date(day: str, month: str, year: str, *, today: date) -> date:
    """A GOV.UK date input's three parts as a date; raises DateNotValid with what to fix."""
    day, month, year = day.strip(), month.strip(), year.strip()
    example = f"{today.day} {today.month} {today.year + 1}"
    if not (day and month and year):
        raise DateNotValid(INCOMPLETE)
    if not _YEAR.fullmatch(year):
        raise DateNotValid(YEAR_NOT_FOUR_DIGITS.format(example=today.year + 1))
    if not (_DAY_OR_MONTH.fullmatch(day) and _DAY_OR_MONTH.fullmatch(month)):
        raise DateNotValid(NOT_A_REAL_DATE.format(example=example))
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise DateNotValid(NOT_A_REAL_DATE.format(example=example)) from None


# Dates in files from other systems (the prison's extract): ISO 8601, year first, four digits.
_WRITTEN = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
WRITTEN_NOT_ISO = "Write the date as year-month-day with a four-digit year, for example {example}."


def written_date(value: str, *, today: date) -> date:
    """A date another system wrote (`2027-03-10`) as a date; raises DateNotValid with what to
    fix. Two-digit years and day-first dates are refused, never guessed, as for typed dates."""
    example = f"{today.year + 1}-{today.month:02d}-{today.day:02d}"
    found = _WRITTEN.fullmatch(value.strip())
    if not found:
        raise DateNotValid(WRITTEN_NOT_ISO.format(example=example))
    year, month, day = (int(part) for part in found.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise DateNotValid(f"{value.strip()} is not a real date.") from None


def last_appointment_day(today: date) -> date:
    return date(today.year + APPOINTMENT_YEARS_AHEAD, 12, 31)


def appointment_day_problem(day: date, today: date) -> str | None:
    """Why an appointment cannot be on `day`, or None: it must be today or later (one in the
    past cannot be kept and was probably mistyped) and no later than the end of the year two
    years ahead."""
    if day < today:
        return "The appointment must be today or in the future."
    latest = last_appointment_day(today)
    if day > latest:
        return f"The appointment must be on or before {latest.day} {latest:%B %Y}."
    return None


def report_period_bounds(today: date) -> tuple[date, date]:
    """The first and last days a report's period may name."""
    return date(REPORT_FIRST_YEAR, 1, 1), date(today.year + REPORT_YEARS_AHEAD, 12, 31)


def report_day_problem(day: date, today: date) -> str | None:
    first, last = report_period_bounds(today)
    if not first <= day <= last:
        return f"Choose dates between {first.day} {first:%B %Y} and {last.day} {last:%B %Y}."
    return None
