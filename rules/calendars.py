"""Working-day calendars for each nation (rules R1, SCT-CAL, NI-CAL), precomputed for O(1) lookups.

The `holidays` package gives the default lists; GOV.UK's bank-holidays.json, when installed with
`use_govuk_bank_holidays`, is merged with them: it adds its holidays, and removes one of the
package's only where the import was told to (`removed`, from `calendar import --replace`). A
stale copy of the file (one taken before a holiday was proclaimed) therefore never takes away
a holiday the package knows.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

import holidays

from rules.nations import Nation, parse_nation

FIRST_YEAR = 1990
LAST_YEAR = 2060
_BASE = date(FIRST_YEAR, 1, 1).toordinal()
_END = date(LAST_YEAR, 12, 31).toordinal()
_SIZE = _END - _BASE + 1
_BASE_WEEKDAY = date(FIRST_YEAR, 1, 1).weekday()

# Never the bare UK list: it mixes every nation's holidays. The holidays package's ENG and WLS
# lists are identical (tests check 1990-2060), as they are on GOV.UK's england-and-wales list.
_SUBDIV: dict[Nation, str] = {
    Nation.ENGLAND_AND_WALES: "ENG",
    Nation.SCOTLAND: "SCT",
    Nation.NORTHERN_IRELAND: "NIR",
}


@dataclass(frozen=True)
class ExtraHoliday:
    """A holiday the service adds on top of the holidays package, with where it comes from."""

    day: date
    nation: Nation
    title: str
    source: str


# holidays 0.109 already lists this day for SCT; it stays here so an older holidays release
# (the pin allows >=0.60) still gives the same calendar.
EXTRA_HOLIDAYS: tuple[ExtraHoliday, ...] = (
    ExtraHoliday(
        date(2026, 6, 15),
        Nation.SCOTLAND,
        "Scotland's participation in the FIFA World Cup",
        "Scottish Government announcement of a one-off bank holiday on Monday 15 June 2026",
    ),
)


class CalendarRangeError(ValueError):
    """A date outside the precomputed years."""


class GovukFormatError(ValueError):
    """A file that is not in the shape of GOV.UK's bank-holidays.json."""


@dataclass(frozen=True, slots=True)
class Disagreement:
    date: date
    nation: Nation
    only_in: Literal["govuk", "holidays"]
    govuk_title: str | None
    holidays_title: str | None


@dataclass(frozen=True, slots=True)
class _Table:
    holidays: dict[date, str]
    # Indexed by ordinal - _BASE: 1 for a non-working day.
    nonworking: bytes
    # Ordinal of the last working day strictly before each day (0 when none is in range).
    prev_working: array[int]
    # Ordinal of the last eligible working day (R4) strictly before each day.
    prev_eligible: array[int]
    # Ordinals of the working days in order, and how many working days come before each day.
    working: array[int]
    rank: array[int]


_package_holidays: dict[Nation, dict[date, str]] = {}
_govuk: dict[Nation, dict[date, str]] = {}
_removed: dict[Nation, frozenset[date]] = {}
_tables: dict[str, _Table] = {}
_listeners: list[Callable[[], None]] = []


def on_change(callback: Callable[[], None]) -> None:
    """Call `callback` whenever the calendars change (modules that cache results clear them)."""
    _listeners.append(callback)


def _changed() -> None:
    _tables.clear()
    for callback in _listeners:
        callback()


def _working_day_entries(entries: Mapping[date, str]) -> dict[date, str]:
    # A holiday dated on a weekend (Christmas on a Saturday) changes nothing: the substitute
    # day is the working-day holiday.
    return {d: title for d, title in entries.items() if d.weekday() < 5}


def package_holidays(nation: Nation | str) -> dict[date, str]:
    """Working-day holidays from the holidays package plus EXTRA_HOLIDAYS, 1990-2060."""
    nation = parse_nation(nation)
    cached = _package_holidays.get(nation)
    if cached is None:
        source = holidays.country_holidays(
            "GB", subdiv=_SUBDIV[nation], years=range(FIRST_YEAR, LAST_YEAR + 1)
        )
        entries = {d: str(title) for d, title in source.items()}
        for extra in EXTRA_HOLIDAYS:
            if extra.nation is nation:
                entries.setdefault(extra.day, extra.title)
        cached = _package_holidays[nation] = _working_day_entries(entries)
    return cached


def _effective_holidays(nation: Nation) -> dict[date, str]:
    entries = dict(package_holidays(nation))
    for day in _removed.get(nation, frozenset()):
        entries.pop(day, None)
    # GOV.UK's title wins where both list a day; its extra days are added.
    entries.update(_working_day_entries(_govuk.get(nation, {})))
    return dict(sorted(entries.items()))


def _build(entries: dict[date, str]) -> _Table:
    nonworking = bytearray(_SIZE)
    for i in range(_SIZE):
        if (_BASE_WEEKDAY + i) % 7 >= 5:
            nonworking[i] = 1
    for d in entries:
        i = d.toordinal() - _BASE
        if 0 <= i < _SIZE:
            nonworking[i] = 1
    prev_working = array("q", [0]) * _SIZE
    prev_eligible = array("q", [0]) * _SIZE
    rank = array("q", [0]) * _SIZE
    working = array("q")
    last_working = 0
    last_eligible = 0
    for i in range(_SIZE):
        prev_working[i] = last_working
        prev_eligible[i] = last_eligible
        rank[i] = len(working)
        if not nonworking[i]:
            working.append(_BASE + i)
            last_working = _BASE + i
            # R4: eligible when tomorrow is also a working day.
            if i + 1 < _SIZE and not nonworking[i + 1]:
                last_eligible = _BASE + i
    return _Table(entries, bytes(nonworking), prev_working, prev_eligible, working, rank)


def _table(nation: Nation | str) -> _Table:
    # Nation is a StrEnum, so "scotland" and Nation.SCOTLAND find the same entry.
    table = _tables.get(nation)
    if table is None:
        checked = parse_nation(nation)
        table = _tables[checked] = _build(_effective_holidays(checked))
    return table


def warm() -> None:
    """Builds every nation's table now. The first lookup otherwise imports the holidays
    package's country data (about half a second), in the middle of whatever asked first."""
    for nation in Nation:
        _table(nation)


def _index(d: date) -> int:
    if isinstance(d, datetime):
        raise TypeError("expected a date, not a datetime")
    i = d.toordinal() - _BASE
    if not 0 <= i < _SIZE:
        raise CalendarRangeError(f"{d} is outside the supported years {FIRST_YEAR}-{LAST_YEAR}")
    return i


def is_working_day(d: date, nation: Nation | str) -> bool:
    return not _table(nation).nonworking[_index(d)]


def is_eligible_working_day(d: date, nation: Nation | str) -> bool:
    """R4: a working day whose next day is also a working day."""
    table = _table(nation)
    i = _index(d)
    return not table.nonworking[i] and i + 1 < _SIZE and not table.nonworking[i + 1]


def _from_ordinal(ordinal: int, d: date) -> date:
    if ordinal == 0:
        raise CalendarRangeError(f"no working day before {d} within {FIRST_YEAR}-{LAST_YEAR}")
    return date.fromordinal(ordinal)


def previous_working_day(d: date, nation: Nation | str) -> date:
    """The last working day strictly before `d`."""
    return _from_ordinal(_table(nation).prev_working[_index(d)], d)


def previous_eligible_working_day(d: date, nation: Nation | str) -> date:
    """The last eligible working day (R4) strictly before `d`."""
    return _from_ordinal(_table(nation).prev_eligible[_index(d)], d)


def add_working_days(d: date, n: int, nation: Nation | str) -> date:
    """The n-th working day after `d` (before it when n is negative); `d` itself for n == 0."""
    table = _table(nation)
    i = _index(d)
    if n == 0:
        return d
    # rank counts the working days before d; going forward, d itself counts when it works.
    position = table.rank[i] + n
    if n > 0 and table.nonworking[i]:
        position -= 1
    if not 0 <= position < len(table.working):
        raise CalendarRangeError(
            f"{n} working days from {d} is outside the supported years {FIRST_YEAR}-{LAST_YEAR}"
        )
    return date.fromordinal(table.working[position])


def bank_holidays(nation: Nation | str, year: int) -> dict[date, str]:
    """The nation's holidays in `year` that fall on working days, as the calendar uses them."""
    return {d: t for d, t in _table(nation).holidays.items() if d.year == year}


def parse_govuk_bank_holidays(data: Mapping[str, Any]) -> dict[Nation, dict[date, str]]:
    """Validate and parse the shape of https://www.gov.uk/bank-holidays.json."""
    if not isinstance(data, Mapping) or not data:
        raise GovukFormatError("expected a JSON object keyed by division")
    parsed: dict[Nation, dict[date, str]] = {}
    for key, division in data.items():
        try:
            nation = parse_nation(key)
        except ValueError as error:
            raise GovukFormatError(f"unknown division {key!r}") from error
        if not isinstance(division, Mapping) or not isinstance(division.get("events"), list):
            raise GovukFormatError(f"division {key!r} has no list of events")
        events: dict[date, str] = {}
        for position, event in enumerate(division["events"]):
            where = f"{key} event {position}"
            if not isinstance(event, Mapping):
                raise GovukFormatError(f"{where} is not an object")
            title, raw = event.get("title"), event.get("date")
            if not isinstance(title, str) or not title:
                raise GovukFormatError(f"{where} has no title")
            if not isinstance(raw, str):
                raise GovukFormatError(f"{where} has no date")
            try:
                day = date.fromisoformat(raw)
            except ValueError as error:
                raise GovukFormatError(f"{where} has an invalid date {raw!r}") from error
            events[day] = title
        parsed[nation] = dict(sorted(events.items()))
    return parsed


def use_govuk_bank_holidays(
    parsed: Mapping[Nation, Mapping[date, str]],
    removed: Mapping[Nation, Iterable[date]] | None = None,
) -> None:
    """Merge GOV.UK's lists into the holidays package's. `removed`: package holidays to drop
    because an import with --replace accepted GOV.UK's word that they are not holidays; a day
    GOV.UK itself lists is never removed."""
    _govuk.clear()
    _removed.clear()
    for nation, events in parsed.items():
        _govuk[parse_nation(nation)] = dict(events)
    for nation, days in (removed or {}).items():
        _removed[parse_nation(nation)] = frozenset(days)
    _changed()


def removals_for(disagreements: Iterable[Disagreement]) -> dict[Nation, list[date]]:
    """The package holidays an import with --replace removes: each one GOV.UK does not list."""
    found: dict[Nation, list[date]] = {}
    for d in disagreements:
        if d.only_in == "holidays":
            found.setdefault(d.nation, []).append(d.date)
    return found


def use_package_holidays() -> None:
    """Go back to the holidays package alone (undoes `use_govuk_bank_holidays`)."""
    _govuk.clear()
    _removed.clear()
    _changed()


def compare_with_govuk(parsed: Mapping[Nation, Mapping[date, str]]) -> list[Disagreement]:
    """Dates on which GOV.UK and the holidays package disagree, for the years GOV.UK covers.

    Weekend-dated entries are left out on both sides: they do not change a working day.
    """
    found: list[Disagreement] = []
    for key, events in parsed.items():
        nation = parse_nation(key)
        official = _working_day_entries(events)
        years = {d.year for d in events}
        package = {d: t for d, t in package_holidays(nation).items() if d.year in years}
        for day in sorted(official.keys() | package.keys()):
            if day in official and day in package:
                continue
            found.append(
                Disagreement(
                    date=day,
                    nation=nation,
                    only_in="govuk" if day in official else "holidays",
                    govuk_title=official.get(day),
                    holidays_title=package.get(day),
                )
            )
    return found
