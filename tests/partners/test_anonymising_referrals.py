"""The person's export and their anonymisation reach what the partners' features hold about
them. Anonymising a person reaches what the partners' features hold about them: the words of
referrals and their updates go, supporters' links go, the import's report forgets the prison
number; what the referral reports count stays. An accepted referral's appointment does not
stop the anonymisation (the referral points at it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta

from sqlmodel import Session, select

from resettlement import clock
from resettlement.actors import Actor, Role
from resettlement.intake.models import IntakeRowOutcome, IntakeRun
from resettlement.models import Appointment, Person, ReleasePlan
from resettlement.partners import referrals, supporters
from resettlement.partners.referrals import FlagKind, OfferedAppointment, Referral, UpdateKind
from resettlement.partners.supporters import SupporterLink, SupporterRequest
from resettlement.privacy import retention, subject_access
from resettlement.web_sessions import SessionGeneration
from tests.partners.conftest import OFFICER, Directory, partner

DPO = Actor(user_id="admin-dpo", role=Role.ADMIN)


def test_anonymising_empties_referral_words_and_removes_supporters(
    session: Session,
    new_plan: Callable[..., ReleasePlan],
    refer: Callable[..., Referral],
    directory: Directory,
) -> None:
    plan = new_plan()
    assert plan.id is not None
    referral = refer(plan)
    the_partner = partner(directory.housing_org)
    starts = datetime.combine(clock.today() + timedelta(days=1), time(10), tzinfo=clock.LONDON)
    referral = referrals.accept_referral(
        session=session,
        actor=the_partner,
        referral_id=referral.id,
        expected_version=referral.version,
        appointment=OfferedAppointment(starts, "12 Made Up Street, Leeds"),
    )
    referral_id = referral.id
    appointment_id, service_id = referral.appointment_id, referral.service_id
    assert appointment_id is not None
    referrals.add_update(
        session=session,
        actor=the_partner,
        referral_id=referral.id,
        kind=UpdateKind.FLAG,
        flag_kind=FlagKind.RISK,
        text="Said he may not go to the hostel because of who else stays there.",
    )
    link, _path = supporters.name_supporter(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        request=SupporterRequest(
            name="Sam Made-Up",
            relationship="Sister",
            check_question="The name of our first dog",
            answer="Biscuit the Second",
            sections=("appointments",),
        ),
    )
    link_id = link.id
    assert link_id is not None
    supporters.sign_out(session=session, link_id=link_id)
    person = session.get(Person, plan.person_id)
    assert person is not None
    run = IntakeRun(file_name="made-up.csv", sha256="0" * 64, file_format="csv", run_by="a")
    session.add(run)
    session.flush()
    session.add(
        IntakeRowOutcome(
            run_id=run.id,  # type: ignore[arg-type]
            line=2,
            prison_number=person.prison_number,
            plan_id=plan.id,
            outcome="created",
        )
    )
    session.commit()

    # The person's export has them all, and none of the hashes.
    exported = subject_access.export_person(session=session, actor=DPO, person_id=person.id)
    (exported_plan,) = exported["plans"]
    (exported_referral,) = exported_plan["referrals"]
    assert exported_referral["id"] == referral_id and exported_referral["help_wanted"]
    assert any(u["text"] for u in exported_referral["updates"])
    (exported_supporter,) = exported_plan["supporters"]
    assert exported_supporter["name"] == "Sam Made-Up"
    assert not {"secret_hash", "answer_hash", "answer_salt"} & set(exported_supporter)
    assert exported_plan["first_days_answers"] == []
    person = session.get(Person, plan.person_id)
    assert person is not None

    retention.anonymise(session, person, DPO, "Made-up erasure for the test.")
    session.commit()
    session.expire_all()

    kept = session.get(Referral, referral_id)
    assert kept is not None
    assert (kept.help_wanted, kept.outcome_reason, kept.appointment_id) == ("", None, None)
    # What the referral reports count is still there.
    assert (kept.state, kept.need, kept.service_id) == (
        "accepted",
        "accommodation",
        service_id,
    )
    texts = [u.text for u in referrals.updates(session, referral_id)]
    assert len(texts) >= 2 and set(texts) == {None}
    assert session.get(Appointment, appointment_id) is None
    assert session.exec(select(SupporterLink).where(SupporterLink.plan_id == plan.id)).all() == []
    assert session.get(SessionGeneration, f"supporter:{link_id}") is None
    row = session.exec(select(IntakeRowOutcome).where(IntakeRowOutcome.plan_id == plan.id)).one()
    assert row.prison_number is None and row.outcome == "created"
