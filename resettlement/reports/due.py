"""People due for release in a period who have not yet walked out: how ready their plans are.

Kept apart from the released reports, whose periods end today: a date still to come is a plan,
not an outcome.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import case, exists, select
from sqlmodel import Session

from resettlement import clock
from resettlement.actors import Actor
from resettlement.models import PublishedPlan
from resettlement.reports import breakdowns, figures
from resettlement.reports.breakdowns import Breakdown, plan
from resettlement.reports.period import audited, due_rows
from resettlement.reports.tables import Report

DUE_MEASURES: dict[str, str] = {
    "flagged": "Friday or pre-bank-holiday release",
    "brought_forward": "Release brought forward",
    "accommodation_recorded": "Accommodation for the first night recorded",
    "plan_published": "48-hour plan published",
}

published = PublishedPlan.__table__.c  # type: ignore[attr-defined]


def due_for_release(
    *,
    session: Session,
    actor: Actor,
    start: date,
    end: date,
    prison_code: str | None = None,
    breakdown: Breakdown = Breakdown.NONE,
    today: date | None = None,
) -> Report:
    """Open plans whose walk-out day falls from today (or the start, if later) to the end."""
    start = max(start, today or clock.today())
    rows = due_rows(start, end, prison_code)
    measures = {
        "flagged": case((plan.flagged.is_(True), 1), else_=0),
        "brought_forward": case((plan.walk_out_date < plan.release_date, 1), else_=0),
        "accommodation_recorded": case((plan.accommodation_address.is_not(None), 1), else_=0),
        "plan_published": case(
            (exists(select(published.id).where(published.plan_id == plan.id)), 1), else_=0
        ),
    }
    counted = figures.count_rows(session, rows, breakdown, breakdowns.parts(breakdown), measures)
    audited(session, actor, "due_for_release", prison_code)
    return Report(
        "Due for release", start, max(start, end), prison_code, breakdown, DUE_MEASURES, counted
    )
