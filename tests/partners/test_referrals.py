"""Referrals through the services: consent recorded with the referral, the partner's narrow
view, withdrawal cutting access at once, appointments reaching the 48-hour plan, flags reaching
the officer, and every read and change audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta

import pytest
from sqlmodel import Session, col, select

from resettlement import audit, clock
from resettlement.errors import ConflictsWithRecord, GuardRefused, NotFound, VersionConflict
from resettlement.models import Appointment, AuditEvent, Person, ReleasePlan
from resettlement.partners import partner_access, referrals
from resettlement.partners.referrals import FlagKind, OfferedAppointment, Referral, UpdateKind
from resettlement.privacy import consents
from resettlement.privacy.consents import Consent, ConsentKind
from tests.partners.conftest import OFFICER, Directory, partner

Refer = Callable[..., Referral]


def _audited(session: Session, action: str, object_id: object) -> list[AuditEvent]:
    return list(
        session.exec(
            select(AuditEvent).where(
                AuditEvent.action == action, AuditEvent.object_id == str(object_id)
            )
        ).all()
    )


def _tomorrow_at(hour: int) -> datetime:
    return datetime.combine(clock.today() + timedelta(days=1), time(hour), tzinfo=clock.LONDON)


def test_a_referral_records_the_persons_consent_with_it(
    session: Session, new_plan: Callable[..., ReleasePlan], refer: Refer, directory: Directory
) -> None:
    plan = new_plan()
    referral = refer(plan, sections=("first_night_address", "appointments"), send=False)
    assert referral.state == "draft"
    consent = session.exec(select(Consent).where(Consent.person_id == plan.person_id)).one()
    assert consent.kind == ConsentKind.SHARING_WITH_PARTNER.value
    assert consent.with_whom_id == str(directory.housing_org)
    assert consent.with_whom_name == "Made Up Housing Trust"
    assert consent.scope == ["appointments", "first_night_address"]
    assert _audited(session, "referral_made", plan.id)


def test_a_referral_for_a_need_the_service_does_not_meet_writes_nothing(
    session: Session, new_plan: Callable[..., ReleasePlan], refer: Refer
) -> None:
    plan = new_plan()
    with pytest.raises(ConflictsWithRecord, match="does not list help"):
        refer(plan, need="employment")
    assert session.exec(select(Referral)).all() == []
    assert session.exec(select(Consent)).all() == []


def test_another_officer_cannot_refer_from_a_plan_not_theirs(
    session: Session, new_plan: Callable[..., ReleasePlan], directory: Directory
) -> None:
    from resettlement.actors import Actor, Role

    plan = new_plan()
    assert plan.id is not None
    other = Actor(user_id="po-other", role=Role.PROBATION_OFFICER)
    with pytest.raises(NotFound):
        referrals.make_referral(
            session=session,
            actor=other,
            plan_id=plan.id,
            request=referrals.ReferralRequest(
                service_id=directory.housing_service,
                need="accommodation",
                help_wanted="A bed",
                sections=("first_night_address",),
                consent_until=clock.today() + timedelta(days=30),
            ),
        )
    assert _audited(session, "denied", plan.id)
    assert session.exec(select(Referral)).all() == []


def test_the_partner_sees_only_its_own_consented_referrals_and_sections(
    session: Session, new_plan: Callable[..., ReleasePlan], refer: Refer, directory: Directory
) -> None:
    plan = new_plan(person={"reasonable_adjustments": "Uses a wheelchair"})
    plan.accommodation_address = "Flat 1, 2 Made Up Road, Leeds"
    session.add(plan)
    session.commit()
    housing = refer(plan)
    work = refer(new_plan(), service_id=directory.work_service, need="employment")
    draft = refer(new_plan(), send=False)

    listed = partner_access.list_referrals(session=session, actor=partner(directory.housing_org))
    assert [row["id"] for row in listed] == [housing.id]
    view = partner_access.open_referral(
        session=session, actor=partner(directory.housing_org), referral_id=housing.id
    )
    assert view.sections == ["first_night_address"]
    assert view.shared == {
        "first_night_address": {
            "address": "Flat 1, 2 Made Up Road, Leeds",
            "ask_for": None,
            "from": None,
        }
    }
    person = session.get(Person, plan.person_id)
    assert person is not None
    # Health and protected characteristics are not consented: not a key of the view at all.
    assert "Uses a wheelchair" not in repr(view)
    assert _audited(session, "partner_read_referral", housing.id)

    for hidden in (work, draft):
        with pytest.raises(NotFound):
            partner_access.open_referral(
                session=session, actor=partner(directory.housing_org), referral_id=hidden.id
            )
        assert _audited(session, "denied", hidden.id)


def test_withdrawing_consent_cuts_the_partner_off_at_once(
    session: Session, new_plan: Callable[..., ReleasePlan], refer: Refer, directory: Directory
) -> None:
    referral = refer(new_plan())
    the_partner = partner(directory.housing_org)
    partner_access.open_referral(session=session, actor=the_partner, referral_id=referral.id)
    consent = session.exec(select(Consent)).one()
    assert consent.id is not None
    consents.withdraw_consent(session=session, actor=OFFICER, consent_id=consent.id)
    with pytest.raises(NotFound):
        partner_access.open_referral(session=session, actor=the_partner, referral_id=referral.id)
    assert partner_access.list_referrals(session=session, actor=the_partner) == []
    with pytest.raises(NotFound):
        referrals.accept_referral(
            session=session,
            actor=the_partner,
            referral_id=referral.id,
            expected_version=referral.version,
        )
    assert session.get(Referral, referral.id).state == "sent"  # type: ignore[union-attr]


def test_an_accepted_referrals_appointment_joins_the_48_hour_plan(
    session: Session, new_plan: Callable[..., ReleasePlan], refer: Refer, directory: Directory
) -> None:
    plan = new_plan()
    referral = refer(plan)
    accepted = referrals.accept_referral(
        session=session,
        actor=partner(directory.housing_org),
        referral_id=referral.id,
        expected_version=referral.version,
        appointment=OfferedAppointment(_tomorrow_at(10), "12 Made Up Street, Leeds"),
    )
    assert accepted.state == "accepted"
    appointment = session.get(Appointment, accepted.appointment_id)
    assert appointment is not None and appointment.plan_id == plan.id
    assert appointment.kind == "housing"
    assert appointment.with_whom == "Night shelter referrals, Made Up Housing Trust"
    with pytest.raises(VersionConflict):
        referrals.partner_step(
            session=session,
            actor=partner(directory.housing_org),
            referral_id=referral.id,
            expected_version=referral.version - 1,
            event="start",
        )
    closed = referrals.close_referral(
        session=session,
        actor=OFFICER,
        referral_id=referral.id,
        expected_version=accepted.version,
        reason="The person moved to another area.",
    )
    assert closed.state == "closed" and closed.appointment_id is None
    assert session.get(Appointment, appointment.id) is None


def test_a_partner_flags_a_risk_and_the_officer_sees_it_until_marked_seen(
    session: Session, new_plan: Callable[..., ReleasePlan], refer: Refer, directory: Directory
) -> None:
    plan = new_plan()
    referral = refer(plan)
    the_partner = partner(directory.housing_org)
    referral = referrals.accept_referral(
        session=session, actor=the_partner, referral_id=referral.id, expected_version=1 + 1
    )
    flag = referrals.add_update(
        session=session,
        actor=the_partner,
        referral_id=referral.id,
        kind=UpdateKind.FLAG,
        flag_kind=FlagKind.RISK,
        text="Said he may not go to the hostel because of who else stays there.",
    )
    assert plan.id is not None
    assert referrals.open_flags(session, [plan.id]) == {plan.id: 1}
    assert flag.id is not None
    referrals.mark_flag_seen(session=session, actor=OFFICER, update_id=flag.id)
    assert referrals.open_flags(session, [plan.id]) == {}
    assert _audited(session, "referral_flag", referral.id)
    assert _audited(session, "referral_flag_seen", referral.id)


def test_declining_needs_a_reason_and_ends_the_referral(
    session: Session, new_plan: Callable[..., ReleasePlan], refer: Refer, directory: Directory
) -> None:
    referral = refer(new_plan())
    the_partner = partner(directory.housing_org)
    with pytest.raises(GuardRefused):
        referrals.partner_step(
            session=session,
            actor=the_partner,
            referral_id=referral.id,
            expected_version=referral.version,
            event="decline",
            reason=" ",
        )
    declined = referrals.partner_step(
        session=session,
        actor=the_partner,
        referral_id=referral.id,
        expected_version=referral.version,
        event="decline",
        reason="No beds for men this month.",
    )
    assert declined.state == "declined" and declined.outcome_reason == "No beds for men this month."
    steps = [u.to_state for u in referrals.updates(session, referral.id)]  # type: ignore[arg-type]
    assert steps == ["draft", "sent", "declined"]


def test_a_partner_of_another_organisation_is_told_nothing_and_audited(
    session: Session, new_plan: Callable[..., ReleasePlan], refer: Refer, directory: Directory
) -> None:
    referral = refer(new_plan())
    stranger = partner(directory.work_org, "partner-work")
    with pytest.raises(NotFound):
        referrals.accept_referral(
            session=session, actor=stranger, referral_id=referral.id, expected_version=2
        )
    rows = audit.events(session, actor="partner-work")
    assert [(r.action, r.object_id) for r in rows] == [("denied", str(referral.id))]
    assert session.exec(select(Referral).where(col(Referral.state) == "accepted")).all() == []
