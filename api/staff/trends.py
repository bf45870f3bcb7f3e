"""The trends page: chosen measures month by month over a range of months, a column chart and
its table per measure, and the same figures as CSV. Works without JavaScript (a GET form)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import ImmutableMultiDict

from api.deps import SessionDep
from api.routes.reports import csv_filename, csv_response
from api.staff import forms
from api.staff.charts import SUPPRESSED, Bar, column_chart
from api.staff.forms import Errors
from api.staff.identity import PRISON_NAMES, PageReportReader, problem
from api.staff.rendering import render
from resettlement import clock, reports
from resettlement.actors import Actor, Role
from resettlement.errors import InvalidInput
from resettlement.reports import SUPPRESS_BELOW, TREND_MEASURES, Cell, Trend
from resettlement.reports.trends import MAX_MONTHS, default_range

router = APIRouter(prefix="/staff", include_in_schema=False)

# Every other month's label from 13 months, every third from 25: they fit at 390 pixels.
LABEL_EVERY = ((12, 1), (24, 2), (MAX_MONTHS, 3))


@dataclass(frozen=True)
class TrendChoice:
    first: date
    last: date
    measures: list[str]
    prison: str | None

    def query(self) -> str:
        params: list[tuple[str, str]] = [
            ("from-month", str(self.first.month)),
            ("from-year", str(self.first.year)),
            ("to-month", str(self.last.month)),
            ("to-year", str(self.last.year)),
            *[("measure", key) for key in self.measures],
        ]
        if self.prison:
            params.append(("prison", self.prison))
        return urlencode(params)


def _month(query: ImmutableMultiDict[str, Any], prefix: str, errors: Errors) -> date | None:
    month, year = forms.text(query, f"{prefix}-month"), forms.text(query, f"{prefix}-year")
    if month is None and year is None:
        return None
    which = "first" if prefix == "from" else "last"
    try:
        if month is None or year is None or len(year) != 4:
            raise ValueError
        return date(int(year), int(month), 1)
    except ValueError:
        errors.add(
            f"Enter the {which} month as a month and a 4-digit year, for example 11 2026.",
            f"{prefix}-month",
        )
        return None


def _choice(query: ImmutableMultiDict[str, Any], actor: Actor) -> tuple[TrendChoice, Errors]:
    errors = Errors()
    first, last = _month(query, "from", errors), _month(query, "to", errors)
    today = clock.today()
    months: list[date] = []
    if not errors:
        try:
            months = reports.month_range(first, last, today)
        except InvalidInput as invalid:
            errors.add(invalid.detail, f"{invalid.field or 'from'}-month")
    measures = forms.values(query, "measure")
    if any(key not in TREND_MEASURES for key in measures):
        errors.add("Select measures from the list.", "measure")
        measures = []
    prison = (forms.text(query, "prison") or "").upper() or None
    if actor.role == Role.GOVERNOR:
        prison = actor.prison_code
    elif prison is not None and prison not in PRISON_NAMES:
        errors.add("Select a prison from the list.", "prison")
        prison = None
    if months:
        first, last = months[0], months[-1]
    else:
        # What the form shows again: the months as typed, where they were real.
        default_first, default_last = default_range(today)
        first, last = first or default_first, last or default_last
    chosen = [key for key in TREND_MEASURES if key in measures] or list(TREND_MEASURES)
    return TrendChoice(first, last, chosen, prison), errors


def _short(cell: Cell, percent: bool) -> str:
    """The figure above a column."""
    if cell.suppressed:
        return SUPPRESSED
    rate = cell.rate()
    return f"{rate:g}%" if percent and rate is not None else str(cell.count)


def _long(cell: Cell) -> str:
    """The figure as the description reads it out."""
    if cell.suppressed:
        return SUPPRESSED
    if cell.total is None:
        return str(cell.count)
    if not cell.total:
        return "0 (nobody to count)"
    return f"{cell.rate():g}% ({cell.count} of {cell.total})"


def _ticks(months: list[date]) -> list[tuple[str, str]]:
    every = next(step for most, step in LABEL_EVERY if len(months) <= most)
    ticks = []
    for index, month in enumerate(months):
        if index % every:
            ticks.append(("", ""))
            continue
        new_year = index < every or month.month <= every
        ticks.append((f"{month:%b}", f"{month:%Y}" if new_year else ""))
    return ticks


def charts(trend: Trend) -> list[dict[str, Any]]:
    """Per measure: a column chart over the months, and its table's rows."""
    out = []
    for key in trend.measures:
        measure = TREND_MEASURES[key]
        percent = measure.base != key
        columns, table = [], []
        for point in trend.figures:
            cell = point.cells[key]
            # A month with nobody to count is 0 on the axis: shown as none, not left out.
            value = None if cell.suppressed else ((cell.rate() or 0.0) if percent else cell.count)
            columns.append(Bar(f"{point.month:%B %Y}", value, _short(cell, percent)))
            table.append(
                {
                    "month": f"{point.month:%B %Y}",
                    "count": SUPPRESSED if cell.shown is None else str(cell.shown),
                    "out_of": SUPPRESSED
                    if cell.suppressed and cell.total is not None
                    else str(cell.total),
                    "percent": SUPPRESSED
                    if cell.suppressed
                    else ("" if cell.rate() is None else f"{cell.rate():g}%"),
                }
            )
        what = f"percentage of {measure.base_words}" if percent else "number of people"
        description = "; ".join(
            f"{c.label}: {_long(point.cells[key])}"
            for c, point in zip(columns, trend.figures, strict=True)
        )
        out.append(
            {
                "key": key,
                "title": measure.label,
                "out_of": measure.base_words,
                "percent": percent,
                "svg": column_chart(
                    title=f"{measure.label}: {what}, month by month",
                    description=f"{description}. [c] means not shown: fewer than "
                    f"{SUPPRESS_BELOW} people, or it would let someone be picked out.",
                    columns=columns,
                    ticks=_ticks(trend.months),
                    maximum=100.0 if percent else None,
                    unit="%" if percent else "",
                    key=f"trend-{key}",
                ),
                "table": table,
            }
        )
    return out


def _trend(choice: TrendChoice, actor: Actor, session: Any) -> Trend:
    return reports.trends_by_month(
        session=session,
        actor=actor,
        months=reports.month_range(choice.first, choice.last, clock.today()),
        measures=choice.measures,
        prison_code=choice.prison,
    )


@router.get("/reports/trends", response_class=HTMLResponse)
def trends_page(request: Request, actor: PageReportReader, session: SessionDep) -> Response:
    choice, errors = _choice(request.query_params, actor)
    trend = None if errors else _trend(choice, actor, session)
    return render(
        request,
        "staff/trends.html",
        {
            "choice": choice,
            "trend": trend,
            "charts": charts(trend) if trend else [],
            "measures": TREND_MEASURES,
            "prisons": PRISON_NAMES,
            "place": PRISON_NAMES.get(choice.prison or "", "All prisons (national)"),
            "errors": errors,
            "csv_href": f"/staff/reports/trends.csv?{choice.query()}",
            "csv_name": csv_filename("trends", trend) if trend else "",
            "suppress_below": SUPPRESS_BELOW,
            "max_months": MAX_MONTHS,
            "is_admin": actor.role == Role.ADMIN,
        },
        status=422 if errors else 200,
    )


@router.get("/reports/trends.csv")
def trends_csv(request: Request, actor: PageReportReader, session: SessionDep) -> Response:
    choice, errors = _choice(request.query_params, actor)
    if errors:
        raise problem(422, "The trends could not be made", errors.items[0][0])
    return csv_response("trends", _trend(choice, actor, session))
