"""Checks on a 48-hour plan before it is published (rule ids PC-* in the catalogue).

Pure: given the plan's facts and the moment it is checked, each check says what is wrong in
the officer's words. A blocking finding stops publishing; a warning may be accepted with a
reason, which the plan's history keeps. Which checks block is data (SEVERITY).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from itertools import pairwise
from zoneinfo import ZoneInfo

from rules import catalogue, phone_numbers
from rules.calendars import (
    CalendarRangeError,
    add_working_days,
    bank_holidays,
    is_working_day,
)
from rules.nations import Nation

LONDON = ZoneInfo("Europe/London")

# PC-APPOINTMENTS-OVERLAP: an appointment is held for an hour, as the person's calendar shows it.
APPOINTMENT_LENGTH = timedelta(hours=1)
# PC-APPOINTMENTS-TRAVEL: the least time to get from one place to another in a town.
TRAVEL_ALLOWANCE = timedelta(minutes=30)
# PC-APPOINTMENT-AFTER-SPAN: the walk-out day and the next 2 working days, so a Friday release
# still covers the Monday and Tuesday when the services open again.
PLAN_SPAN_WORKING_DAYS = 2
# PC-SERVICE-CLOSED: the kinds of service closed on weekends and bank holidays.
CLOSED_ON_NON_WORKING_DAYS: dict[str, str] = {
    "jobcentre": "Jobcentres",
    "gp": "GP practices",
    "probation": "probation offices",
}
KIND_NAMES: dict[str, str] = {
    "probation": "probation",
    "gp": "GP",
    "jobcentre": "Jobcentre",
    "housing": "housing",
    "drug_and_alcohol": "drug and alcohol service",
    "mental_health": "mental health",
    "other": "",
}
NATION_NAMES: dict[Nation, str] = {
    Nation.ENGLAND_AND_WALES: "England and Wales",
    Nation.SCOTLAND: "Scotland",
    Nation.NORTHERN_IRELAND: "Northern Ireland",
}


class Severity(StrEnum):
    BLOCKING = "blocking"
    WARNING = "warning"


SEVERITY: dict[str, Severity] = {
    "PC-APPOINTMENT-PAST": Severity.BLOCKING,
    "PC-APPOINTMENT-BEFORE-WALK-OUT": Severity.BLOCKING,
    "PC-APPOINTMENT-AFTER-SPAN": Severity.WARNING,
    "PC-APPOINTMENTS-OVERLAP": Severity.BLOCKING,
    "PC-APPOINTMENTS-TRAVEL": Severity.WARNING,
    "PC-SERVICE-CLOSED": Severity.WARNING,
    "PC-ARRIVAL-AFTER-APPOINTMENT": Severity.WARNING,
    "PC-HEALTH-NO-GP-OR-MEDICATION": Severity.WARNING,
    "PC-CONTACT-NO-NUMBER": Severity.BLOCKING,
}


@dataclass(frozen=True)
class AppointmentFact:
    id: int | None
    kind: str
    starts_at: datetime
    location: str


@dataclass(frozen=True)
class ContactFact:
    name: str
    phone: str


@dataclass(frozen=True)
class PlanCheckFacts:
    now: datetime
    nation: Nation
    walk_out_date: date | None
    appointments: tuple[AppointmentFact, ...] = ()
    contacts: tuple[ContactFact, ...] = ()
    accommodation_address: str | None = None
    # Free text as the officer typed it ("From 3pm", "14:00").
    arrive_from: str | None = None
    # Why the person has health needs, in words; empty when they have none.
    health_needs: tuple[str, ...] = ()
    gp_appointment: bool = False
    medication_ready: bool = False
    # After release the appointments already kept are history, not mistakes: the plan can be
    # published again (a new number, say) without them blocking it.
    released: bool = False

    def __post_init__(self) -> None:
        if self.now.tzinfo is None or any(a.starts_at.tzinfo is None for a in self.appointments):
            raise ValueError("naive datetimes do not cross module boundaries")


@dataclass(frozen=True)
class Finding:
    check_id: str
    message: str
    # What the finding is about ("appointment:12", "contact:Night line"): with the check id it
    # tells one warning from another, so an accepted warning is known when it comes again.
    subject: str = ""
    severity: Severity = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "severity", SEVERITY[self.check_id])

    @property
    def key(self) -> str:
        return f"{self.check_id}:{self.subject}"

    @property
    def summary(self) -> str:
        return catalogue.RULES[self.check_id].summary


def _local(instant: datetime) -> datetime:
    return instant.astimezone(LONDON)


def _day(d: date) -> str:
    return f"{d:%A} {d.day} {d:%B %Y}"


def _time(instant: datetime) -> str:
    local = _local(instant)
    hour = local.hour % 12 or 12
    minutes = "" if local.minute == 0 else f":{local.minute:02d}"
    return f"{hour}{minutes}{'am' if local.hour < 12 else 'pm'}"


def _title(a: AppointmentFact, *, start: bool = True) -> str:
    name = KIND_NAMES.get(a.kind, "")
    the = "The" if start else "the"
    return f"{the} {name} appointment" if name else f"{the} appointment"


def _when(a: AppointmentFact) -> str:
    return f"{_day(_local(a.starts_at).date())}, {_time(a.starts_at)}"


def _subject(a: AppointmentFact) -> str:
    return f"appointment:{a.id if a.id is not None else a.starts_at.isoformat()}"


def _place(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _same_place(one: str, other: str) -> bool:
    """Addresses are free text: the same place when the first line of one (the building or
    the street) is found in the other."""
    a, b = _place(one), _place(other)
    first_a, first_b = _place(one.split(",")[0]), _place(other.split(",")[0])
    return bool(a and b) and (
        a == b or (bool(first_a) and first_a in b) or (bool(first_b) and first_b in a)
    )


def _timing(facts: PlanCheckFacts) -> Iterator[Finding]:
    walk_out = facts.walk_out_date
    span_end = (
        add_working_days(walk_out, PLAN_SPAN_WORKING_DAYS, facts.nation)
        if walk_out is not None
        else None
    )
    for a in facts.appointments:
        on = _local(a.starts_at).date()
        if a.starts_at < facts.now:
            yield Finding(
                "PC-APPOINTMENT-PAST",
                f"{_title(a)} on {_when(a)} has already happened. Change or cancel it.",
                _subject(a),
            )
        elif walk_out is not None and on < walk_out:
            yield Finding(
                "PC-APPOINTMENT-BEFORE-WALK-OUT",
                f"{_title(a)} on {_when(a)} is before the walk-out date, {_day(walk_out)}: "
                "they will still be in prison.",
                _subject(a),
            )
        elif span_end is not None and on > span_end:
            yield Finding(
                "PC-APPOINTMENT-AFTER-SPAN",
                f"{_title(a)} on {_when(a)} is after the first 2 working days after release "
                f"(the plan runs to {_day(span_end)}). Check the date.",
                _subject(a),
            )


def _closed(facts: PlanCheckFacts) -> Iterator[Finding]:
    for a in facts.appointments:
        service = CLOSED_ON_NON_WORKING_DAYS.get(a.kind)
        on = _local(a.starts_at).date()
        try:
            if service is None or is_working_day(on, facts.nation):
                continue
        except CalendarRangeError:
            # Far outside the calendars: the timing checks already say the date is wrong.
            continue
        holiday = bank_holidays(facts.nation, on.year).get(on)
        why = (
            f"{holiday}, a bank holiday in {NATION_NAMES[facts.nation]}" if holiday else "a weekend"
        )
        yield Finding(
            "PC-SERVICE-CLOSED",
            f"{_title(a)} is on {_day(on)} ({why}), when {service} are usually closed. "
            "Check it is open that day.",
            _subject(a),
        )


def _clashes(facts: PlanCheckFacts) -> Iterator[Finding]:
    ordered = sorted(facts.appointments, key=lambda a: a.starts_at)
    for first, second in pairwise(ordered):
        gap = second.starts_at - (first.starts_at + APPOINTMENT_LENGTH)
        subject = f"{_subject(first)}+{_subject(second)}"
        if gap < timedelta(0):
            yield Finding(
                "PC-APPOINTMENTS-OVERLAP",
                f"{_title(first)} on {_when(first)} overlaps "
                f"{_title(second, start=False)} at {_time(second.starts_at)}. Move one of them.",
                subject,
            )
        elif gap < TRAVEL_ALLOWANCE and _place(first.location) != _place(second.location):
            minutes = int(gap.total_seconds() // 60)
            yield Finding(
                "PC-APPOINTMENTS-TRAVEL",
                f"Only {minutes} minutes between the end of {_title(first, start=False)} on "
                f"{_when(first)} and {_title(second, start=False)} at "
                f"{_time(second.starts_at)}, in another place. Leave time to get there.",
                subject,
            )


_ARRIVAL = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?\s*([ap])?\.?\s*m?\b", re.IGNORECASE)


def arrival_time(text: str | None) -> time | None:
    """The time in "From 3pm", "14:00" or "after 2.30 pm"; None when there is none."""
    if not text:
        return None
    if re.search(r"\bmidday\b|\bnoon\b", text, re.IGNORECASE):
        return time(12, 0)
    found = _ARRIVAL.search(text)
    if found is None:
        return None
    hour, minute = int(found.group(1)), int(found.group(2) or 0)
    half = (found.group(3) or "").lower()
    if half == "p" and hour < 12:
        hour += 12
    elif half == "a" and hour == 12:
        hour = 0
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return time(hour, minute)


def _arrival(facts: PlanCheckFacts) -> Iterator[Finding]:
    arrive = arrival_time(facts.arrive_from)
    address = facts.accommodation_address or ""
    if arrive is None or not _place(address) or facts.walk_out_date is None:
        return
    arrives_at = datetime.combine(facts.walk_out_date, arrive, tzinfo=LONDON)
    for a in sorted(facts.appointments, key=lambda a: a.starts_at):
        at_accommodation = _same_place(a.location, address)
        on_day_one = _local(a.starts_at).date() == facts.walk_out_date
        if at_accommodation and on_day_one and a.starts_at < arrives_at:
            yield Finding(
                "PC-ARRIVAL-AFTER-APPOINTMENT",
                f"{_title(a)} at {_time(a.starts_at)} is at the accommodation, but they can "
                f"only arrive there from {_time(arrives_at)}. Ask for an earlier arrival or move "
                "the appointment.",
                _subject(a),
            )


def _health(facts: PlanCheckFacts) -> Iterator[Finding]:
    if facts.health_needs and not (facts.gp_appointment or facts.medication_ready):
        yield Finding(
            "PC-HEALTH-NO-GP-OR-MEDICATION",
            "They have health needs ("
            + "; ".join(facts.health_needs)
            + ") but the plan has no GP appointment and their medication and prescription "
            "are not ready.",
            "health",
        )


def _contacts(facts: PlanCheckFacts) -> Iterator[Finding]:
    for c in facts.contacts:
        if not phone_numbers.is_callable(c.phone):
            yield Finding(
                "PC-CONTACT-NO-NUMBER",
                f"The number for {c.name}, '{c.phone}', is not a number anyone can call. "
                "Correct it or remove the contact.",
                f"contact:{c.name}",
            )


def check_plan(facts: PlanCheckFacts) -> list[Finding]:
    """Every finding, blocking ones first, each group in the order the checks run."""
    if facts.released:
        ahead = tuple(a for a in facts.appointments if a.starts_at >= facts.now)
        facts = replace(facts, appointments=ahead)
    found = [
        *_timing(facts),
        *_clashes(facts),
        *_closed(facts),
        *_arrival(facts),
        *_health(facts),
        *_contacts(facts),
    ]
    return sorted(found, key=lambda f: f.severity is not Severity.BLOCKING)
