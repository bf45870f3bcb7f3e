"""The types request input takes, and what the OpenAPI document says about them.

Pydantic's lax mode reads `0` as 1 January 1970, `1` as true and `"7"` as the number 7. A client
reading the published schema cannot know that, and a mistake should be refused, not guessed at:
request bodies and query parameters take JSON's own types (a date is a `YYYY-MM-DD` string), and
each check the API applies that a JSON Schema can state is stated in the schema (patterns, the
years a date may take, that text never holds the NUL character).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, StrictBool, WithJsonSchema

from resettlement import clock
from rules.entered_dates import (
    FIRST_BIRTH_YEAR,
    REPORT_FIRST_YEAR,
    birth_bounds,
    last_appointment_day,
    report_period_bounds,
)

__all__ = ["StrictBool"]

_MONTH_DAY = "(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_ISO_DATE = re.compile(f"[0-9]{{4}}-{_MONTH_DAY}")
_CLOCK = (
    "T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,6})?(Z|[+-](0[0-9]|1[0-4]):[0-5][0-9])"
)
_ISO_DATE_TIME = re.compile(f"[0-9]{{4}}-{_MONTH_DAY}{_CLOCK}")

# The years a date may take, as regular expressions for the schema.
ANY_YEAR = "(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})"
# The working calendars (rules/calendars.py) hold 1990 to 2060; a release date may move back
# (R2) or look a day ahead (R3), so a date given to the rules keeps a year inside either end.
CALENDAR_YEARS = "(199[1-9]|20[0-5][0-9])"

# No text the service keeps may hold NUL (PostgreSQL cannot store it); api/nul_characters.py
# refuses it everywhere, and the schema says so on every string.
NO_NUL = "^[^\\u0000]*$"


def _whole_number(value: Any) -> Any:
    # JSON has one number type: 3.0 is the integer 3 to JSON Schema, so it is to us; a string
    # or a boolean is not.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("give a whole number")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("give a whole number")
        return int(value)
    return value


# After a Field's bounds in Annotated, so the schema keeps them: Annotated[int, Field(ge=1), ...].
WHOLE_NUMBER = BeforeValidator(_whole_number)


def _date_only(value: Any) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    raise ValueError("give the date as YYYY-MM-DD, for example 2027-03-12")


_YEAR_MONTH = re.compile(f"{ANY_YEAR}-(0[1-9]|1[0-2])")


def _year_month(value: Any) -> Any:
    if isinstance(value, str) and _YEAR_MONTH.fullmatch(value):
        return date(int(value[:4]), int(value[5:7]), 1)
    raise ValueError("give the month as YYYY-MM, for example 2026-11")


def _date_time_only(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE_TIME.fullmatch(value):
        return value
    raise ValueError("give the time as YYYY-MM-DDThh:mm:ss with its offset, e.g. 2027-03-12T10:00Z")


def _date_schema(years: str) -> WithJsonSchema:
    pattern = f"^{years}-{_MONTH_DAY}$"
    return WithJsonSchema({"type": "string", "format": "date", "pattern": pattern})


def _one_of(items: list[str]) -> str:
    return "(" + "|".join(items) + ")"


def _days(first: int, last: int) -> str:
    return _one_of([f"{d:02d}" for d in range(first, last + 1)])


def _within_year(first: date, last: date) -> str:
    if first.month == last.month:
        return f"{first.month:02d}-{_days(first.day, last.day)}"
    parts = [f"{first.month:02d}-{_days(first.day, 31)}"]
    if last.month - first.month > 1:
        months = _one_of([f"{m:02d}" for m in range(first.month + 1, last.month)])
        parts.append(f"{months}-{_days(1, 31)}")
    parts.append(f"{last.month:02d}-{_days(1, last.day)}")
    return _one_of(parts)


def date_range_pattern(first: date, last: date) -> str:
    """A regular expression for the YYYY-MM-DD days from `first` to `last` (the format check
    still refuses the 31st of a short month)."""
    if first.year == last.year:
        return f"{first.year:04d}-{_within_year(first, last)}"
    parts = [f"{first.year:04d}-{_within_year(first, date(first.year, 12, 31))}"]
    if last.year - first.year > 1:
        years = _one_of([f"{y:04d}" for y in range(first.year + 1, last.year)])
        parts.append(f"{years}-{_MONTH_DAY}")
    parts.append(f"{last.year:04d}-{_within_year(date(last.year, 1, 1), last)}")
    return _one_of(parts)


@dataclass(frozen=True)
class _DaysFromToday:
    """States, in the schema, the days a date may take as seen today: the document is built
    afresh each day (api.main), so the range it states is the one the service applies."""

    bounds: Callable[[date], tuple[date, date]]
    with_time: bool = False

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> dict[str, Any]:
        first, last = self.bounds(clock.today())
        days = date_range_pattern(first, last)
        if self.with_time:
            return {"type": "string", "format": "date-time", "pattern": f"^{days}{_CLOCK}$"}
        return {"type": "string", "format": "date", "pattern": f"^{days}$"}


def _sentences(today: date) -> tuple[date, date]:
    return date(FIRST_BIRTH_YEAR, 1, 1), today


def _appointments(today: date) -> tuple[date, date]:
    return today, last_appointment_day(today)


# Dates given as `YYYY-MM-DD`, each stating the days it may take.
AnyDate = Annotated[date, BeforeValidator(_date_only), _date_schema(ANY_YEAR)]
CalendarDate = Annotated[date, BeforeValidator(_date_only), _date_schema(CALENDAR_YEARS)]
BirthDate = Annotated[date, BeforeValidator(_date_only), _DaysFromToday(birth_bounds)]
SentenceDate = Annotated[date, BeforeValidator(_date_only), _DaysFromToday(_sentences)]
ReportDate = Annotated[date, BeforeValidator(_date_only), _DaysFromToday(report_period_bounds)]


@dataclass(frozen=True)
class _ReportMonths:
    """States, in the schema, the months a trend may name as seen today: January of the
    reports' first year to this month (the service refuses any other with a 422)."""

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> dict[str, Any]:
        today = clock.today()
        this_year = f"{today.year:04d}-" + _one_of([f"{m:02d}" for m in range(1, today.month + 1)])
        years = [f"{y:04d}" for y in range(REPORT_FIRST_YEAR, today.year)]
        months = f"{_one_of(years)}-(0[1-9]|1[0-2])|{this_year}" if years else this_year
        return {"type": "string", "pattern": f"^({months})$"}


# A month as `YYYY-MM` (a trend's range), read as its first day.
ReportMonth = Annotated[date, BeforeValidator(_year_month), _ReportMonths()]
# A referral's consent lasts from today up to two years; the organisation answers within a year.
ConsentUntilDate = Annotated[
    date, BeforeValidator(_date_only), _DaysFromToday(lambda t: (t, t + timedelta(days=731)))
]
AnswerByDate = Annotated[
    date, BeforeValidator(_date_only), _DaysFromToday(lambda t: (t, t + timedelta(days=366)))
]
# An instant with its offset (the service refuses a time without one).
AppointmentTime = Annotated[
    datetime, BeforeValidator(_date_time_only), _DaysFromToday(_appointments, with_time=True)
]


# Request bodies refuse fields they do not know: a misspelt field is an error, not silence.
# (Typed Any: the same config goes on plain pydantic and SQLModel classes.)
STRICT_BODY: Any = ConfigDict(extra="forbid")


def strict_body(schema_extra: dict[str, Any]) -> Any:
    """STRICT_BODY with rules the schema states across fields (if/then)."""
    return ConfigDict(extra="forbid", json_schema_extra=schema_extra)
