"""How far ahead of the walk-out date each stage opens, as data (rule ids T-* in the catalogue)."""

from __future__ import annotations

from datetime import date

from rules.calendars import add_working_days, is_working_day, previous_working_day
from rules.nations import Nation

# T-PLANNING-OPENS: 12 weeks before walk-out.
RESETTLEMENT_PLANNING_OPENS_DAYS = 84
# T-PRE-RELEASE-OPENS.
PRE_RELEASE_OPENS_DAYS = 14
# T-NO-ACCOMMODATION-WARNING.
NO_ACCOMMODATION_WARNING_DAYS = 14
# T-DECISION-DEADLINE.
DECISION_DEADLINE_WORKING_DAYS = 5

TIMING_RULES: dict[str, str] = {
    "RESETTLEMENT_PLANNING_OPENS_DAYS": "T-PLANNING-OPENS",
    "PRE_RELEASE_OPENS_DAYS": "T-PRE-RELEASE-OPENS",
    "NO_ACCOMMODATION_WARNING_DAYS": "T-NO-ACCOMMODATION-WARNING",
    "DECISION_DEADLINE_WORKING_DAYS": "T-DECISION-DEADLINE",
}


def decision_deadline(
    release_date: date,
    nation: Nation | str,
    working_days: int = DECISION_DEADLINE_WORKING_DAYS,
) -> date:
    """The day `working_days` working days before the release date after the weekend and holiday
    move (R2), so a Sunday release date counts back from the Friday it moves to."""
    if working_days < 0:
        raise ValueError("working_days must not be negative")
    moved = (
        release_date
        if is_working_day(release_date, nation)
        else previous_working_day(release_date, nation)
    )
    return add_working_days(moved, -working_days, nation)
