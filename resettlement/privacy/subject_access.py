"""Subject access: everything the service holds about a person, in one export.

The person, their history, each plan with its history, checklist, appointments, contacts,
goals, published versions, early-release requests and decisions, the notifications sent about
it and the sign-in links issued for it (never a link's secret, not even its hash), their
consents, and every audit row about them: who read or changed their record, and when.

Every column of each row is exported as stored, so nothing held is left out by a field list
that fell behind the tables; only the link secrets' hashes are withheld. The export is audited
in its own transaction, before the trail is read, so the export lists itself too.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import String, and_, cast, or_
from sqlmodel import Session, SQLModel, col, select

from resettlement import audit, clock, people
from resettlement.actors import Actor, Role
from resettlement.errors import Forbidden
from resettlement.leaver_access import LeaverLink
from resettlement.models import (
    Appointment,
    AuditEvent,
    ChecklistItem,
    EarlyReleaseRequest,
    Goal,
    Person,
    PersonEvent,
    PlanEvent,
    PublishedPlan,
    ReleasePlan,
    SupportContact,
)
from resettlement.notifications import Notification
from resettlement.partners.referrals import Referral, ReferralUpdate, referrals_for_plan
from resettlement.partners.supporters import SupporterLink
from resettlement.privacy.consents import Consent
from resettlement.transactions import commit, service
from resettlement.voice.models import VoiceAnswer

# Columns never exported: a link's secret is only ever stored as its hash, and even the hash
# would let someone holding the export test guesses offline.
# The same for a supporter's link, and its check question's answer: the person's and the
# supporter's shared secret, kept only as a salted hash.
WITHHELD = {
    "leaver_link": frozenset({"secret_hash"}),
    "supporter_link": frozenset({"secret_hash", "answer_salt", "answer_hash"}),
}
EXPORT_ACTION = "subject_access_export"


def plain(value: Any) -> Any:
    """A stored value as JSON: instants in UTC ISO 8601, days as YYYY-MM-DD."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def row(record: SQLModel) -> dict[str, Any]:
    table = record.__table__  # type: ignore[attr-defined]
    withheld = WITHHELD.get(table.name, frozenset())
    return {
        column.name: plain(getattr(record, column.key))
        for column in table.columns
        if column.name not in withheld
    }


def _rows(session: Session, model: type[SQLModel], *where: Any) -> list[dict[str, Any]]:
    pk = model.__table__.primary_key.columns.values()[0]  # type: ignore[attr-defined]
    return [row(r) for r in session.exec(select(model).where(*where).order_by(pk)).all()]


def audit_rows_about(session: Session, person_id: int) -> list[AuditEvent]:
    """Every audit row about the person: their record, each of their plans, each of their
    early-release requests and each referral of theirs (what a partner read, and when)."""
    plan_ids = select(cast(col(ReleasePlan.id), String)).where(
        col(ReleasePlan.person_id) == person_id
    )
    request_ids = (
        select(cast(col(EarlyReleaseRequest.id), String))
        .join(ReleasePlan, col(ReleasePlan.id) == col(EarlyReleaseRequest.plan_id))
        .where(col(ReleasePlan.person_id) == person_id)
    )
    referral_ids = select(cast(col(Referral.id), String)).where(
        col(Referral.person_id) == person_id
    )
    statement = (
        select(AuditEvent)
        .where(
            or_(
                and_(
                    col(AuditEvent.object_type) == "person",
                    col(AuditEvent.object_id) == str(person_id),
                ),
                and_(
                    col(AuditEvent.object_type) == "plan", col(AuditEvent.object_id).in_(plan_ids)
                ),
                and_(
                    col(AuditEvent.object_type) == "early_release_request",
                    col(AuditEvent.object_id).in_(request_ids),
                ),
                and_(
                    col(AuditEvent.object_type) == "referral",
                    col(AuditEvent.object_id).in_(referral_ids),
                ),
            )
        )
        .order_by(col(AuditEvent.id))
    )
    return list(session.exec(statement).all())


def may_export(session: Session, actor: Actor, person: Person) -> bool:
    """An admin, or an officer who may see the person (named on one of their plans)."""
    return actor.role == Role.ADMIN or (
        actor.role == Role.PROBATION_OFFICER and people.may_see(session, actor, person)
    )


@service
def export_person(
    *, session: Session, actor: Actor, person_id: int, persons_request: bool = False
) -> dict[str, Any]:
    """Everything held about the person, as JSON-ready data. An officer exports only on the
    person's own request (they say so); an admin for any lawful request. Audited first."""
    person = session.get(Person, person_id)
    if person is None or not may_export(session, actor, person):
        if person is not None:
            audit.record_denied(session, actor, "person", person_id)
        raise people.no_such_person(person_id)
    if actor.role == Role.PROBATION_OFFICER and not persons_request:
        # Not a malformed request: the officer's role allows this only on the person's request.
        raise Forbidden(
            "An officer exports a person's record only when the person asks for it: confirm "
            "that they asked (persons_request=true)."
        )
    audit.record(session, actor, EXPORT_ACTION, "person", person_id)
    commit(session, "audit")
    plans = list(
        session.exec(
            select(ReleasePlan)
            .where(ReleasePlan.person_id == person_id)
            .order_by(col(ReleasePlan.id))
        ).all()
    )
    exported_plans = []
    for plan in plans:
        assert plan.id is not None
        requests = _rows(session, EarlyReleaseRequest, EarlyReleaseRequest.plan_id == plan.id)
        request_ids = [r["id"] for r in requests]
        exported_plans.append(
            {
                **row(plan),
                "history": _rows(session, PlanEvent, PlanEvent.plan_id == plan.id),
                "checklist": _rows(session, ChecklistItem, ChecklistItem.plan_id == plan.id),
                "appointments": _rows(session, Appointment, Appointment.plan_id == plan.id),
                "contacts": _rows(session, SupportContact, SupportContact.plan_id == plan.id),
                "goals": _rows(session, Goal, Goal.plan_id == plan.id),
                "published_versions": _rows(
                    session, PublishedPlan, PublishedPlan.plan_id == plan.id
                ),
                "early_release_requests": requests,
                "notifications": _rows(
                    session,
                    Notification,
                    or_(
                        col(Notification.plan_id) == plan.id,
                        col(Notification.request_id).in_(request_ids or [-1]),
                    ),
                ),
                "sign_in_links": _rows(session, LeaverLink, LeaverLink.plan_id == plan.id),
                "supporters": _rows(session, SupporterLink, SupporterLink.plan_id == plan.id),
                "referrals": [
                    {
                        **row(referral),
                        "updates": _rows(
                            session, ReferralUpdate, ReferralUpdate.referral_id == referral.id
                        ),
                    }
                    for referral in referrals_for_plan(session, plan.id)
                ],
                "first_days_answers": _rows(session, VoiceAnswer, VoiceAnswer.plan_id == plan.id),
            }
        )
    data = {
        "export": {
            "generated_at": plain(clock.now()),
            "generated_by": actor.user_id,
            "generated_by_role": actor.role.value,
            "on_the_persons_request": persons_request,
            "withheld": {table: sorted(columns) for table, columns in WITHHELD.items()},
        },
        "person": row(person),
        "person_history": _rows(session, PersonEvent, PersonEvent.person_id == person_id),
        "consents": _rows(session, Consent, Consent.person_id == person_id),
        "plans": exported_plans,
        "audit_trail": [row(e) for e in audit_rows_about(session, person_id)],
    }
    session.rollback()
    return data
