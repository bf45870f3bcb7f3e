"""Release dates, calendars, timings and checklists as pure functions over data with sources."""

from rules.calendars import add_working_days, is_working_day
from rules.catalogue import RULES, Rule, configure_commencement
from rules.checklists import (
    CHECKLIST_TEMPLATES,
    CORE_KEYS,
    ChecklistCategory,
    ChecklistItemSpec,
    ChecklistTemplate,
    Need,
    Owner,
    checklist_for,
)
from rules.nations import Nation
from rules.release_dates import (
    ReleaseAssessment,
    SentenceType,
    assess,
    assess_many,
    early_release_window,
    is_in_window,
)
from rules.timings import (
    NO_ACCOMMODATION_WARNING_DAYS,
    PRE_RELEASE_OPENS_DAYS,
    RESETTLEMENT_PLANNING_OPENS_DAYS,
    decision_deadline,
)

__all__ = [
    "CHECKLIST_TEMPLATES",
    "CORE_KEYS",
    "NO_ACCOMMODATION_WARNING_DAYS",
    "PRE_RELEASE_OPENS_DAYS",
    "RESETTLEMENT_PLANNING_OPENS_DAYS",
    "RULES",
    "ChecklistCategory",
    "ChecklistItemSpec",
    "ChecklistTemplate",
    "Nation",
    "Need",
    "Owner",
    "ReleaseAssessment",
    "Rule",
    "SentenceType",
    "add_working_days",
    "assess",
    "assess_many",
    "checklist_for",
    "configure_commencement",
    "decision_deadline",
    "early_release_window",
    "is_in_window",
    "is_working_day",
]
