"""Friday and pre-bank-holiday releases: flagged, assessed, submitted, decided in time."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, case, func, select
from sqlmodel import Session

from resettlement import clock
from resettlement.actors import Actor
from resettlement.models import EarlyReleaseRequest, RequestState
from resettlement.reports import breakdowns, figures
from resettlement.reports.breakdowns import Breakdown, plan, plan_table
from resettlement.reports.period import audited, released_rows, released_to, utc_day
from resettlement.reports.tables import Report

FRIDAY_STAGES: dict[str, str] = {
    "flagged": "Flagged",
    "assessed": "Assessed",
    "submitted": "Submitted to the governor",
    "approved": "Approved",
    "refused": "Refused",
    "decided_in_time": "Decided by the deadline",
}

request_table = EarlyReleaseRequest.__table__  # type: ignore[attr-defined]
request = request_table.c


def friday_releases(
    *,
    session: Session,
    actor: Actor,
    start: date,
    end: date,
    prison_code: str | None = None,
    breakdown: Breakdown = Breakdown.NONE,
    today: date | None = None,
) -> Report:
    """Flagged releases that happened in the period, and how far their request went."""
    end = released_to(end, today or clock.today())
    # The request about the plan's current release date tells the story; withdrawn ones don't.
    latest = (
        select(request.plan_id, func.max(request.id).label("request_id"))
        .select_from(request_table.join(plan_table, plan.id == request.plan_id))
        .where(
            request.release_date == plan.release_date,
            request.state != RequestState.WITHDRAWN.value,
        )
        .group_by(request.plan_id)
        .subquery("latest")
    )
    rows = (
        released_rows(start, end, prison_code)
        .where(plan.flagged.is_(True))
        .outerjoin(latest, latest.c.plan_id == plan.id)
        .outerjoin(request_table, request.id == latest.c.request_id)
    )
    state = request.state
    decided = state.in_([RequestState.APPROVED.value, RequestState.REFUSED.value])
    measures = {
        "flagged": case((plan.flagged.is_(True), 1), else_=0),
        "assessed": case((request.assessed_by.is_not(None), 1), else_=0),
        "submitted": case((request.submitted_at.is_not(None), 1), else_=0),
        "approved": case((state == RequestState.APPROVED.value, 1), else_=0),
        "refused": case((state == RequestState.REFUSED.value, 1), else_=0),
        "decided_in_time": case(
            (
                and_(
                    decided,
                    request.decided_at.is_not(None),
                    utc_day(request.decided_at) <= request.decision_deadline,
                ),
                1,
            ),
            else_=0,
        ),
    }
    counted = figures.count_rows(session, rows, breakdown, breakdowns.parts(breakdown), measures)
    audited(session, actor, "friday_releases", prison_code)
    return Report(
        "Friday and pre-bank-holiday releases",
        start,
        end,
        prison_code,
        breakdown,
        FRIDAY_STAGES,
        counted,
    )
