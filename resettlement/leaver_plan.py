"""The person's own view of a published 48-hour plan: the parts of the snapshot they need, in
the order they need them, as plain values. Words are message ids; the pages translate them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from resettlement import clock
from rules import universal_credit
from rules.nations import Nation


def N_(message: str) -> str:
    """Marks a message id for the catalogue; the page translates it when it shows it."""
    return message


APPOINTMENT_TITLES = {
    "probation": N_("Probation appointment"),
    "gp": N_("GP appointment"),
    "jobcentre": N_("Jobcentre appointment"),
    "housing": N_("Housing appointment"),
    "drug_and_alcohol": N_("Drug and alcohol service appointment"),
    "mental_health": N_("Mental health appointment"),
    "other": N_("Appointment"),
}
# Probation first, as the licence requires; then by time.
APPOINTMENT_ORDER = [
    "probation",
    "gp",
    "jobcentre",
    "housing",
    "drug_and_alcohol",
    "mental_health",
    "other",
]
CONTACT_TITLES = {
    "probation_officer": N_("Your probation officer"),
    "out_of_hours": N_("Out of hours"),
    "support_organisation": N_("Support"),
    "helpline": N_("Helpline"),
}
CONTACT_ORDER = ["probation_officer", "out_of_hours", "support_organisation", "helpline"]

# One sentence per checklist item: what it means for the person when it is done, and when not.
CHECKLIST_SENTENCES: dict[str, tuple[str, str]] = {
    "id_documents": (
        N_("You have proof of who you are (ID)."),
        N_("You do not have ID yet. Ask your probation officer to help you get it."),
    ),
    "bank_account": (
        N_("You have a bank account."),
        N_("You do not have a bank account yet. Ask your probation officer to help you open one."),
    ),
    "universal_credit": (
        N_("Your Universal Credit claim has been started."),
        N_("Your Universal Credit claim has not started. Ask at the Jobcentre on your first day."),
    ),
    "travel_pass": (
        N_("You have a travel pass or tickets."),
        N_("Ask at the gate how you will travel."),
    ),
    "gp_registration": (
        N_("You are registered with a GP."),
        N_("You are not registered with a GP yet. Ask your probation officer which GP to go to."),
    ),
    "medication_and_script": (
        N_("You have your medicine and a prescription to get more."),
        N_("Ask the prison healthcare team about your medicine before you leave."),
    ),
    "mobile_phone": (
        N_("You have a mobile phone with credit."),
        N_("You do not have a phone with credit yet. Ask your probation officer."),
    ),
}
MONEY_KEYS = ("id_documents", "bank_account", "universal_credit")
HEALTH_KEYS = ("gp_registration", "medication_and_script")
TRAVEL_KEYS = ("travel_pass",)


@dataclass(frozen=True)
class ChecklistLine:
    key: str
    done: bool
    sentence: str


@dataclass(frozen=True)
class AppointmentLine:
    id: int
    kind: str
    title: str
    starts_at: datetime
    location: str
    with_whom: str
    what_to_bring: str | None
    sequence: int


@dataclass(frozen=True)
class ContactLine:
    kind: str
    title: str
    name: str
    phone: str
    hours: str | None


@dataclass
class LeaverPlan:
    given_name: str
    language: str
    walk_out_date: date | None
    address: str | None
    ask_for: str | None
    arrive_from: str | None
    travel: str | None
    appointments: list[AppointmentLine] = field(default_factory=list)
    contacts: list[ContactLine] = field(default_factory=list)
    money: list[ChecklistLine] = field(default_factory=list)
    health: list[ChecklistLine] = field(default_factory=list)
    travel_items: list[ChecklistLine] = field(default_factory=list)
    universal_credit_first_payment: date | None = None
    gp_appointments: list[AppointmentLine] = field(default_factory=list)
    goals: list[dict[str, str]] = field(default_factory=list)
    # The walk-out date the person held before this one, while it differs.
    walk_out_date_was: date | None = None


def _appointment(a: dict[str, Any]) -> AppointmentLine:
    kind = a["kind"] if a["kind"] in APPOINTMENT_TITLES else "other"
    return AppointmentLine(
        id=int(a["id"]),
        kind=kind,
        title=APPOINTMENT_TITLES[kind],
        starts_at=clock.london(datetime.fromisoformat(a["starts_at"])),
        location=a["location"],
        with_whom=a["with_whom"],
        what_to_bring=a.get("what_to_bring"),
        sequence=int(a.get("sequence") or 0),
    )


def appointments(snapshot: dict[str, Any]) -> list[AppointmentLine]:
    """In time order. The probation appointment is the first the person must go to."""
    return sorted(
        (_appointment(a) for a in snapshot.get("appointments", [])),
        key=lambda a: (a.starts_at, APPOINTMENT_ORDER.index(a.kind)),
    )


def from_snapshot(snapshot: dict[str, Any]) -> LeaverPlan:
    stay = snapshot.get("accommodation") or {}
    walk_out = snapshot.get("walk_out_date")
    checklist = {i["key"]: i for i in snapshot.get("checklist", [])}

    def lines(keys: tuple[str, ...]) -> list[ChecklistLine]:
        found = []
        for key in keys:
            item = checklist.get(key)
            if item is None or item.get("status") == "not_needed":
                continue
            done = item.get("status") == "done"
            sentences = CHECKLIST_SENTENCES[key]
            found.append(ChecklistLine(key, done, sentences[0] if done else sentences[1]))
        return found

    contacts = [
        ContactLine(
            kind=c["kind"],
            title=CONTACT_TITLES.get(c["kind"], CONTACT_TITLES["support_organisation"]),
            name=c["name"],
            phone=c["phone"],
            hours=c.get("hours"),
        )
        for c in snapshot.get("contacts", [])
    ]
    contacts.sort(
        key=lambda c: CONTACT_ORDER.index(c.kind) if c.kind in CONTACT_ORDER else len(CONTACT_ORDER)
    )
    walk_out_date = date.fromisoformat(walk_out) if walk_out else None
    uc = checklist.get("universal_credit")
    travel = snapshot.get("travel")
    # Written travel instructions already say how the person travels: "Ask at the gate how you
    # will travel" beneath them would contradict them.
    travel_items = [line for line in lines(TRAVEL_KEYS) if line.done or not (travel or "").strip()]
    plan = LeaverPlan(
        given_name=snapshot.get("given_name", ""),
        language=snapshot.get("preferred_language", "en"),
        walk_out_date=walk_out_date,
        address=stay.get("address"),
        ask_for=stay.get("ask_for"),
        arrive_from=stay.get("from"),
        travel=travel,
        appointments=appointments(snapshot),
        contacts=contacts,
        money=lines(MONEY_KEYS),
        health=lines(HEALTH_KEYS),
        travel_items=travel_items,
        goals=list(snapshot.get("goals", [])),
    )
    was = snapshot.get("walk_out_date_was")
    plan.walk_out_date_was = date.fromisoformat(was) if was else None
    if walk_out_date and uc is not None and uc.get("status") == "done":
        # A snapshot published before the nation was kept in it falls back to England and
        # Wales's calendar; publishing the plan again brings in the person's own.
        nation = snapshot.get("nation") or Nation.ENGLAND_AND_WALES
        plan.universal_credit_first_payment = universal_credit.first_payment(walk_out_date, nation)
    plan.gp_appointments = [a for a in plan.appointments if a.kind == "gp"]
    return plan
