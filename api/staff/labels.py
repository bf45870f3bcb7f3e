"""The words the staff pages use for the service's values, in one place."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any

from api.staff.identity import PRISON_NAMES
from resettlement import clock
from resettlement.models import (
    AppointmentKind,
    CancelReason,
    ChecklistStatus,
    ContactKind,
    GoalArea,
    PlanState,
    RequestState,
    ResettlementNeed,
)
from resettlement.reports import ETHNIC_HIGH_LEVEL, NOT_RECORDED
from resettlement.reports.breakdowns import NO_RECORDED_NEEDS, REMAND, YOUNG_ADULTS
from rules.opening_hours import time_words
from rules.service_needs import LABELS as SERVICE_NEED_LABELS

PLAN_STATES = {
    PlanState.SENTENCE_PLANNING: "Sentence planning",
    PlanState.RESETTLEMENT_PLANNING: "Resettlement planning",
    PlanState.PRE_RELEASE: "Pre-release",
    PlanState.RELEASED: "Released",
    PlanState.COMPLETED: "Completed",
    PlanState.CANCELLED: "Cancelled",
}

# Tag text says the status; the colour only repeats it.
CHECKLIST_STATUSES = {
    ChecklistStatus.NOT_STARTED: ("Not started", "govuk-tag--grey"),
    ChecklistStatus.IN_PROGRESS: ("In progress", "govuk-tag--light-blue"),
    ChecklistStatus.DONE: ("Done", "govuk-tag--green"),
    ChecklistStatus.NOT_NEEDED: ("Not needed", "govuk-tag--grey"),
    ChecklistStatus.BLOCKED: ("Blocked", "govuk-tag--red"),
}

FLAGS = {
    "friday": ("Friday release", "govuk-tag--orange"),
    "day_before_bank_holiday": ("Release before a bank holiday", "govuk-tag--orange"),
    "no_accommodation": ("No accommodation yet", "govuk-tag--red"),
    "overdue_items": ("Overdue items", "govuk-tag--red"),
    "published_plan_out_of_date": ("48-hour plan out of date", "govuk-tag--red"),
    "partner_flag": ("Partner flagged an issue or risk", "govuk-tag--red"),
}

REQUEST_STATES = {
    RequestState.FLAGGED: "Waiting for your assessment",
    RequestState.ASSESSED: "Assessed, not yet submitted",
    RequestState.SUBMITTED: "Submitted to the governor",
    RequestState.APPROVED: "Approved by the governor",
    RequestState.REFUSED: "Refused by the governor",
    RequestState.WITHDRAWN: "Withdrawn",
    RequestState.NOT_NEEDED: "Not needed: no harm to resettlement",
}

NEEDS = {
    ResettlementNeed.ACCOMMODATION: "Accommodation",
    ResettlementNeed.MENTAL_HEALTH: "Mental health",
    ResettlementNeed.SUBSTANCE_MISUSE: "Drug or alcohol treatment",
    ResettlementNeed.LONG_JOURNEY_HOME: "A long journey home",
    ResettlementNeed.MOBILITY: "Mobility",
    ResettlementNeed.CARING_RESPONSIBILITIES: "Caring responsibilities",
    ResettlementNeed.MEDICATION: "Medication",
    ResettlementNeed.FINANCE_AND_BENEFITS: "Money and benefits",
    ResettlementNeed.OTHER: "Something else (say what in the assessment)",
}

GOAL_AREAS = {
    GoalArea.FAMILY: "Family",
    GoalArea.WORK: "Work",
    GoalArea.LEARNING: "Learning",
    GoalArea.HEALTH: "Health",
    GoalArea.FAITH: "Faith",
    GoalArea.ARTS: "Arts",
    GoalArea.SPORT: "Sport",
    GoalArea.HOME: "Home",
    GoalArea.OTHER: "Something else",
}

APPOINTMENT_KINDS = {
    AppointmentKind.PROBATION: "Probation",
    AppointmentKind.GP: "GP",
    AppointmentKind.JOBCENTRE: "Jobcentre",
    AppointmentKind.HOUSING: "Housing",
    AppointmentKind.DRUG_AND_ALCOHOL: "Drug and alcohol service",
    AppointmentKind.MENTAL_HEALTH: "Mental health",
    AppointmentKind.OTHER: "Other",
}

CONTACT_KINDS = {
    ContactKind.PROBATION_OFFICER: "Probation officer",
    ContactKind.OUT_OF_HOURS: "Out of hours",
    ContactKind.SUPPORT_ORGANISATION: "Support organisation",
    ContactKind.HELPLINE: "Helpline",
}

CANCEL_REASONS = {
    CancelReason.RECALL: "Recall",
    CancelReason.TRANSFER: "Transfer",
    CancelReason.RELEASE_DATE_WITHDRAWN: "Release date withdrawn",
}

NATIONS = {
    "england-and-wales": "England and Wales",
    "scotland": "Scotland",
    "northern-ireland": "Northern Ireland",
}


# Report groups whose words are not their value with spaces (acronyms, ranges, phrases).
GROUPS = {
    "all": "All",
    NOT_RECORDED: "Not recorded",
    NO_RECORDED_NEEDS: "No recorded needs",
    "autism_or_adhd": "Autism or ADHD",
    "prefer_not_to_say": "Prefer not to say",
    "under_18": "Under 18",
    "18_20": "18 to 20",
    "21_24": "21 to 24",
    "25_29": "25 to 29",
    "30_39": "30 to 39",
    "40_49": "40 to 49",
    "50_59": "50 to 59",
    "60_plus": "60 and over",
    YOUNG_ADULTS: "Young adults (18 to 25)",
    "up_to_6_months": "Up to 6 months",
    "6_to_12_months": "6 to 12 months",
    "1_to_4_years": "1 to 4 years",
    "4_years_or_more": "4 years or more",
    "indeterminate": "Indeterminate",
    "determinate": "Determinate",
    "parole": "Parole",
    "hdc": "Home detention curfew (HDC)",
    REMAND: "On remand",
    "after_recall": "Released after a recall",
    "not_after_recall": "Not after a recall",
    "brought_forward": "Flagged and brought forward",
    "flagged_not_brought_forward": "Flagged, not brought forward",
    "not_flagged": "Not a Friday or pre-bank-holiday release",
}


def group(value: str) -> str:
    """A report group as a heading: "all", "female", "older_person", "asian", "202610"..."""
    if value in GROUPS:
        return GROUPS[value]
    if len(value) == 6 and value.isdigit():
        return f"{date(int(value[:4]), int(value[4:]), 1):%B %Y}"
    return (
        ETHNIC_HIGH_LEVEL.get(value)
        or NATIONS.get(value)
        or PRISON_NAMES.get(value)
        or value.replace("_", " ").capitalize()
    )


def day(value: date | None) -> str:
    """GOV.UK style: Friday 12 March 2027."""
    return f"{value:%A} {value.day} {value:%B %Y}" if value else "Not known yet"


def short_day(value: date | None) -> str:
    return f"{value:%a} {value.day} {value:%b %Y}" if value else "No date"


def when(value: datetime | None) -> str:
    """GOV.UK style times: 10am, 2:30pm, in Europe/London."""
    if value is None:
        return ""
    local = clock.london(value)
    hour = local.hour % 12 or 12
    minutes = f":{local.minute:02d}" if local.minute else ""
    clock_time = (
        "midday"
        if (local.hour, local.minute) == (12, 0)
        else (f"{hour}{minutes}{'am' if local.hour < 12 else 'pm'}")
    )
    return f"{day(local.date())} at {clock_time}"


# A message's way through GOV.UK Notify (resettlement/notifications.py MessageState): the words
# and the MoJ badge colour the plan's Messages tab shows.
MESSAGE_STATES = {
    "queued": ("Queued", "moj-badge--grey"),
    "sending": ("Sending", "moj-badge--blue"),
    "sent": ("Sent", "moj-badge--purple"),
    "delivered": ("Delivered", "moj-badge--green"),
    "failed": ("Failed permanently", "moj-badge--red"),
    "held": ("In the outbox only: no address", "moj-badge--grey"),
}
MESSAGE_RECIPIENTS = {
    "prison_leaver": "The person",
    "probation_officer": "Probation officer",
    "governor": "Governor",
}
_SHORT_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def weekly_hours(rows: Iterable[Any]) -> str:
    """A service's week in a line: "Mon to Fri 9am to 5pm; Sat 10am to 2pm"; days with the
    same hours run together."""
    by_hours: dict[tuple[Any, Any], list[int]] = {}
    for row in rows:
        if row.opens_at is not None and row.closes_at is not None:
            by_hours.setdefault((row.opens_at, row.closes_at), []).append(row.weekday)
    if not by_hours:
        return "No opening times given"
    parts = []
    for (opens, closes), days in sorted(by_hours.items(), key=lambda item: min(item[1])):
        days = sorted(set(days))
        if opens == closes == time(0):
            hours = "all day"
        else:
            hours = f"{time_words(opens)} to {time_words(closes)}"
        if days == list(range(1, 8)):
            named = "Every day"
        elif days == list(range(days[0], days[-1] + 1)) and len(days) > 2:
            named = f"{_SHORT_DAYS[days[0] - 1]} to {_SHORT_DAYS[days[-1] - 1]}"
        else:
            named = ", ".join(_SHORT_DAYS[d - 1] for d in days)
        parts.append(f"{named} {hours}")
    return "; ".join(parts)


SERVICE_NEEDS = {n.value: english for n, (english, _) in SERVICE_NEED_LABELS.items()}
