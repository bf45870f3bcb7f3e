"""The facts the plan checks (rules/plan_checks.py) look at, read from a plan's rows."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from resettlement import audit, clock
from resettlement.actors import Actor
from resettlement.errors import CheckFailure
from resettlement.models import (
    Appointment,
    AppointmentKind,
    ChecklistItem,
    ChecklistStatus,
    EarlyReleaseRequest,
    Person,
    PlanState,
    ReleasePlan,
    RequestState,
    ResettlementNeed,
    SupportContact,
)
from resettlement.transactions import commit, get_or_404, service
from rules.plan_checks import (
    AppointmentFact,
    ContactFact,
    Finding,
    PlanCheckFacts,
    Severity,
    check_plan,
)

# What tells the service that someone has health needs, in the words the finding uses.
HEALTH_NEEDS_ASSESSED: dict[str, str] = {
    ResettlementNeed.MENTAL_HEALTH: "mental health",
    ResettlementNeed.SUBSTANCE_MISUSE: "substance misuse",
    ResettlementNeed.MEDICATION: "medication",
    ResettlementNeed.MOBILITY: "mobility",
}
HEALTH_APPOINTMENTS: dict[str, str] = {
    AppointmentKind.MENTAL_HEALTH: "a mental health appointment",
    AppointmentKind.DRUG_AND_ALCOHOL: "a drug and alcohol service appointment",
}


def facts_for(
    session: Session, plan: ReleasePlan, *, now: datetime | None = None
) -> PlanCheckFacts:
    person = get_or_404(session, Person, plan.person_id, "person")
    appointments = session.exec(
        select(Appointment).where(Appointment.plan_id == plan.id).order_by(col(Appointment.id))
    ).all()
    contacts = session.exec(
        select(SupportContact)
        .where(SupportContact.plan_id == plan.id)
        .order_by(col(SupportContact.id))
    ).all()
    medication = session.exec(
        select(ChecklistItem.status).where(
            ChecklistItem.plan_id == plan.id, ChecklistItem.key == "medication_and_script"
        )
    ).first()
    assessed = session.exec(
        select(EarlyReleaseRequest.needs).where(
            EarlyReleaseRequest.plan_id == plan.id,
            EarlyReleaseRequest.state != RequestState.WITHDRAWN.value,
        )
    ).all()
    named = {str(n) for needs in assessed for n in (needs or [])}
    health = [
        f"{words} named in the early-release assessment"
        for need, words in HEALTH_NEEDS_ASSESSED.items()
        if need in named
    ]
    health += [
        words
        for kind, words in HEALTH_APPOINTMENTS.items()
        if any(a.kind == kind for a in appointments)
    ]
    return PlanCheckFacts(
        now=now or clock.now(),
        nation=person.nation,
        walk_out_date=plan.walk_out_date,
        appointments=tuple(
            AppointmentFact(a.id, str(a.kind), a.starts_at, a.location) for a in appointments
        ),
        contacts=tuple(ContactFact(c.name, c.phone) for c in contacts),
        accommodation_address=plan.accommodation_address,
        arrive_from=plan.accommodation_from,
        health_needs=tuple(health),
        gp_appointment=any(a.kind == AppointmentKind.GP for a in appointments),
        medication_ready=medication == ChecklistStatus.DONE,
        released=plan.state in (PlanState.RELEASED, PlanState.COMPLETED),
    )


def findings(session: Session, plan: ReleasePlan, *, now: datetime | None = None) -> list[Finding]:
    return check_plan(facts_for(session, plan, now=now))


def failures(found: list[Finding]) -> list[CheckFailure]:
    return [CheckFailure(f.check_id, str(f.severity), f.message, f.summary) for f in found]


def blocking(found: list[Finding]) -> list[Finding]:
    return [f for f in found if f.severity is Severity.BLOCKING]


def warnings(found: list[Finding]) -> list[Finding]:
    return [f for f in found if f.severity is Severity.WARNING]


@service
def check(*, session: Session, actor: Actor, plan_id: int) -> list[Finding]:
    """The findings for the officer, before they publish; reading them is audited."""
    plan = get_or_404(session, ReleasePlan, plan_id, "plan")
    found = findings(session, plan)
    audit.record(session, actor, "read_checks", "plan", plan_id)
    commit(session, "audit")
    return found
