"""Trends: chosen measures month by month over a range of whole months, in one SQL statement.

Each measure is a count over a base of people released in the month (all of them, those
followed up, those who answered, those flagged), so each month's figure is the rate the other
reports show, suppressed by the same rule (tables.py): a base of 1 to 4 shows nothing, a
count of 1 to 4, or leaving 1 to 4, is hidden. A month in which nobody was released is a
month of zeros, not a missing one: a gap in a trend must mean "not shown", never "none".
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import case, func
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from resettlement import clock
from resettlement.actors import Actor
from resettlement.errors import InvalidInput
from resettlement.reports.breakdowns import month_key, plan
from resettlement.reports.outcomes import followup_flag
from resettlement.reports.period import audited, released_rows, released_to
from resettlement.reports.self_reported import voice, voice_table
from resettlement.reports.tables import SUPPRESS_BELOW, Cell, figure_text
from resettlement.voice.models import FirstNight
from rules.entered_dates import REPORT_FIRST_YEAR

# Three years: long enough to see a change of policy settle, short enough to chart legibly.
MAX_MONTHS = 36
DEFAULT_MONTHS = 12
# The reports' earliest year (rules.entered_dates.report_period_bounds).
FIRST_YEAR = REPORT_FIRST_YEAR


class TrendMeasureKey(StrEnum):
    RELEASED = "released"
    ACCOMMODATION_FIRST_NIGHT = "accommodation_first_night"
    APPOINTMENT_KEPT = "appointment_kept"
    ANSWERED_FIRST_DAYS = "answered_first_days"
    SAID_SLEPT_WHERE_PLANNED = "said_slept_where_planned"
    BROUGHT_FORWARD = "brought_forward"


RELEASED = TrendMeasureKey.RELEASED.value
FOLLOWED_UP = "followed_up"
ANSWERED = "answered"
FLAGGED = "flagged"


@dataclass(frozen=True)
class TrendMeasure:
    label: str
    base: str
    """Which people the count is out of; the measure RELEASED is its own base (a count)."""
    base_words: str


TREND_MEASURES: dict[str, TrendMeasure] = {
    RELEASED: TrendMeasure("People released", RELEASED, ""),
    "accommodation_first_night": TrendMeasure(
        "Accommodation on the first night", FOLLOWED_UP, "people whose follow-up is recorded"
    ),
    "appointment_kept": TrendMeasure(
        "First probation appointment attended", FOLLOWED_UP, "people whose follow-up is recorded"
    ),
    "answered_first_days": TrendMeasure(
        "Answered the questions about their first days", RELEASED, "people released"
    ),
    "said_slept_where_planned": TrendMeasure(
        "Said they slept at the planned address", ANSWERED, "people who answered"
    ),
    "brought_forward": TrendMeasure(
        "Friday or pre-bank-holiday release brought forward",
        FLAGGED,
        "Friday or pre-bank-holiday releases",
    ),
}


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0)


def _columns() -> dict[str, ColumnElement[int]]:
    """Every base and every measure's count as a 0/1 per released person, summed per month."""
    followed_up = plan.followup_recorded_at.is_not(None)
    flagged = plan.flagged.is_(True)
    return {
        FOLLOWED_UP: _flag(followed_up),
        ANSWERED: _flag(voice.id.is_not(None)),
        FLAGGED: _flag(flagged),
        "accommodation_first_night": case(
            (followed_up, followup_flag("night_in_planned_accommodation")), else_=0
        ),
        "appointment_kept": case(
            (followed_up, followup_flag("first_appointment_attended")), else_=0
        ),
        "answered_first_days": _flag(voice.id.is_not(None)),
        "said_slept_where_planned": _flag(voice.first_night == FirstNight.PLANNED_ADDRESS.value),
        "brought_forward": _flag(flagged & (plan.walk_out_date < plan.release_date)),
    }


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def last_day(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def months_from(first: date, last: date) -> list[date]:
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    return [add_months(first, n) for n in range(count)]


def default_range(today: date) -> tuple[date, date]:
    """The last twelve whole months: this month is not over, and would dip at the end."""
    last = add_months(first_of_month(today), -1)
    return add_months(last, 1 - DEFAULT_MONTHS), last


def month_range(first: date | None, last: date | None, today: date) -> list[date]:
    """The months asked for, first to last; by default the last twelve whole months.

    Raises InvalidInput (field "from" or "to") for a range that ends before it starts, is
    longer than MAX_MONTHS, starts before 1990 or ends after this month."""
    this_month = first_of_month(today)
    default_first, default_last = default_range(today)
    if first is None and last is not None:
        first = add_months(first_of_month(last), 1 - DEFAULT_MONTHS)
    first = first_of_month(first or default_first)
    last = first_of_month(last or max(default_last, first))
    if first.year < FIRST_YEAR:
        raise InvalidInput(f"The first month must be in {FIRST_YEAR} or later.", field="from")
    if last > this_month:
        raise InvalidInput(
            f"The last month must be this month ({this_month:%B %Y}) or earlier: releases "
            "still to come are in the due for release report.",
            field="to",
        )
    if last < first:
        raise InvalidInput("The last month must be the same as or after the first.", field="to")
    if len(months_from(first, last)) > MAX_MONTHS:
        raise InvalidInput(f"Choose a range of {MAX_MONTHS} months or fewer.", field="from")
    return months_from(first, last)


def chosen_measures(keys: Sequence[str]) -> list[str]:
    """The measures asked for, each once, in the order of TREND_MEASURES; all when none."""
    unknown = [key for key in keys if key not in TREND_MEASURES]
    if unknown:
        raise InvalidInput(
            f"There is no measure called {unknown[0]!r}: choose from "
            + ", ".join(TREND_MEASURES)
            + ".",
            field="measure",
        )
    return [key for key in TREND_MEASURES if key in keys] or list(TREND_MEASURES)


@dataclass(frozen=True)
class TrendMonth:
    month: date
    cells: dict[str, Cell]


@dataclass
class Trend:
    title: str
    months: list[date]
    end: date
    """The last day counted: the end of the last month, or today if that is sooner."""
    prison_code: str | None
    measures: list[str]
    figures: list[TrendMonth] = field(default_factory=list)
    breakdown: str = "month"

    @property
    def start(self) -> date:
        return self.months[0]

    def labels(self) -> dict[str, str]:
        return {key: TREND_MEASURES[key].label for key in self.measures}

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "from": f"{self.months[0]:%Y-%m}",
            "to": f"{self.months[-1]:%Y-%m}",
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "prison": self.prison_code or "national",
            "suppressed_below": SUPPRESS_BELOW,
            "measures": {
                key: {
                    "label": TREND_MEASURES[key].label,
                    "out_of": TREND_MEASURES[key].base_words or None,
                }
                for key in self.measures
            },
            "months": [
                {
                    "month": f"{point.month:%Y-%m}",
                    "measures": {
                        key: {
                            "count": cell.shown,
                            "out_of": None if cell.total is None or cell.suppressed else cell.total,
                            "suppressed": cell.suppressed,
                            "percent": cell.rate(),
                        }
                        for key, cell in point.cells.items()
                    },
                }
                for point in self.figures
            ],
        }

    def csv_rows(self) -> Iterable[list[str]]:
        header = ["month"]
        for key in self.measures:
            measure = TREND_MEASURES[key]
            header.append(f"{measure.label} (count)")
            if measure.base != key:
                header += [f"{measure.label} (out of)", f"{measure.label} (%)"]
        yield header
        for point in self.figures:
            line = [f"{point.month:%Y-%m}"]
            for key in self.measures:
                cell = point.cells[key]
                line.append(figure_text(cell.shown))
                if cell.total is not None:
                    line += [figure_text(None if cell.suppressed else cell.total), _rate(cell)]
            yield line


def _rate(cell: Cell) -> str:
    # Nobody to count in the month: no rate, but nothing hidden either.
    if not cell.suppressed and not cell.total:
        return ""
    return figure_text(cell.rate())


def trends_by_month(
    *,
    session: Session,
    actor: Actor,
    months: Sequence[date],
    measures: Sequence[str] = (),
    prison_code: str | None = None,
    today: date | None = None,
) -> Trend:
    """The chosen measures for each month of `months` (from month_range), counted in one
    statement whatever the number of months; the read is audited like every report."""
    keys = chosen_measures(measures)
    today = today or clock.today()
    end = released_to(last_day(months[-1]), today)
    columns = _columns()
    month = month_key().label("month")
    rows = released_rows(months[0], end, prison_code).outerjoin(
        voice_table, voice.plan_id == plan.id
    )
    statement = rows.with_only_columns(
        month,
        func.count().label(RELEASED),
        *[func.coalesce(func.sum(column), 0).label(name) for name, column in columns.items()],
        maintain_column_froms=True,
    ).group_by(month)
    counted: dict[str, dict[str, int]] = {}
    for row in session.execute(statement).mappings():
        counted[str(row["month"])] = {name: int(row[name]) for name in [RELEASED, *columns]}
    zero = dict.fromkeys([RELEASED, *columns], 0)
    figures = []
    for first in months:
        sums = counted.get(f"{first.year * 100 + first.month}", zero)
        cells = {}
        for key in keys:
            base = TREND_MEASURES[key].base
            cells[key] = Cell(sums[key]) if base == key else Cell(sums[key], sums[base])
        figures.append(TrendMonth(first, cells))
    audited(session, actor, "trends", prison_code)
    return Trend("Trends month by month", list(months), end, prison_code, keys, figures)
