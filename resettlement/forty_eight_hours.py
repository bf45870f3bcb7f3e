"""The first 48-hour plan: appointments, contacts, and the published snapshot the person holds."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import ValidationInfo, field_validator
from sqlalchemy import func
from sqlmodel import Field, Session, SQLModel, col, select

from resettlement import audit, clock, history, plan_checks
from resettlement.actors import Actor
from resettlement.errors import (
    GuardRefused,
    InvalidInput,
    NotFound,
    PlanChecksFailed,
    UnmetCondition,
    WarningsNotAccepted,
)
from resettlement.models import (
    Appointment,
    AppointmentCreate,
    AppointmentKind,
    ContactKind,
    PublishedPlan,
    ReleasePlan,
    SupportContact,
    SupportContactCreate,
    appointment_problem,
)
from resettlement.plan_snapshot import latest as latest_or_none
from resettlement.plan_snapshot import note_change, snapshot, walk_out_date_was
from resettlement.plans import load_open_plan
from resettlement.transactions import commit, service
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
    note_change(session, plan, actor)
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
    note_change(session, plan, actor)
    audit.record(session, actor, "add_contact", "plan", plan.id)
    commit(session, "plan")
    return contact


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
    *,
    session: Session,
    actor: Actor,
    plan_id: int,
    expected_version: int,
    accept_warnings_reason: str | None = None,
    checked_at: datetime | None = None,
) -> PublishedPlan:
    """Publishes the plan as it stands, once the plan checks pass: blocking findings refuse it,
    and warnings need the officer's reason for accepting them, which the history keeps.
    `checked_at` is now unless given (the demo publishes plans as of before walk-out)."""
    plan = load_open_plan(session, plan_id, expected_version)
    unmet = publish_unmet(plan)
    if unmet:
        raise GuardRefused("publish", unmet)
    found = plan_checks.findings(session, plan, now=checked_at)
    if plan_checks.blocking(found):
        raise PlanChecksFailed(plan_checks.failures(plan_checks.blocking(found)))
    warned = plan_checks.warnings(found)
    reason = (accept_warnings_reason or "").strip()
    if warned and not reason:
        raise WarningsNotAccepted(plan_checks.failures(warned))
    number = (
        session.exec(
            select(func.max(PublishedPlan.number)).where(PublishedPlan.plan_id == plan_id)
        ).one()
        or 0
    ) + 1
    shown = snapshot(session, plan)
    was = walk_out_date_was(latest_or_none(session, plan_id), shown["walk_out_date"])
    if was is not None:
        shown["walk_out_date_was"] = was
    published = PublishedPlan(
        plan_id=plan_id,
        number=number,
        snapshot=shown,
        published_by=actor.user_id,
    )
    plan.published_out_of_date = False
    session.add(published)
    history.record(session, plan, actor, "published", detail={"number": number})
    if warned:
        history.record(
            session,
            plan,
            actor,
            "plan_check_warnings_accepted",
            reason=reason,
            detail={
                "number": number,
                "warnings": [
                    {"check": f.check_id, "subject": f.subject, "message": f.message}
                    for f in warned
                ],
            },
        )
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
    note_change(session, plan, actor)
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
    note_change(session, plan, actor)
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
    note_change(session, plan, actor)
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
    session.flush()
    note_change(session, plan, actor)
    audit.record(session, actor, "remove_contact", "plan", plan.id)
    commit(session, "plan")
