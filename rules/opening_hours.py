"""Who is open in the first 48 hours after walk-out (rule OH-FIRST-48-HOURS).

From a service's weekly opening times and its holiday schedule (both as Open Referral UK
publishes them), and the nation's bank holidays, this says whether and when the service is
open in the 48 hours after the person walks out, in plain words for the person and the
officer: "Open on Saturday 10am to 2pm", "Closed until Tuesday: call the out-of-hours line",
"Open 24 hours".

Why: people are released on Fridays and before bank holidays, just as services close. Policy
where the directory is silent:
- A bank holiday with no holiday schedule closes a service that does not open every day of the
  week (offices close on bank holidays); a service open every day keeps its hours.
- A weekly row with no times says nothing about when the door is open: it is not counted.
- Closing at midnight may be written 00:00, 23:59 or 24:00; each means the end of the day, and
  an evening that closes "before" it opens runs past midnight into the next day.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from rules.calendars import bank_holidays
from rules.nations import Nation

LONDON = ZoneInfo("Europe/London")
WINDOW = timedelta(hours=48)
# People leave prison in the morning; the 48 hours are counted from 9am on the walk-out day
# unless the caller knows the hour.
RELEASE_TIME = time(9)
# How far past the 48 hours to look for the next opening before saying only "closed".
LOOK_AHEAD_DAYS = 14
# An opening this close to midnight is taken to run to midnight (23:59 is how many
# directories write "until midnight").
_END_OF_DAY = {time(0), time(23, 59), time(23, 59, 59)}


@dataclass(frozen=True)
class WeeklyOpening:
    """Open on `weekday` (1 Monday to 7 Sunday) from `opens_at` to `closes_at`."""

    weekday: int
    opens_at: time | None
    closes_at: time | None
    valid_from: date | None = None
    valid_to: date | None = None


@dataclass(frozen=True)
class HolidayOpening:
    """From `start_date` to `end_date` inclusive: closed, or open other hours."""

    start_date: date
    end_date: date
    closed: bool
    opens_at: time | None = None
    closes_at: time | None = None


class Availability(StrEnum):
    OPEN_THROUGHOUT = "open_throughout"
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class Opening:
    starts: datetime
    ends: datetime


@dataclass(frozen=True)
class FirstHours:
    """A service's first 48 hours: its openings that fall in them, and when it next opens
    after a closed spell that runs past them."""

    availability: Availability
    window_starts: datetime
    window_ends: datetime
    openings: tuple[Opening, ...]
    # The first opening after the window, when the window ends closed (None: none in 2 weeks).
    next_opening: datetime | None
    out_of_hours_phone: str | None

    @property
    def open_at_walk_out(self) -> bool:
        return any(o.starts <= self.window_starts < o.ends for o in self.openings)

    def words(self, language: str = "en") -> str:
        return describe(self, language)


def walk_out_moment(walk_out_date: date, at: time = RELEASE_TIME) -> datetime:
    return datetime.combine(walk_out_date, at, tzinfo=LONDON)


def first_48_hours(
    *,
    weekly: Iterable[WeeklyOpening],
    holidays: Iterable[HolidayOpening],
    walk_out: datetime,
    nation: Nation | str,
    out_of_hours_phone: str | None = None,
) -> FirstHours:
    if walk_out.tzinfo is None:
        raise ValueError("walk_out must be an aware datetime")
    start = walk_out.astimezone(LONDON)
    end = (start.astimezone(ZoneInfo("UTC")) + WINDOW).astimezone(LONDON)
    weekly = list(weekly)
    holidays = list(holidays)
    opens_every_day = {w.weekday for w in weekly if w.opens_at is not None} >= set(range(1, 8))
    first_day = start.date() - timedelta(days=1)
    last_day = end.date() + timedelta(days=LOOK_AHEAD_DAYS)
    closed_days = _bank_holidays(nation, first_day, last_day) if not opens_every_day else set()
    spans: list[Opening] = []
    day = first_day
    while day <= last_day:
        spans.extend(_day_openings(day, weekly, holidays, closed_days))
        day += timedelta(days=1)
    merged = _merge(spans)
    # Whole openings, not clipped to the window: "9am to 5pm" even if they walk out at 11.
    inside = tuple(o for o in merged if o.starts < end and o.ends > start)
    if inside and inside[0].starts <= start and inside[0].ends >= end:
        availability = Availability.OPEN_THROUGHOUT
    elif inside:
        availability = Availability.OPEN
    else:
        availability = Availability.CLOSED
    after = [o.starts for o in merged if o.starts >= end]
    ends_closed = not inside or inside[-1].ends < end
    return FirstHours(
        availability=availability,
        window_starts=start,
        window_ends=end,
        openings=inside,
        next_opening=after[0] if after and ends_closed else None,
        out_of_hours_phone=out_of_hours_phone,
    )


def _bank_holidays(nation: Nation | str, first: date, last: date) -> set[date]:
    found: set[date] = set()
    for year in range(first.year, last.year + 1):
        found |= {d for d in bank_holidays(nation, year) if first <= d <= last}
    return found


def _at(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock.replace(second=0, microsecond=0), tzinfo=LONDON)


def _span(day: date, opens: time, closes: time) -> Opening:
    starts = _at(day, opens)
    if closes in _END_OF_DAY or closes <= opens:
        # To midnight, or on past it into the next day.
        next_day = day + timedelta(days=1)
        ends = _at(next_day, time(0)) if closes in _END_OF_DAY else _at(next_day, closes)
    else:
        ends = _at(day, closes)
    return Opening(starts, ends)


def _day_openings(
    day: date,
    weekly: Sequence[WeeklyOpening],
    holidays: Sequence[HolidayOpening],
    closed_days: set[date],
) -> list[Opening]:
    special = [h for h in holidays if h.start_date <= day <= h.end_date]
    if special:
        if any(h.closed for h in special):
            return []
        return [
            _span(day, h.opens_at, h.closes_at)
            for h in special
            if h.opens_at is not None and h.closes_at is not None
        ]
    if day in closed_days:
        return []
    return [
        _span(day, w.opens_at, w.closes_at)
        for w in weekly
        if w.weekday == day.isoweekday()
        and w.opens_at is not None
        and w.closes_at is not None
        and (w.valid_from is None or w.valid_from <= day)
        and (w.valid_to is None or day <= w.valid_to)
    ]


def _merge(spans: list[Opening]) -> list[Opening]:
    merged: list[Opening] = []
    for span in sorted(spans, key=lambda o: o.starts):
        if merged and span.starts <= merged[-1].ends:
            last = merged[-1]
            merged[-1] = Opening(last.starts, max(last.ends, span.ends))
        else:
            merged.append(span)
    return merged


# --- words --------------------------------------------------------------------------------

_WEEKDAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    # After "ar agor", "tan" and "o" the Welsh day takes its soft mutation (ddydd).
    "cy": (
        "ddydd Llun",
        "ddydd Mawrth",
        "ddydd Mercher",
        "ddydd Iau",
        "ddydd Gwener",
        "ddydd Sadwrn",
        "ddydd Sul",
    ),
}
_MONTHS = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "cy": (
        "Ionawr",
        "Chwefror",
        "Mawrth",
        "Ebrill",
        "Mai",
        "Mehefin",
        "Gorffennaf",
        "Awst",
        "Medi",
        "Hydref",
        "Tachwedd",
        "Rhagfyr",
    ),
}
_WORDS = {
    "en": {
        "throughout": "Open 24 hours",
        "open": "Open ",
        "open_on": "Open on {day} {opens} to {closes}",
        "open_across": "Open from {day} {opens} to {next_day} {closes}",
        "and": " and ",
        "then_closed": ", then closed until {day}",
        "closed_until": "Closed until {day}",
        "closed": "Closed for the first 48 hours",
        "call": ": call the out-of-hours line",
        "midday": "midday",
        "midday_after_to": "midday",
        "midnight": "midnight",
        "am": "am",
        "pm": "pm",
    },
    "cy": {
        "throughout": "Ar agor 24 awr",
        "open": "Ar agor ",
        "open_on": "Ar agor {day} {opens} i {closes}",
        "open_across": "Ar agor o {day} {opens} i {next_day} {closes}",
        "and": " a ",
        "then_closed": ", yna ar gau tan {day}",
        "closed_until": "Ar gau tan {day}",
        "closed": "Ar gau am y 48 awr gyntaf",
        "call": ": ffoniwch y llinell y tu allan i oriau",
        "midday": "canol dydd",
        "midday_after_to": "ganol dydd",
        "midnight": "hanner nos",
        "am": "yb",
        "pm": "yh",
    },
}


def _clock(instant: datetime, words: dict[str, str], *, closing: bool = False) -> str:
    """GOV.UK style: 9am, 5:30pm, midday, midnight (Welsh 9yb, 5:30yh)."""
    hour, minute = instant.hour, instant.minute
    if (hour, minute) == (12, 0):
        # Welsh mutates after "i" (to): "i ganol dydd".
        return words["midday_after_to" if closing else "midday"]
    if (hour, minute) == (0, 0):
        return words["midnight"]
    digits = f"{hour % 12 or 12}" if minute == 0 else f"{hour % 12 or 12}:{minute:02d}"
    return digits + (words["am"] if hour < 12 else words["pm"])


def time_words(at: time, language: str = "en") -> str:
    """A wall-clock time the GOV.UK way: 9am, 5:30pm, midday, midnight."""
    words = _WORDS["cy" if language == "cy" else "en"]
    return _clock(datetime.combine(date(2000, 1, 1), at), words)


def _day(on: date, since: date, language: str) -> str:
    """The weekday alone within a week of walk-out; with its date further off."""
    name = _WEEKDAYS[language][on.weekday()]
    if (on - since).days < 7:
        return name
    return f"{name} {on.day} {_MONTHS[language][on.month - 1]}"


def describe(hours: FirstHours, language: str = "en") -> str:
    language = "cy" if language == "cy" else "en"
    words = _WORDS[language]
    since = hours.window_starts.date()
    if hours.availability is Availability.OPEN_THROUGHOUT:
        return words["throughout"]
    if hours.availability is Availability.CLOSED:
        if hours.next_opening is None:
            text = words["closed"]
        else:
            opens = hours.next_opening.astimezone(LONDON).date()
            text = words["closed_until"].format(day=_day(opens, since, language))
        return text + (words["call"] if hours.out_of_hours_phone else "")
    parts = []
    for opening in hours.openings:
        starts = opening.starts.astimezone(LONDON)
        # An opening that ends at midnight belongs to the day it started.
        ends = opening.ends.astimezone(LONDON)
        last_day = (ends - timedelta(microseconds=1)).date()
        if last_day == starts.date():
            parts.append(
                words["open_on"].format(
                    day=_day(starts.date(), since, language),
                    opens=_clock(starts, words),
                    closes=_clock(ends, words, closing=True),
                )
            )
        else:
            parts.append(
                words["open_across"].format(
                    day=_day(starts.date(), since, language),
                    opens=_clock(starts, words),
                    next_day=_day(ends.date(), since, language),
                    closes=_clock(ends, words, closing=True),
                )
            )
    # "Open on Friday 9am to 5pm and on Saturday 10am to 2pm": "Open" is said once.
    text = words["and"].join([parts[0]] + [p.removeprefix(words["open"]) for p in parts[1:]])
    # The Friday problem in words: open on the day they walk out, and then not again for the
    # rest of the 48 hours and beyond.
    last = hours.openings[-1].starts.astimezone(LONDON).date()
    if hours.next_opening is not None and last <= since:
        opens = hours.next_opening.astimezone(LONDON).date()
        if opens > hours.window_ends.date():
            text += words["then_closed"].format(day=_day(opens, since, language))
    return text
