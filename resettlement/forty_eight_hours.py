"""The first 48-hour plan: appointments, contacts, and the published snapshot the person holds."""

from __future__ import annotations

from datetime import datetime

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
    PublishedPlan,
    SupportContact,
    SupportContactCreate,
)
from resettlement.plan_snapshot import latest as latest_or_none
from resettlement.plan_snapshot import note_change, snapshot, walk_out_date_was
from resettlement.plans import load_open_plan
from resettlement.transactions import commit, service

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
    note_change(session, plan, actor)
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
    note_change(session, plan, actor)
    audit.record(session, actor, "add_contact", "plan", plan.id)
    commit(session, "plan")
    return contact


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
    note_change(session, plan, actor)
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
    note_change(session, plan, actor)
    audit.record(session, actor, "cancel_appointment", "plan", plan.id)
    commit(session, "plan")
