"""Outcome and Friday-release reports: JSON and CSV, for admins and governors.

Admins see any prison or the whole country; a governor sees their own prison only. Probation
officers are not given reports: their work is their caseload, and a report's aggregate is about
prisons, which they do not run (least privilege; the figures are suppressed, but the audit trail
should only ever show people who need them).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from enum import StrEnum
from typing import Annotated, Protocol

from fastapi import APIRouter, Depends, HTTPException, Query, Response
from pydantic import BaseModel, Field
from sqlmodel import Session

from api.deps import SessionDep, require
from api.input_types import ReportDate, ReportMonth
from resettlement import clock, reports
from resettlement.actors import Actor, Role
from resettlement.errors import InvalidInput
from resettlement.partners import referral_reports
from resettlement.partners.referral_reports import ReferralBreakdown, ReferralReport
from resettlement.reports import TREND_MEASURES, Breakdown, Report, Trend, TrendMeasureKey
from resettlement.reports.trends import DEFAULT_MONTHS, MAX_MONTHS
from rules.entered_dates import report_day_problem

router = APIRouter(prefix="/reports", tags=["reports"])

REPORT_ROLES = (Role.ADMIN, Role.GOVERNOR)
# The default period: the last 13 weeks, a quarter, ending today.
DEFAULT_DAYS = 91
# Ten years: longer than any period anyone reports on, short enough to keep a query bounded.
MAX_PERIOD_DAYS = 3660
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"

ReportReader = Annotated[Actor, Depends(require(*REPORT_ROLES))]


class ReportKind(StrEnum):
    OUTCOMES = "outcomes"
    FRIDAY_RELEASES = "friday-releases"
    DUE_FOR_RELEASE = "due-for-release"
    SELF_REPORTED = "self-reported"


BUILDERS: dict[ReportKind, Callable[..., Report]] = {
    ReportKind.OUTCOMES: reports.outcomes,
    ReportKind.FRIDAY_RELEASES: reports.friday_releases,
    ReportKind.DUE_FOR_RELEASE: reports.due_for_release,
    ReportKind.SELF_REPORTED: reports.self_reported,
}


class MeasurePublic(BaseModel):
    count: int | None
    suppressed: bool
    percent: float | None


class ReportRowPublic(BaseModel):
    group: str
    total: int | None
    suppressed: bool
    measures: dict[str, MeasurePublic]


class ReportPublic(BaseModel):
    title: str
    start: date
    end: date
    prison: str
    breakdown: Breakdown
    suppressed_below: int
    measures: dict[str, str]
    rows: list[ReportRowPublic]


class ForbiddenPrison(HTTPException):
    def __init__(self) -> None:
        super().__init__(403, "A governor sees the reports of their own prison only.")


def report_prison(actor: Actor, prison: str | None) -> str | None:
    """The prison a report may cover for this reader; None is the whole country."""
    prison = prison.upper() if prison else None
    if actor.role == Role.ADMIN:
        return prison
    if actor.role == Role.GOVERNOR and prison in (None, actor.prison_code):
        return actor.prison_code
    raise ForbiddenPrison()


def report_period(
    start: date | None, end: date | None, today: date, ahead: bool = False
) -> tuple[date, date]:
    """The period asked for; by default the last 13 weeks, or the next 13 weeks when the
    report looks `ahead` (releases still due)."""
    for name, day in (("start", start), ("end", end)):
        problem = day and report_day_problem(day, today)
        if problem:
            raise InvalidInput(problem, field=name)
    if ahead:
        # An end alone, even one already past, is a period ending there: never a start after it.
        start = start or (min(today, end) if end else today)
        end = end or start + timedelta(days=DEFAULT_DAYS)
    end = end or today
    start = start or end - timedelta(days=DEFAULT_DAYS)
    if start > end:
        raise InvalidInput("The start of the period must be on or before its end.", field="start")
    if (end - start).days > MAX_PERIOD_DAYS:
        raise InvalidInput("Choose a period of ten years or less.", field="start")
    return start, end


def build(
    kind: ReportKind,
    *,
    session: Session,
    actor: Actor,
    start: date,
    end: date,
    prison: str | None,
    breakdown: Breakdown,
) -> Report:
    """The report for this reader. The service audits the read."""
    return BUILDERS[kind](
        session=session,
        actor=actor,
        start=start,
        end=end,
        prison_code=report_prison(actor, prison),
        breakdown=breakdown,
    )


class Tabulated(Protocol):
    """What the CSV of any report reads: its title, period, place, grouping and rows."""

    @property
    def title(self) -> str: ...
    @property
    def start(self) -> date: ...
    @property
    def end(self) -> date: ...
    @property
    def prison_code(self) -> str | None: ...
    @property
    def breakdown(self) -> str: ...
    def csv_rows(self) -> Iterable[list[str]]: ...


def csv_text(report: Tabulated) -> str:
    """The one CSV rendering of a report, "[c]" where a figure is suppressed."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([report.title])
    writer.writerow(
        [
            f"{report.start.isoformat()} to {report.end.isoformat()}",
            report.prison_code or "national",
            f"by {report.breakdown}",
            f"[c] = fewer than {reports.SUPPRESS_BELOW}, not shown",
        ]
    )
    writer.writerows(report.csv_rows())
    return out.getvalue()


def csv_filename(kind: str, report: Tabulated) -> str:
    return (
        f"{kind}-{report.prison_code or 'national'}-{report.start.isoformat()}-"
        f"{report.end.isoformat()}-{report.breakdown}.csv"
    ).lower()


def csv_response(kind: str, report: Tabulated) -> Response:
    return Response(
        csv_text(report),
        media_type=CSV_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{csv_filename(kind, report)}"'},
    )


_PERIOD = (
    "From 1 January 1990 to the end of next year; the start on or before the end, and at most "
    "ten years apart."
)
Start = Annotated[
    ReportDate | None,
    Query(description=f"First walk-out date in the period (default: 13 weeks earlier). {_PERIOD}"),
]
End = Annotated[
    ReportDate | None,
    Query(
        description="Last walk-out date in the period (default: today). Reports of releases "
        "count only releases that happened, so their period ends today at the latest; the "
        f"due-for-release report counts from today. {_PERIOD}"
    ),
]
Prison = Annotated[
    str | None,
    Query(
        pattern=r"^[A-Za-z]{3}$",
        description="A prison code; leave out for the whole country (admins) or your own "
        "prison (governors).",
    ),
]
BreakdownQuery = Annotated[
    Breakdown, Query(description="Break the figures down by a characteristic or cohort.")
]


def _report(
    kind: ReportKind,
    session: Session,
    actor: Actor,
    start: date | None,
    end: date | None,
    prison: str | None,
    breakdown: Breakdown,
) -> Report:
    first, last = report_period(start, end, clock.today(), ahead=kind == ReportKind.DUE_FOR_RELEASE)
    return build(
        kind,
        session=session,
        actor=actor,
        start=first,
        end=last,
        prison=prison,
        breakdown=breakdown,
    )


def _public(report: Report) -> ReportPublic:
    return ReportPublic.model_validate(report.as_dict())


@router.get("/outcomes", response_model=ReportPublic)
def outcomes(
    actor: ReportReader,
    session: SessionDep,
    start: Start = None,
    end: End = None,
    prison: Prison = None,
    breakdown: BreakdownQuery = Breakdown.NONE,
) -> ReportPublic:
    """Outcomes at the 48-hour follow-up of people released in the period; counts under 5
    are null with `suppressed: true`."""
    report = _report(ReportKind.OUTCOMES, session, actor, start, end, prison, breakdown)
    return _public(report)


@router.get(
    "/outcomes.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}}
)
def outcomes_csv(
    actor: ReportReader,
    session: SessionDep,
    start: Start = None,
    end: End = None,
    prison: Prison = None,
    breakdown: BreakdownQuery = Breakdown.NONE,
) -> Response:
    """The outcomes report as CSV; suppressed figures are "[c]"."""
    report = _report(ReportKind.OUTCOMES, session, actor, start, end, prison, breakdown)
    return csv_response(ReportKind.OUTCOMES, report)


@router.get("/friday-releases", response_model=ReportPublic)
def friday_releases(
    actor: ReportReader,
    session: SessionDep,
    start: Start = None,
    end: End = None,
    prison: Prison = None,
    breakdown: BreakdownQuery = Breakdown.NONE,
) -> ReportPublic:
    """Friday and pre-bank-holiday releases in the period: flagged, assessed, submitted,
    approved, refused, decided by the deadline."""
    report = _report(ReportKind.FRIDAY_RELEASES, session, actor, start, end, prison, breakdown)
    return _public(report)


@router.get(
    "/friday-releases.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def friday_releases_csv(
    actor: ReportReader,
    session: SessionDep,
    start: Start = None,
    end: End = None,
    prison: Prison = None,
    breakdown: BreakdownQuery = Breakdown.NONE,
) -> Response:
    """The Friday-release report as CSV; suppressed figures are "[c]"."""
    report = _report(ReportKind.FRIDAY_RELEASES, session, actor, start, end, prison, breakdown)
    return csv_response(ReportKind.FRIDAY_RELEASES, report)


@router.get("/due-for-release", response_model=ReportPublic)
def due_for_release(
    actor: ReportReader,
    session: SessionDep,
    start: Start = None,
    end: End = None,
    prison: Prison = None,
    breakdown: BreakdownQuery = Breakdown.NONE,
) -> ReportPublic:
    """People due to walk out in the period who have not yet (from today on): how many are
    flagged, brought forward, have somewhere to stay and a published 48-hour plan."""
    report = _report(ReportKind.DUE_FOR_RELEASE, session, actor, start, end, prison, breakdown)
    return _public(report)


@router.get(
    "/due-for-release.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def due_for_release_csv(
    actor: ReportReader,
    session: SessionDep,
    start: Start = None,
    end: End = None,
    prison: Prison = None,
    breakdown: BreakdownQuery = Breakdown.NONE,
) -> Response:
    """The due-for-release report as CSV; suppressed figures are "[c]"."""
    report = _report(ReportKind.DUE_FOR_RELEASE, session, actor, start, end, prison, breakdown)
    return csv_response(ReportKind.DUE_FOR_RELEASE, report)


@router.get("/self-reported", response_model=ReportPublic)
def self_reported(
    actor: ReportReader,
    session: SessionDep,
    start: Start = None,
    end: End = None,
    prison: Prison = None,
    breakdown: BreakdownQuery = Breakdown.NONE,
) -> ReportPublic:
    """What people released in the period said of their first days (closed answers only),
    beside the officer's follow-up, and how often the two agree."""
    report = _report(ReportKind.SELF_REPORTED, session, actor, start, end, prison, breakdown)
    return _public(report)


@router.get(
    "/self-reported.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def self_reported_csv(
    actor: ReportReader,
    session: SessionDep,
    start: Start = None,
    end: End = None,
    prison: Prison = None,
    breakdown: BreakdownQuery = Breakdown.NONE,
) -> Response:
    """The self-reported report as CSV; suppressed figures are "[c]"."""
    report = _report(ReportKind.SELF_REPORTED, session, actor, start, end, prison, breakdown)
    return csv_response(ReportKind.SELF_REPORTED, report)


# --- trends month by month ----------------------------------------------------------------


class TrendMeasurePublic(BaseModel):
    label: str
    out_of: str | None


class TrendFigurePublic(BaseModel):
    count: int | None
    out_of: int | None
    suppressed: bool
    percent: float | None


class TrendMonthPublic(BaseModel):
    month: str
    measures: dict[str, TrendFigurePublic]


class TrendPublic(BaseModel):
    title: str
    from_: str = Field(alias="from")
    to: str
    start: date
    end: date
    prison: str
    suppressed_below: int
    measures: dict[str, TrendMeasurePublic]
    months: list[TrendMonthPublic]


FromMonth = Annotated[
    ReportMonth | None,
    Query(
        alias="from",
        description="The first month, YYYY-MM (default: twelve months before `to`, or the first "
        f"of the last {DEFAULT_MONTHS} whole months).",
    ),
]
ToMonth = Annotated[
    ReportMonth | None,
    Query(
        alias="to",
        description="The last month, YYYY-MM, this month at the latest (default: last month). "
        f"At most {MAX_MONTHS} months from `from`, and not before it.",
    ),
]
Measures = Annotated[
    list[TrendMeasureKey] | None,
    Query(
        alias="measure",
        description="The measures to show, repeated for several (default: all): "
        + "; ".join(f"`{key}`: {m.label}" for key, m in TREND_MEASURES.items())
        + ".",
    ),
]


def build_trend(
    *,
    session: Session,
    actor: Actor,
    first: date | None,
    last: date | None,
    measures: list[str],
    prison: str | None,
) -> Trend:
    """The trend for this reader; an impossible range is InvalidInput (422)."""
    months = reports.month_range(first, last, clock.today())
    return reports.trends_by_month(
        session=session,
        actor=actor,
        months=months,
        measures=measures,
        prison_code=report_prison(actor, prison),
    )


@router.get("/trends", response_model=TrendPublic, response_model_by_alias=True)
def trends(
    actor: ReportReader,
    session: SessionDep,
    first: FromMonth = None,
    last: ToMonth = None,
    measure: Measures = None,
    prison: Prison = None,
) -> TrendPublic:
    """The chosen measures month by month (people released, and rates of the outcomes among
    them); months with nobody are zeros, counts under 5 are null with `suppressed: true`."""
    trend = build_trend(
        session=session,
        actor=actor,
        first=first,
        last=last,
        measures=[str(m) for m in measure or []],
        prison=prison,
    )
    return TrendPublic.model_validate(trend.as_dict())


@router.get("/trends.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def trends_csv(
    actor: ReportReader,
    session: SessionDep,
    first: FromMonth = None,
    last: ToMonth = None,
    measure: Measures = None,
    prison: Prison = None,
) -> Response:
    """The trend as CSV, a row a month; suppressed figures are "[c]"."""
    trend = build_trend(
        session=session,
        actor=actor,
        first=first,
        last=last,
        measures=[str(m) for m in measure or []],
        prison=prison,
    )
    return csv_response("trends", trend)


# --- referrals to services -----------------------------------------------------------------


class ReferralRowPublic(ReportRowPublic):
    median_days_to_accept: float | None


class ReferralReportPublic(BaseModel):
    title: str
    start: date
    end: date
    prison: str
    breakdown: ReferralBreakdown
    suppressed_below: int
    measures: dict[str, str]
    rows: list[ReferralRowPublic]


ReferralBreakdownQuery = Annotated[
    ReferralBreakdown, Query(description="Group the referrals by service or by need.")
]


def _referrals(
    session: Session,
    actor: Actor,
    start: date | None,
    end: date | None,
    prison: str | None,
    breakdown: ReferralBreakdown,
) -> ReferralReport:
    first, last = report_period(start, end, clock.today())
    return referral_reports.referrals_report(
        session=session,
        actor=actor,
        start=first,
        end=last,
        prison_code=report_prison(actor, prison),
        breakdown=breakdown,
    )


@router.get("/referrals", response_model=ReferralReportPublic)
def referrals(
    actor: ReportReader,
    session: SessionDep,
    start: Start = None,
    end: End = None,
    prison: Prison = None,
    breakdown: ReferralBreakdownQuery = ReferralBreakdown.SERVICE,
) -> ReferralReportPublic:
    """Referrals sent in the period: made, accepted, completed and declined by service or need,
    and the median days from sending to acceptance; counts under 5 are null."""
    report = _referrals(session, actor, start, end, prison, breakdown)
    return ReferralReportPublic.model_validate(report.as_dict())


@router.get(
    "/referrals.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}}
)
def referrals_csv(
    actor: ReportReader,
    session: SessionDep,
    start: Start = None,
    end: End = None,
    prison: Prison = None,
    breakdown: ReferralBreakdownQuery = ReferralBreakdown.SERVICE,
) -> Response:
    """The referrals report as CSV; suppressed figures are "[c]"."""
    report = _referrals(session, actor, start, end, prison, breakdown)
    return csv_response("referrals", report)
