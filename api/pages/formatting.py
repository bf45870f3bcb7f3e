"""Dates and times the GOV.UK way ("Friday 18 December, 10am"), in English and Welsh.

Babel's Welsh time format is not GOV.UK style, so times are written here. Words go through the
catalogue like every other string.
"""

from __future__ import annotations

from datetime import date, datetime

from api.pages.i18n import _, current_language
from resettlement import clock
from rules import phone_numbers

N_ = str

WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
MONTHS = (
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)


def time_text(instant: datetime) -> str:
    """10am, 2:30pm, midday, midnight (Welsh: 10yb, 2:30yh, canol dydd, hanner nos)."""
    local = clock.london(instant)
    hour, minute = local.hour, local.minute
    if (hour, minute) == (12, 0):
        return _("midday")
    if (hour, minute) == (0, 0):
        return _("midnight")
    clock_hour = hour % 12 or 12
    digits = f"{clock_hour}" if minute == 0 else f"{clock_hour}:{minute:02d}"
    # Welsh: yb (y bore) before midday, yh (yr hwyr) after.
    suffix = _("am") if hour < 12 else _("pm")
    return f"{digits}{suffix}"


def date_text(day: date, *, year: bool = False) -> str:
    """Friday 18 December (Dydd Gwener 18 Rhagfyr); with the year when asked."""
    text = f"{_(WEEKDAYS[day.weekday()])} {day.day} {_(MONTHS[day.month - 1])}"
    return f"{text} {day.year}" if year else text


def when_text(instant: datetime) -> str:
    local = clock.london(instant)
    return f"{date_text(local.date())}, {time_text(local)}"


def language() -> str:
    return current_language()


def phone_text(phone: str | None) -> str:
    """A UK number in national format (020 7946 0123); anything else as it was stored."""
    number = phone_numbers.parse_or_none(phone)
    return number.national if number else (phone or "")


def tel_link(phone: str | None) -> str | None:
    """tel:+442079460123 for a number someone can call, else None."""
    number = phone_numbers.parse_or_none(phone)
    return number.tel if number else None
