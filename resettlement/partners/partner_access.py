"""What a partner (staff of a voluntary organisation) may see: the people referred to their
organisation whose consent to share with it is live, and of each only the consented sections.

Every referral a partner is shown carries the referral's own facts (the person's name, what
they want help with, the walk-out date the help is for). Anything else of the plan comes only
with a section of the person's live consent: the first-night address, appointments, contacts,
health (reasonable adjustments and health-related needs) and protected characteristics. Each
read is audited, as a staff read is; a refused one is audited as denied.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from resettlement import audit, clock
from resettlement.actors import Actor, Role
from resettlement.errors import NotFound
from resettlement.models import Appointment, Person, ReleasePlan, SupportContact
from resettlement.partners.referral_lifecycle import ReferralState
from resettlement.partners.referrals import (
    Referral,
    ReferralUpdate,
    UpdateKind,
    describe,
    live_consent,
    partners_referral,
    updates,
)
from resettlement.privacy import consents
from resettlement.privacy.consents import ConsentKind, Section
from resettlement.transactions import commit, service
from rules.checklists import Need

# Needs that say something about a person's health: shown only with the health section.
HEALTH_NEEDS = frozenset({Need.LEARNING_DISABILITY.value, Need.AUTISM_OR_ADHD.value})


@dataclass(frozen=True)
class PartnerView:
    referral: dict[str, Any]
    person: dict[str, Any]
    sections: list[str]
    shared: dict[str, Any]
    updates: list[dict[str, Any]]
    allowed: list[str]


def _consented_referrals(session: Session, actor: Actor) -> list[Referral]:
    """Referrals to the partner's organisation, past draft, whose person has a live consent to
    share with it: one query for the consents, one for the referrals."""
    if actor.role != Role.PARTNER or actor.organisation_id is None:
        return []
    organisation = str(actor.organisation_id)
    candidates = list(
        session.exec(
            select(Referral)
            .where(
                Referral.organisation_id == actor.organisation_id,
                Referral.state != ReferralState.DRAFT.value,
            )
            .order_by(col(Referral.due_date), col(Referral.id))
        ).all()
    )
    people = {r.person_id for r in candidates}
    consenting = {
        c.person_id
        for person_id in people
        for c in consents.live_consents(
            session, person_id, ConsentKind.SHARING_WITH_PARTNER, with_whom_id=organisation
        )
    }
    return [r for r in candidates if r.person_id in consenting]


@service
def list_referrals(*, session: Session, actor: Actor) -> list[dict[str, Any]]:
    """The partner's referrals, soonest answer due first; each shown is audited."""
    found = _consented_referrals(session, actor)
    people = {
        p.id: p
        for p in session.exec(
            select(Person).where(col(Person.id).in_({r.person_id for r in found}))
        ).all()
    }
    plans = {
        p.id: p
        for p in session.exec(
            select(ReleasePlan).where(col(ReleasePlan.id).in_({r.plan_id for r in found}))
        ).all()
    }
    rows = []
    for referral in found:
        person = people[referral.person_id]
        plan = plans[referral.plan_id]
        rows.append(describe(session, referral) | _identity(person, plan))
    audit.record_each(session, actor, "partner_read_referral", "referral", [r.id for r in found])
    commit(session, "audit")
    return rows


def _identity(person: Person, plan: ReleasePlan) -> dict[str, Any]:
    return {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "walk_out_date": plan.walk_out_date.isoformat() if plan.walk_out_date else None,
    }


@service
def open_referral(*, session: Session, actor: Actor, referral_id: int) -> PartnerView:
    """One referral with the consented sections of the person's plan, audited; a referral the
    partner may not see is a 404, audited as denied."""
    referral = partners_referral(session, actor, referral_id)
    consent = live_consent(session, referral)
    if consent is None:  # withdrawn between the two reads: the same answer as no referral
        audit.record_denied(session, actor, "referral", referral_id)
        raise NotFound(f"There is no referral with id {referral_id}.")
    sections = list(consent.scope)
    person = session.get(Person, referral.person_id)
    plan = session.get(ReleasePlan, referral.plan_id)
    assert person is not None and plan is not None
    shared = shared_sections(session, person, plan, sections)
    view = PartnerView(
        referral=describe(session, referral),
        person=_identity(person, plan),
        sections=sections,
        shared=shared,
        updates=[_update(u) for u in updates(session, referral_id)],
        allowed=_partner_actions(referral.state),
    )
    audit.record(session, actor, "partner_read_referral", "referral", referral_id)
    commit(session, "audit")
    return view


def _update(update: ReferralUpdate) -> dict[str, Any]:
    return {
        "id": update.id,
        "at": update.at.isoformat(),
        "kind": update.kind,
        "flag_kind": update.flag_kind,
        "from_state": update.from_state,
        "to_state": update.to_state,
        "text": update.text,
        "by_role": update.actor_role,
    }


def _partner_actions(state: str) -> list[str]:
    actions = {
        ReferralState.SENT.value: ["accept", "decline", "note", "flag"],
        ReferralState.ACCEPTED.value: ["start", "appointment", "progress", "note", "flag"],
        ReferralState.IN_PROGRESS.value: ["complete", "appointment", "progress", "note", "flag"],
        ReferralState.COMPLETED.value: ["progress", "note", "flag"],
    }
    return actions.get(state, [])


def shared_sections(
    session: Session, person: Person, plan: ReleasePlan, sections: list[str]
) -> dict[str, Any]:
    """The consented sections of the plan as it is now: nothing outside `sections` is read."""
    shared: dict[str, Any] = {}
    if Section.FIRST_NIGHT_ADDRESS.value in sections:
        shared[Section.FIRST_NIGHT_ADDRESS.value] = {
            "address": plan.accommodation_address,
            "ask_for": plan.accommodation_contact,
            "from": plan.accommodation_from,
        }
    if Section.APPOINTMENTS.value in sections:
        shared[Section.APPOINTMENTS.value] = [
            {
                "kind": str(a.kind),
                "starts_at": clock.london(a.starts_at).isoformat(),
                "location": a.location,
                "with_whom": a.with_whom,
            }
            for a in session.exec(
                select(Appointment)
                .where(Appointment.plan_id == plan.id)
                .order_by(col(Appointment.starts_at))
            ).all()
        ]
    if Section.CONTACTS.value in sections:
        shared[Section.CONTACTS.value] = [
            {"kind": str(c.kind), "name": c.name, "phone": c.phone, "hours": c.hours}
            for c in session.exec(
                select(SupportContact)
                .where(SupportContact.plan_id == plan.id)
                .order_by(col(SupportContact.id))
            ).all()
        ]
    if Section.HEALTH.value in sections:
        shared[Section.HEALTH.value] = {
            "reasonable_adjustments": person.reasonable_adjustments,
            "needs": sorted(str(n) for n in person.needs if str(n) in HEALTH_NEEDS),
        }
    if Section.CHARACTERISTICS.value in sections:
        shared[Section.CHARACTERISTICS.value] = {
            "ethnic_group": person.ethnic_group,
            "sex": person.sex,
            "disability": person.disability,
            "religion": person.religion,
        }
    return shared


__all__ = ["PartnerView", "UpdateKind", "list_referrals", "open_referral", "shared_sections"]
