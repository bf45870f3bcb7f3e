"""The first 48-hour plan: appointments, contacts, and the published snapshot the person holds."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import field_validator
from sqlalchemy import func
from sqlmodel import Field, Session, SQLModel, col, select

from resettlement import audit, history, plan_checks
from resettlement.actors import Actor
from resettlement.errors import (
    GuardRefused,
    NotFound,
    PlanChecksFailed,
    UnmetCondition,
    WarningsNotAccepted,
)
from resettlement.models import (
    Appointment,
    AppointmentCreate,
    ChecklistItem,
    Goal,
    Person,
    PublishedPlan,
    ReleasePlan,
    SupportContact,
    SupportContactCreate,
)
from resettlement.plans import load_open_plan
from resettlement.transactions import commit, get_or_404, service

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
) -> Appointment:
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
    published = PublishedPlan(
        plan_id=plan_id,
        number=number,
        snapshot=snapshot(session, plan),
        published_by=actor.user_id,
    )
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

    starts_at: datetime | None = None
    location: str | None = Field(default=None, min_length=1, max_length=500)
    with_whom: str | None = Field(default=None, min_length=1, max_length=200)
    what_to_bring: str | None = Field(default=None, max_length=1000)

    @field_validator("starts_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("give the time with its offset, e.g. 2026-12-18T10:00:00+00:00")
        return value


def _plans_appointment(session: Session, plan_id: int, appointment_id: int) -> Appointment:
    appointment = session.get(Appointment, appointment_id)
    if appointment is None or appointment.plan_id != plan_id:
        raise NotFound(f"There is no appointment with id {appointment_id} in this plan.")
    return appointment


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
    replaces the old event instead of keeping both."""
    plan = load_open_plan(session, plan_id, expected_version)
    appointment = _plans_appointment(session, plan_id, appointment_id)
    changes = data.model_dump(exclude_unset=True)
    for name, value in changes.items():
        setattr(appointment, name, value)
    appointment.sequence += 1
    history.record(
        session,
        plan,
        actor,
        "appointment_changed",
        detail={"appointment_id": appointment_id, "fields": sorted(changes)},
    )
    audit.record(session, actor, "change_appointment", "plan", plan.id)
    commit(session, "plan")
    return appointment


@service
def cancel_appointment(
    *, session: Session, actor: Actor, plan_id: int, appointment_id: int, expected_version: int
) -> None:
    """Removes an appointment; the next published version no longer has it."""
    plan = load_open_plan(session, plan_id, expected_version)
    appointment = _plans_appointment(session, plan_id, appointment_id)
    session.delete(appointment)
    history.record(
        session,
        plan,
        actor,
        "appointment_cancelled",
        detail={"appointment_id": appointment_id, "kind": str(appointment.kind)},
    )
    audit.record(session, actor, "cancel_appointment", "plan", plan.id)
    commit(session, "plan")
