"""The first 48-hour plan: appointments, contacts, and the published snapshot the person holds."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import ValidationInfo, field_validator
from sqlalchemy import func
from sqlmodel import Field, Session, SQLModel, col, select

from resettlement import audit, clock, history
from resettlement.actors import Actor
from resettlement.errors import GuardRefused, InvalidInput, NotFound, UnmetCondition
from resettlement.models import (
    Appointment,
    AppointmentCreate,
    AppointmentKind,
    ChecklistItem,
    ContactKind,
    Goal,
    Person,
    PublishedPlan,
    ReleasePlan,
    SupportContact,
    SupportContactCreate,
    appointment_problem,
)
from resettlement.plans import load_open_plan
from resettlement.transactions import commit, get_or_404, service
from rules import phone_numbers

# Probation first: the licence requires it, and missing it can mean recall.
APPOINTMENT_ORDER = ["probation", "gp", "jobcentre", "housing", "drug_and_alcohol", "mental_health"]


@service
def add_appointment(
    *,
    session: Session,
    actor: Actor,
    plan_id: int,
    expected_version: int,
    data: AppointmentCreate,
    today: date | None = None,
) -> Appointment:
    """`today` is for the demo data, which replays the past; everyone else means today."""
    _check_time(data.starts_at, today)
    plan = load_open_plan(session, plan_id, expected_version)
    appointment = Appointment.model_validate({**data.model_dump(), "plan_id": plan_id})
    session.add(appointment)
    session.flush()
    history.record(
        session,
        plan,
        actor,
        "appointment_added",
        detail={"appointment_id": appointment.id, "kind": str(data.kind)},
    )
    audit.record(session, actor, "add_appointment", "plan", plan.id)
    commit(session, "plan")
    return appointment


def _check_time(starts_at: datetime | None, today: date | None) -> None:
    problem = starts_at and appointment_problem(starts_at, today or clock.today())
    if problem:
        raise InvalidInput(problem, field="starts_at")


@service
def add_contact(
    *,
    session: Session,
    actor: Actor,
    plan_id: int,
    expected_version: int,
    data: SupportContactCreate,
) -> SupportContact:
    plan = load_open_plan(session, plan_id, expected_version)
    contact = SupportContact.model_validate({**data.model_dump(), "plan_id": plan_id})
    session.add(contact)
    session.flush()
    history.record(session, plan, actor, "contact_added", detail={"contact_id": contact.id})
    audit.record(session, actor, "add_contact", "plan", plan.id)
    commit(session, "plan")
    return contact


def snapshot(session: Session, plan: ReleasePlan) -> dict[str, Any]:
    """What the person is shown: plain values only, so a published version never changes."""
    person = get_or_404(session, Person, plan.person_id, "person")
    appointments = session.exec(
        select(Appointment)
        .where(Appointment.plan_id == plan.id)
        .order_by(col(Appointment.starts_at))
    ).all()
    contacts = session.exec(
        select(SupportContact)
        .where(SupportContact.plan_id == plan.id)
        .order_by(col(SupportContact.id))
    ).all()
    items = session.exec(select(ChecklistItem).where(ChecklistItem.plan_id == plan.id)).all()
    goals = session.exec(
        select(Goal).where(Goal.plan_id == plan.id).order_by(col(Goal.position))
    ).all()
    return {
        "given_name": person.given_name,
        "preferred_language": str(person.preferred_language),
        "walk_out_date": plan.walk_out_date.isoformat() if plan.walk_out_date else None,
        "accommodation": {
            "address": plan.accommodation_address,
            "ask_for": plan.accommodation_contact,
            "from": plan.accommodation_from,
        },
        "travel": plan.travel_arrangements,
        "appointments": [
            {
                "id": a.id,
                "kind": str(a.kind),
                "starts_at": a.starts_at.isoformat(),
                "location": a.location,
                "with_whom": a.with_whom,
                "what_to_bring": a.what_to_bring,
                "sequence": a.sequence,
            }
            for a in appointments
        ],
        "contacts": [
            {"kind": str(c.kind), "name": c.name, "phone": c.phone, "hours": c.hours}
            for c in contacts
        ],
        "checklist": [
            {"key": i.key, "title": i.title, "status": str(i.status), "category": str(i.category)}
            for i in items
        ],
        "goals": [{"area": str(g.area), "in_their_words": g.in_their_words} for g in goals],
    }


def publish_unmet(plan: ReleasePlan) -> list[UnmetCondition]:
    """What must be in the plan before the person is shown it."""
    unmet = []
    if plan.walk_out_date is None:
        unmet.append(UnmetCondition("has_walk_out_date", "There is no walk-out date yet."))
    if not plan.accommodation_address:
        unmet.append(
            UnmetCondition(
                "has_accommodation_address",
                "Add where the person will sleep on the first night before publishing.",
            )
        )
    return unmet


@service
def publish(
    *, session: Session, actor: Actor, plan_id: int, expected_version: int
) -> PublishedPlan:
    plan = load_open_plan(session, plan_id, expected_version)
    unmet = publish_unmet(plan)
    if unmet:
        raise GuardRefused("publish", unmet)
    number = (
        session.exec(
            select(func.max(PublishedPlan.number)).where(PublishedPlan.plan_id == plan_id)
        ).one()
        or 0
    ) + 1
    published = PublishedPlan(
        plan_id=plan_id,
        number=number,
        snapshot=snapshot(session, plan),
        published_by=actor.user_id,
    )
    session.add(published)
    history.record(session, plan, actor, "published", detail={"number": number})
    audit.record(session, actor, "publish", "plan", plan.id)
    commit(session, "plan")
    return published


def latest_published(session: Session, plan_id: int) -> PublishedPlan:
    published = session.exec(
        select(PublishedPlan)
        .where(PublishedPlan.plan_id == plan_id)
        .order_by(col(PublishedPlan.number).desc())
        .limit(1)
    ).first()
    if published is None:
        raise NotFound("Your plan has not been published yet. Ask your probation officer.")
    return published


class AppointmentChange(SQLModel):
    """New values for an appointment; fields left out stay as they are."""

    kind: AppointmentKind | None = None
    starts_at: datetime | None = None
    location: str | None = Field(default=None, min_length=1, max_length=500)
    with_whom: str | None = Field(default=None, min_length=1, max_length=200)
    what_to_bring: str | None = Field(default=None, max_length=1000)

    @field_validator("starts_at")
    @classmethod
    def _aware(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("give the time with its offset, e.g. 2026-12-18T10:00:00+00:00")
        problem = value and appointment_problem(
            value, (info.context or {}).get("today") or clock.today()
        )
        if problem:
            raise ValueError(problem)
        return value


class ContactChange(SQLModel):
    """New values for a contact; fields left out stay as they are."""

    kind: ContactKind | None = None
    name: str | None = Field(default=None, min_length=1, max_length=200)
    phone: str | None = Field(default=None, min_length=3, max_length=40)
    hours: str | None = Field(default=None, max_length=200)
    notes: str | None = Field(default=None, max_length=1000)

    @field_validator("phone")
    @classmethod
    def _uk_number(cls, value: str | None) -> str | None:
        # A corrected number is checked and stored as a new one is (PHONE-UK, E.164).
        return None if value is None else phone_numbers.parse(value).e164


def _differences(record: SQLModel, changes: dict[str, Any]) -> dict[str, Any]:
    """Only the values that really differ: saving a form unchanged is not a change, so it
    writes no history, raises no calendar sequence and does not bump the plan's version."""
    return {name: value for name, value in changes.items() if getattr(record, name) != value}


def _plans_appointment(session: Session, plan_id: int, appointment_id: int) -> Appointment:
    appointment = session.get(Appointment, appointment_id)
    if appointment is None or appointment.plan_id != plan_id:
        raise NotFound(f"There is no appointment with id {appointment_id} in this plan.")
    return appointment


def _plans_contact(session: Session, plan_id: int, contact_id: int) -> SupportContact:
    contact = session.get(SupportContact, contact_id)
    if contact is None or contact.plan_id != plan_id:
        raise NotFound(f"There is no contact with id {contact_id} in this plan.")
    return contact


@service
def change_appointment(
    *,
    session: Session,
    actor: Actor,
    plan_id: int,
    appointment_id: int,
    expected_version: int,
    data: AppointmentChange,
) -> Appointment:
    """Moves or corrects an appointment. Its sequence goes up, so a calendar that imported it
    replaces the old event instead of keeping both. The person sees the change when the plan
    is next published."""
    _check_time(data.starts_at, None)
    plan = load_open_plan(session, plan_id, expected_version)
    appointment = _plans_appointment(session, plan_id, appointment_id)
    changes = _differences(appointment, data.model_dump(exclude_unset=True))
    if not changes:
        commit(session, "plan")
        return appointment
    for name, value in changes.items():
        setattr(appointment, name, value)
    appointment.sequence += 1
    history.record(
        session,
        plan,
        actor,
        "appointment_changed",
        detail={
            "appointment_id": appointment_id,
            "kind": str(appointment.kind),
            "fields": sorted(changes),
        },
    )
    audit.record(session, actor, "change_appointment", "plan", plan.id)
    commit(session, "plan")
    return appointment


@service
def cancel_appointment(
    *, session: Session, actor: Actor, plan_id: int, appointment_id: int, expected_version: int
) -> None:
    """Removes an appointment; the next published version no longer has it (the version the
    person holds keeps it until then)."""
    plan = load_open_plan(session, plan_id, expected_version)
    appointment = _plans_appointment(session, plan_id, appointment_id)
    session.delete(appointment)
    history.record(
        session,
        plan,
        actor,
        "appointment_cancelled",
        detail={
            "appointment_id": appointment_id,
            "kind": str(appointment.kind),
            "starts_at": appointment.starts_at.isoformat(),
        },
    )
    audit.record(session, actor, "cancel_appointment", "plan", plan.id)
    commit(session, "plan")


@service
def change_contact(
    *,
    session: Session,
    actor: Actor,
    plan_id: int,
    contact_id: int,
    expected_version: int,
    data: ContactChange,
) -> SupportContact:
    """Corrects a contact, such as a mistyped phone number."""
    plan = load_open_plan(session, plan_id, expected_version)
    contact = _plans_contact(session, plan_id, contact_id)
    changes = _differences(contact, data.model_dump(exclude_unset=True))
    if not changes:
        commit(session, "plan")
        return contact
    for name, value in changes.items():
        setattr(contact, name, value)
    history.record(
        session,
        plan,
        actor,
        "contact_changed",
        detail={"contact_id": contact_id, "name": contact.name, "fields": sorted(changes)},
    )
    audit.record(session, actor, "change_contact", "plan", plan.id)
    commit(session, "plan")
    return contact


@service
def remove_contact(
    *, session: Session, actor: Actor, plan_id: int, contact_id: int, expected_version: int
) -> None:
    """Removes a contact; the next published version no longer has it."""
    plan = load_open_plan(session, plan_id, expected_version)
    contact = _plans_contact(session, plan_id, contact_id)
    session.delete(contact)
    history.record(
        session,
        plan,
        actor,
        "contact_removed",
        detail={"contact_id": contact_id, "name": contact.name, "kind": str(contact.kind)},
    )
    audit.record(session, actor, "remove_contact", "plan", plan.id)
    commit(session, "plan")
