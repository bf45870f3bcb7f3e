"""Outcome reports prison and probation share, per prison and nationally, for a period, broken
down by protected characteristic, age, sentence, place or cohort, or as trends month by
month, with small counts suppressed.

Each report is counted in the database in one statement (figures.py), whatever its groups.
"""

from resettlement.reports.breakdowns import (
    ETHNIC_HIGH_LEVEL,
    NOT_RECORDED,
    Breakdown,
)
from resettlement.reports.due import DUE_MEASURES, due_for_release
from resettlement.reports.friday import FRIDAY_STAGES, friday_releases
from resettlement.reports.outcomes import OUTCOMES, outcomes
from resettlement.reports.self_reported import SELF_REPORTED, self_reported
from resettlement.reports.tables import SUPPRESS_BELOW, Cell, Report, Row
from resettlement.reports.trends import (
    TREND_MEASURES,
    Trend,
    TrendMeasureKey,
    month_range,
    trends_by_month,
)

__all__ = [
    "DUE_MEASURES",
    "ETHNIC_HIGH_LEVEL",
    "FRIDAY_STAGES",
    "NOT_RECORDED",
    "OUTCOMES",
    "SELF_REPORTED",
    "SUPPRESS_BELOW",
    "TREND_MEASURES",
    "Breakdown",
    "Cell",
    "Report",
    "Row",
    "Trend",
    "TrendMeasureKey",
    "due_for_release",
    "friday_releases",
    "month_range",
    "outcomes",
    "self_reported",
    "trends_by_month",
]
