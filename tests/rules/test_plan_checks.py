"""Every check on a 48-hour plan before it is published, as a table over the real calendars.

Each case is a plan that is right apart from one thing; the table says which checks find it and
whether they block publishing or only warn."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from rules.catalogue import RULES
from rules.nations import Nation
from rules.plan_checks import (
    SEVERITY,
    AppointmentFact,
    ContactFact,
    PlanCheckFacts,
    Severity,
    check_plan,
)

LONDON = ZoneInfo("Europe/London")
B, W = Severity.BLOCKING, Severity.WARNING
HOSTEL = "Elm House hostel, 12 Made Up Road, Leeds LS1 1AA"


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def appt(kind: str, day: date, hour: int, minute: int = 0, where: str = "", id: int = 0) -> Any:
    place = where or f"{kind.title()} office, {id or hour} High Street, Leeds"
    return AppointmentFact(
        id=id or None, kind=kind, starts_at=at(day, hour, minute), location=place
    )


# Wednesday 2 December 2026: an ordinary week, checked on Monday 30 November.
WED = date(2026, 12, 2)
GOOD = PlanCheckFacts(
    now=at(date(2026, 11, 30), 9),
    nation=Nation.ENGLAND_AND_WALES,
    walk_out_date=WED,
    appointments=(
        appt("probation", WED, 10, id=1),
        appt("gp", WED, 14, id=2),
        appt("jobcentre", date(2026, 12, 3), 11, id=3),
    ),
    contacts=(ContactFact("Probation officer", "+447700900123"),),
    accommodation_address=HOSTEL,
    arrive_from="From 3pm",
)
FRI = date(2026, 12, 4)
XMAS_EVE = date(2026, 12, 24)


CASES: list[tuple[str, dict[str, Any], set[tuple[str, Severity]]]] = [
    ("a plan with nothing wrong", {}, set()),
    (
        "a Jobcentre appointment on Saturday 5 December 2026 is only a warning",
        {"walk_out_date": FRI, "appointments": (appt("jobcentre", date(2026, 12, 5), 10, id=4),)},
        {("PC-SERVICE-CLOSED", W)},
    ),
    (
        "a Jobcentre appointment on Monday 28 December 2026 (Boxing Day's substitute, a bank "
        "holiday in England and Wales) is a warning too",
        {
            "walk_out_date": XMAS_EVE,
            "appointments": (appt("jobcentre", date(2026, 12, 28), 10, id=4),),
        },
        {("PC-SERVICE-CLOSED", W)},
    ),
    (
        "GP and probation offices close on weekends too",
        {
            "walk_out_date": FRI,
            "appointments": (
                appt("gp", date(2026, 12, 5), 10, id=4),
                appt("probation", date(2026, 12, 6), 10, id=5),
            ),
        },
        {("PC-SERVICE-CLOSED", W)},
    ),
    (
        "a housing appointment on a Saturday is not checked against office hours",
        {"walk_out_date": FRI, "appointments": (appt("housing", date(2026, 12, 5), 10, id=4),)},
        set(),
    ),
    (
        "Monday 15 June 2026 is a holiday in Scotland (the World Cup) ...",
        {
            "nation": Nation.SCOTLAND,
            "now": at(date(2026, 6, 1), 9),
            "walk_out_date": date(2026, 6, 12),
            "appointments": (appt("probation", date(2026, 6, 15), 10, id=4),),
        },
        {("PC-SERVICE-CLOSED", W)},
    ),
    (
        "... but a working day in England and Wales",
        {
            "now": at(date(2026, 6, 1), 9),
            "walk_out_date": date(2026, 6, 12),
            "appointments": (appt("probation", date(2026, 6, 15), 10, id=4),),
        },
        set(),
    ),
    (
        "an appointment that has already happened blocks",
        {"now": at(WED, 12)},
        {("PC-APPOINTMENT-PAST", B)},
    ),
    (
        "after release, appointments already kept are history; those ahead are still checked",
        {
            "now": at(date(2026, 12, 3), 15),
            "released": True,
            "appointments": (
                appt("probation", WED, 10, id=1),
                appt("gp", WED, 10, 30, id=2),
                appt("jobcentre", date(2026, 12, 3), 16, id=3),
                appt("housing", date(2026, 12, 3), 16, 30, id=4),
            ),
        },
        {("PC-APPOINTMENTS-OVERLAP", B)},
    ),
    (
        "an appointment before the walk-out date blocks: they are still in prison",
        {"appointments": (appt("probation", date(2026, 12, 1), 10, id=4),)},
        {("PC-APPOINTMENT-BEFORE-WALK-OUT", B)},
    ),
    (
        "the year 27 typed for 2027 is in the past and blocks",
        {"appointments": (appt("gp", date(27, 3, 3), 10, id=4),)},
        {("PC-APPOINTMENT-PAST", B)},
    ),
    (
        "an appointment on the second working day after walk-out is inside the plan's span",
        {"appointments": (appt("housing", date(2026, 12, 4), 10, id=4),)},
        set(),
    ),
    (
        "an appointment after the span warns (a mistyped month looks the same)",
        {"appointments": (appt("housing", date(2027, 1, 2), 10, id=4),)},
        {("PC-APPOINTMENT-AFTER-SPAN", W)},
    ),
    (
        "after a Friday release the span reaches the Tuesday, past the weekend",
        {"walk_out_date": FRI, "appointments": (appt("housing", date(2026, 12, 8), 10, id=4),)},
        set(),
    ),
    (
        "two appointments that overlap block",
        {"appointments": (appt("probation", WED, 10, id=1), appt("gp", WED, 10, 30, id=2))},
        {("PC-APPOINTMENTS-OVERLAP", B)},
    ),
    (
        "back to back in one place is fine",
        {
            "appointments": (
                appt("probation", WED, 10, where="Hub, 1 Made Up Street", id=1),
                appt("housing", WED, 11, where="Hub, 1 Made Up Street", id=2),
            )
        },
        set(),
    ),
    (
        "back to back in two places cannot be reached in time",
        {"appointments": (appt("probation", WED, 10, id=1), appt("gp", WED, 11, 15, id=2))},
        {("PC-APPOINTMENTS-TRAVEL", W)},
    ),
    (
        "an appointment at the accommodation before they can arrive there",
        {
            "appointments": (appt("housing", WED, 11, where="Elm House hostel, Leeds", id=1),),
        },
        {("PC-ARRIVAL-AFTER-APPOINTMENT", W)},
    ),
    (
        "an appointment at the accommodation after they can arrive is fine",
        {"appointments": (appt("housing", WED, 16, where="Elm House hostel, Leeds", id=1),)},
        set(),
    ),
    (
        "health needs with no GP appointment and no medication",
        {
            "appointments": (appt("probation", WED, 10, id=1),),
            "health_needs": ("medication named in the early-release assessment",),
        },
        {("PC-HEALTH-NO-GP-OR-MEDICATION", W)},
    ),
    (
        "health needs with a GP appointment",
        {"health_needs": ("a mental health appointment",), "gp_appointment": True},
        set(),
    ),
    (
        "health needs with medication ready",
        {"health_needs": ("a mental health appointment",), "medication_ready": True},
        set(),
    ),
    (
        "a contact without a working number blocks",
        {"contacts": (ContactFact("Night line", "call me"), ContactFact("Desk", "123"))},
        {("PC-CONTACT-NO-NUMBER", B)},
    ),
]


@pytest.mark.parametrize(("why", "changes", "expected"), CASES, ids=[c[0] for c in CASES])
def test_plan_checks(
    why: str, changes: dict[str, Any], expected: set[tuple[str, Severity]]
) -> None:
    findings = check_plan(replace(GOOD, **changes))
    assert {(f.check_id, f.severity) for f in findings} == expected
    for finding in findings:
        assert finding.message and finding.summary == RULES[finding.check_id].summary


def test_the_saturday_warning_names_the_day_and_why() -> None:
    [finding] = check_plan(
        replace(
            GOOD,
            walk_out_date=FRI,
            appointments=(appt("jobcentre", date(2026, 12, 5), 10, id=4),),
        )
    )
    assert finding.message.startswith(
        "The Jobcentre appointment is on Saturday 5 December 2026 (a weekend)"
    )
    [finding] = check_plan(
        replace(
            GOOD,
            walk_out_date=XMAS_EVE,
            appointments=(appt("jobcentre", date(2026, 12, 28), 10, id=4),),
        )
    )
    assert "Monday 28 December 2026 (Boxing Day" in finding.message
    assert "a bank holiday in England and Wales" in finding.message


def test_blocking_findings_come_first_and_each_warning_has_its_own_key() -> None:
    findings = check_plan(
        replace(
            GOOD,
            walk_out_date=FRI,
            appointments=(
                appt("jobcentre", date(2026, 12, 5), 10, id=4),
                appt("gp", date(2026, 12, 6), 10, id=5),
            ),
            contacts=(ContactFact("Night line", "call me"),),
        )
    )
    assert [f.severity for f in findings] == [B, W, W]
    assert len({f.key for f in findings}) == 3


def test_every_check_is_in_the_catalogue_with_a_source() -> None:
    for check_id in SEVERITY:
        assert RULES[check_id].summary and RULES[check_id].source


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        replace(GOOD, now=datetime(2026, 11, 30, 9))
