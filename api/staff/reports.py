"""Report pages for admins and governors: a chart and a table per measure, and the CSV."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import ImmutableMultiDict

from api.deps import SessionDep
from api.routes.reports import (
    ReportKind,
    build,
    csv_filename,
    csv_response,
    report_period,
)
from api.staff import forms, labels
from api.staff.charts import SUPPRESSED, Bar, bar_chart
from api.staff.forms import Errors
from api.staff.identity import PRISON_NAMES, PageReportReader, problem
from api.staff.rendering import render
from resettlement import clock
from resettlement.actors import Actor, Role
from resettlement.errors import InvalidInput
from resettlement.reports import SUPPRESS_BELOW, Breakdown, Report, Row

router = APIRouter(prefix="/staff", include_in_schema=False)

BREAKDOWNS = {
    Breakdown.NONE: "No breakdown",
    Breakdown.AGE: "Age at release (and young adults 18 to 25)",
    Breakdown.SEX: "Sex",
    Breakdown.ETHNIC_GROUP: "Ethnic group",
    Breakdown.DISABILITY: "Disability",
    Breakdown.RELIGION: "Religion or belief",
    Breakdown.SENTENCE_TYPE: "Sentence type (and remand)",
    Breakdown.SENTENCE_LENGTH: "Sentence length",
    Breakdown.RECALL: "Release after a recall",
    Breakdown.COHORT: "Cohort (women, older people, care leavers...)",
    Breakdown.NATION: "Nation",
    Breakdown.PRISON: "Prison",
    Breakdown.BROUGHT_FORWARD: "Friday or pre-bank-holiday release brought forward",
    Breakdown.MONTH: "Month (trend over the period)",
}
KINDS = {
    ReportKind.OUTCOMES: "Outcomes after release",
    ReportKind.FRIDAY_RELEASES: "Friday and pre-bank-holiday releases",
    ReportKind.DUE_FOR_RELEASE: "Due for release",
    ReportKind.SELF_REPORTED: "What people said of their first days (and agreement with "
    "the officer's record)",
}
AHEAD = {ReportKind.DUE_FOR_RELEASE}
# Whom each report counts, said above its figures.
PERIOD_WORDS = {
    ReportKind.OUTCOMES: "People released",
    ReportKind.FRIDAY_RELEASES: "People released on a Friday or before a bank holiday "
    "(or brought forward from one)",
    ReportKind.DUE_FOR_RELEASE: "People due for release, not yet released,",
    ReportKind.SELF_REPORTED: "People released, who answered the questions about their "
    "first days and whose follow-up is recorded,",
}


@dataclass(frozen=True)
class Choice:
    kind: ReportKind
    start: date
    end: date
    prison: str | None
    breakdown: Breakdown

    def query(self) -> str:
        params: dict[str, str] = {
            "start-day": str(self.start.day),
            "start-month": str(self.start.month),
            "start-year": str(self.start.year),
            "end-day": str(self.end.day),
            "end-month": str(self.end.month),
            "end-year": str(self.end.year),
            "breakdown": str(self.breakdown),
        }
        if self.prison:
            params["prison"] = self.prison
        return urlencode(params)


def _choice(
    kind: ReportKind, query: ImmutableMultiDict[str, Any], actor: Actor
) -> tuple[Choice, Errors]:
    errors = Errors()
    start, end = forms.day(query, "start"), forms.day(query, "end")
    if forms.text(query, "start-day") and start is None:
        errors.add("Enter the start of the period as a real date.", "start-day")
    if forms.text(query, "end-day") and end is None:
        errors.add("Enter the end of the period as a real date.", "end-day")
    try:
        start, end = report_period(start, end, clock.today(), ahead=kind in AHEAD)
    except InvalidInput as invalid:
        errors.add(invalid.detail, f"{invalid.field or 'start'}-day")
        start, end = report_period(None, None, clock.today(), ahead=kind in AHEAD)
    try:
        breakdown = Breakdown(forms.text(query, "breakdown") or Breakdown.NONE)
    except ValueError:
        breakdown = Breakdown.NONE
    prison = (forms.text(query, "prison") or "").upper() or None
    if actor.role == Role.GOVERNOR:
        prison = actor.prison_code
    elif prison is not None and prison not in PRISON_NAMES:
        errors.add("Select a prison from the list.", "prison")
        prison = None
    return Choice(kind, start, end, prison, breakdown), errors


def _kind(text: str) -> ReportKind:
    try:
        return ReportKind(text)
    except ValueError:
        raise problem(404, "Page not found", "There is no such report.") from None


def _percent(value: float | None) -> str:
    return SUPPRESSED if value is None else f"{value:g}%"


def _figure(row: Row, key: str) -> tuple[float | None, str]:
    cell = row.cells[key]
    rate = cell.rate()
    if cell.suppressed or row.denominator.suppressed:
        return None, SUPPRESSED
    if rate is None:
        return None, f"{cell.count} of {row.denominator.count}"
    return rate, f"{rate:g}% ({cell.count} of {row.denominator.count})"


def charts(report: Report) -> list[dict[str, Any]]:
    """For each measure: an SVG chart of the percentage per group, and the rows of its table."""
    out = []
    for key, title in report.measures.items():
        bars = []
        table = []
        for row in report.rows:
            value, text = _figure(row, key)
            bars.append(Bar(labels.group(row.group), value, text))
            cell = row.cells[key]
            table.append(
                {
                    "group": labels.group(row.group),
                    "count": SUPPRESSED if cell.shown is None else str(cell.shown),
                    "total": SUPPRESSED
                    if row.denominator.shown is None
                    else str(row.denominator.shown),
                    "percent": _percent(cell.rate()),
                }
            )
        description = "; ".join(f"{b.label}: {b.text}" for b in bars) or "No people in the period."
        out.append(
            {
                "key": key,
                "title": title,
                "svg": bar_chart(
                    title=f"{title}: percentage of people in each group",
                    description=description
                    + f". [c] means fewer than {SUPPRESS_BELOW}, not shown.",
                    bars=bars,
                    key=key,
                ),
                "table": table,
            }
        )
    return out


@router.get("/reports", response_class=HTMLResponse)
def reports_home(request: Request, actor: PageReportReader) -> Response:
    today = clock.today()
    year = Choice(ReportKind.OUTCOMES, today - timedelta(days=364), today, None, Breakdown.MONTH)
    return render(
        request,
        "staff/reports_home.html",
        {"kinds": KINDS, "last_year": year.query().replace("&breakdown=month", "")},
    )


@router.get("/reports/{kind}", response_class=HTMLResponse)
def report_page(
    kind: str, request: Request, actor: PageReportReader, session: SessionDep
) -> Response:
    if kind.endswith(".csv"):
        return report_csv(kind.removesuffix(".csv"), request, actor, session)
    report_kind = _kind(kind)
    choice, errors = _choice(report_kind, request.query_params, actor)
    report = build(
        report_kind,
        session=session,
        actor=actor,
        start=choice.start,
        end=choice.end,
        prison=choice.prison,
        breakdown=choice.breakdown,
    )
    return render(
        request,
        "staff/report.html",
        {
            "kind": report_kind,
            "kind_title": KINDS[report_kind],
            "period_words": PERIOD_WORDS[report_kind],
            "choice": choice,
            "report": report,
            "charts": charts(report),
            "breakdowns": BREAKDOWNS,
            "prisons": PRISON_NAMES,
            "place": PRISON_NAMES.get(choice.prison or "", "All prisons (national)"),
            "errors": errors,
            "csv_href": f"/staff/reports/{report_kind}.csv?{choice.query()}",
            "csv_name": csv_filename(report_kind, report),
            "suppress_below": SUPPRESS_BELOW,
            "is_admin": actor.role == Role.ADMIN,
            "labels": labels,
        },
        status=422 if errors else 200,
    )


def report_csv(kind: str, request: Request, actor: Actor, session: Any) -> Response:
    report_kind = _kind(kind)
    choice, errors = _choice(report_kind, request.query_params, actor)
    if errors:
        raise problem(422, "The report could not be made", errors.items[0][0])
    report = build(
        report_kind,
        session=session,
        actor=actor,
        start=choice.start,
        end=choice.end,
        prison=choice.prison,
        breakdown=choice.breakdown,
    )
    return csv_response(report_kind, report)
