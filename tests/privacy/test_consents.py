"""The consent record: one row per consent, withdrawn at once, gating what depends on it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from resettlement import clock, person_mobile, reports
from resettlement.actors import Actor, Role
from resettlement.errors import InvalidInput, NotFound, VersionConflict
from resettlement.models import AuditEvent, Person, PersonEvent
from resettlement.privacy import consents
from resettlement.privacy.consents import ConsentKind, GivenHow, Section, WithWhom, WithWhomType
from tests.conftest import OFFICER

OTHER = Actor(user_id="po-other", role=Role.PROBATION_OFFICER)
ADMIN = Actor(user_id="admin-test", role=Role.ADMIN)
PARTNER = WithWhom(WithWhomType.ORGANISATION, "org-7", "Hope Housing Trust")


def _person(new_plan, **person) -> tuple[int, int]:
    plan = new_plan(person=person) if person else new_plan()
    return plan.person_id, plan.id


def test_opening_a_plan_with_a_yes_records_a_consent_given_in_person(new_plan, session):
    person_id, _ = _person(new_plan, monitoring_consent=True, sex="female")
    [consent] = consents.live_consents(session, person_id, ConsentKind.MONITORING_CHARACTERISTICS)
    assert (consent.given_how, consent.recorded_by) == ("in_person", OFFICER.user_id)
    assert consent.withdrawn_at is None and consent.live
    no_person_id, _ = _person(new_plan)
    assert not consents.has_live_consent(
        session, no_person_id, ConsentKind.MONITORING_CHARACTERISTICS
    )


def test_sharing_names_who_and_which_sections_and_gates_only_those(new_plan, session):
    person_id, _ = _person(new_plan)
    consent = consents.give_consent(
        session=session,
        actor=OFFICER,
        person_id=person_id,
        kind=ConsentKind.SHARING_WITH_PARTNER,
        how=GivenHow.IN_PERSON,
        with_whom=PARTNER,
        scope=[Section.FIRST_NIGHT_ADDRESS, "appointments"],
        until=clock.today() + timedelta(days=90),
    )
    assert consent.scope == ["appointments", "first_night_address"]
    has = consents.has_live_consent
    kind = ConsentKind.SHARING_WITH_PARTNER
    assert has(session, person_id, kind, with_whom_id="org-7", section=Section.APPOINTMENTS)
    assert not has(session, person_id, kind, with_whom_id="org-7", section=Section.HEALTH)
    assert not has(session, person_id, kind, with_whom_id="org-8", section=Section.APPOINTMENTS)


@pytest.mark.parametrize(
    ("kind", "with_whom", "scope", "until", "field"),
    [
        # Sharing with nobody in particular is no consent at all.
        (ConsentKind.SHARING_WITH_PARTNER, None, ["health"], None, "with_whom"),
        # A supporter is not an organisation.
        (ConsentKind.SHARING_WITH_SUPPORTER, PARTNER, ["health"], None, "with_whom"),
        # Sharing nothing.
        (ConsentKind.SHARING_WITH_PARTNER, PARTNER, [], None, "scope"),
        # A section the plan does not have.
        (ConsentKind.SHARING_WITH_PARTNER, PARTNER, ["bank_details"], None, "scope"),
        # Contact by text names nobody to share with.
        (ConsentKind.CONTACT_BY_TEXT, PARTNER, [], None, "kind"),
        # Ended before it began.
        (ConsentKind.CONTACT_BY_EMAIL, None, [], date(2020, 1, 1), "until"),
    ],
)
def test_a_consent_that_says_nothing_clear_is_refused_and_nothing_is_written(
    new_plan, session, kind, with_whom, scope, until, field
):
    person_id, _ = _person(new_plan)
    with pytest.raises(InvalidInput) as refused:
        consents.give_consent(
            session=session,
            actor=OFFICER,
            person_id=person_id,
            kind=kind,
            how=GivenHow.IN_PERSON,
            with_whom=with_whom,
            scope=scope,
            until=until,
        )
    assert refused.value.field == field
    assert consents.consent_history(session, person_id) == []


def test_an_officer_not_on_the_persons_plans_cannot_record_or_withdraw_and_is_audited(
    new_plan, session
):
    person_id, _ = _person(new_plan)
    with pytest.raises(NotFound):
        consents.give_consent(
            session=session,
            actor=OTHER,
            person_id=person_id,
            kind=ConsentKind.CONTACT_BY_EMAIL,
            how=GivenHow.IN_PERSON,
        )
    given = consents.give_consent(
        session=session,
        actor=OFFICER,
        person_id=person_id,
        kind=ConsentKind.CONTACT_BY_EMAIL,
        how=GivenHow.IN_PERSON,
    )
    with pytest.raises(NotFound):
        consents.withdraw_consent(session=session, actor=OTHER, consent_id=given.id)
    denied = session.exec(
        select(AuditEvent).where(AuditEvent.actor == OTHER.user_id, AuditEvent.action == "denied")
    ).all()
    assert len(denied) == 2
    assert consents.has_live_consent(session, person_id, ConsentKind.CONTACT_BY_EMAIL)


def test_withdrawing_takes_effect_at_once_and_keeps_the_history(new_plan, session, engine):
    person_id, _ = _person(new_plan, monitoring_consent=True, sex="male", religion="sikh")
    [consent] = consents.live_consents(session, person_id)
    withdrawn = consents.withdraw_consent(
        session=session, actor=OFFICER, consent_id=consent.id, expected_version=consent.version
    )
    assert withdrawn.withdrawn_by == OFFICER.user_id and withdrawn.withdrawn_at is not None
    # Another connection sees it at once: nothing caches the answer.
    with Session(engine) as elsewhere:
        assert not consents.has_live_consent(
            elsewhere, person_id, ConsentKind.MONITORING_CHARACTERISTICS
        )
        person = elsewhere.get(Person, person_id)
        # What was held only because of the consent goes with it.
        assert person is not None and (person.sex, person.religion) == (None, None)
        kinds = [
            e.kind
            for e in elsewhere.exec(
                select(PersonEvent).where(PersonEvent.person_id == person_id)
            ).all()
        ]
        assert kinds == ["consent_given", "consent_withdrawn"]
        actions = {
            a.action
            for a in elsewhere.exec(
                select(AuditEvent).where(AuditEvent.object_id == str(person_id))
            ).all()
        }
        assert "consent_withdrawn" in actions
    # Twice changes nothing; a stale version is refused.
    again = consents.withdraw_consent(session=session, actor=OFFICER, consent_id=consent.id)
    assert again.withdrawn_at == withdrawn.withdrawn_at
    with pytest.raises(VersionConflict):
        consents.withdraw_consent(
            session=session, actor=OFFICER, consent_id=consent.id, expected_version=1
        )
    assert [c.id for c in consents.consent_history(session, person_id)] == [consent.id]


def test_a_new_answer_replaces_the_live_one_with_the_same_organisation(new_plan, session):
    person_id, _ = _person(new_plan)
    first = consents.give_consent(
        session=session,
        actor=OFFICER,
        person_id=person_id,
        kind=ConsentKind.SHARING_WITH_PARTNER,
        how=GivenHow.IN_PERSON,
        with_whom=PARTNER,
        scope=["appointments", "health"],
    )
    second = consents.give_consent(
        session=session,
        actor=OFFICER,
        person_id=person_id,
        kind=ConsentKind.SHARING_WITH_PARTNER,
        how=GivenHow.IN_PERSON,
        with_whom=PARTNER,
        scope=["appointments"],
    )
    live = consents.live_consents(session, person_id, ConsentKind.SHARING_WITH_PARTNER)
    assert [c.id for c in live] == [second.id]
    session.refresh(first)
    assert first.withdrawn_reason == consents.REPLACED
    assert not consents.has_live_consent(
        session, person_id, ConsentKind.SHARING_WITH_PARTNER, section="health"
    )


def test_a_consent_past_its_last_day_no_longer_holds(new_plan, session, monkeypatch):
    person_id, _ = _person(new_plan)
    consents.give_consent(
        session=session,
        actor=OFFICER,
        person_id=person_id,
        kind=ConsentKind.CONTACT_BY_EMAIL,
        how=GivenHow.IN_PERSON,
        until=clock.today() + timedelta(days=1),
    )
    assert consents.has_live_consent(session, person_id, ConsentKind.CONTACT_BY_EMAIL)
    later = clock.today() + timedelta(days=2)
    monkeypatch.setattr(clock, "today", lambda: later)
    assert not consents.has_live_consent(session, person_id, ConsentKind.CONTACT_BY_EMAIL)


def test_the_person_themselves_withdraws_contact_by_text_and_their_number_goes(new_plan, session):
    plan = new_plan()
    person_mobile.record_mobile(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=1,
        number="07700 900123",
        consent=True,
    )
    [text_consent] = consents.live_consents(session, plan.person_id, ConsentKind.CONTACT_BY_TEXT)
    leaver = Actor(user_id="leaver-link:1", role=Role.PRISON_LEAVER, plan_id=plan.id)
    consents.withdraw_consent(session=session, actor=leaver, consent_id=text_consent.id)
    person = session.get(Person, plan.person_id)
    session.refresh(person)
    assert person.mobile_number is None and person.mobile_consent_at is None
    # Someone else's plan's leaver cannot touch it.
    other = new_plan()
    stranger = Actor(user_id="leaver-link:2", role=Role.PRISON_LEAVER, plan_id=other.id)
    with pytest.raises(NotFound):
        consents.withdraw_consent(session=session, actor=stranger, consent_id=text_consent.id)


def test_reports_count_characteristics_only_while_monitoring_consent_holds(
    new_plan, session, monkeypatch
):
    plans_ = [new_plan(person={"monitoring_consent": True, "sex": "female"}) for _ in range(6)]
    admin = ADMIN
    for plan in plans_:
        session.execute(
            text(
                "UPDATE release_plan SET state='completed', release_date=:d, walk_out_date=:d,"
                " followup_recorded_at=:at, followup=:f WHERE id=:id"
            ),
            {
                "d": date(2026, 10, 14),
                "at": clock.now(),
                "f": '{"gp_registered": true}',
                "id": plan.id,
            },
        )
    session.commit()

    def groups() -> dict[str, int | None]:
        report = reports.outcomes(
            session=session,
            actor=admin,
            start=date(2026, 10, 1),
            end=date(2026, 10, 31),
            breakdown=reports.Breakdown.SEX,
        )
        return {row.group: row.denominator.shown for row in report.rows}

    assert groups()["female"] == 6
    [consent] = consents.live_consents(session, plans_[0].person_id)
    consents.withdraw_consent(session=session, actor=OFFICER, consent_id=consent.id)
    found = groups()
    assert found["female"] == 5 and found.get("not_recorded") is None  # 1 is suppressed


def test_migration_0120_moves_the_yes_into_the_consent_record(tmp_path):
    from sqlalchemy import create_engine

    from resettlement import migrate

    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    migrate.upgrade(engine, "0090")
    with engine.begin() as connection:
        for number, consent in (("A1111AA", True), ("B2222BB", False)):
            connection.execute(
                text(
                    "INSERT INTO person (prison_number, crn, given_name, family_name,"
                    " date_of_birth, nation, prison_code, preferred_language, needs,"
                    " monitoring_consent, created_at, version) VALUES (:n, :c, 'A', 'B',"
                    " '1980-01-01', 'england-and-wales', 'MDI', 'en', '[]', :m,"
                    " '2026-01-01 00:00:00', 1)"
                ),
                {"n": number, "c": "X" + number[1:5] + "00", "m": consent},
            )
    migrate.upgrade(engine)
    with Session(engine) as session:
        rows = session.exec(select(consents.Consent)).all()
        assert [(r.kind, r.given_how) for r in rows] == [
            ("monitoring_characteristics", "before_the_record")
        ]
        yes = session.exec(select(Person).where(Person.prison_number == "A1111AA")).one()
        assert rows[0].person_id == yes.id and rows[0].live
    from alembic import command

    with engine.begin() as connection:
        config = migrate.alembic_config(engine)
        config.attributes["connection"] = connection
        command.downgrade(config, "0090")
    with engine.connect() as connection:
        back = dict(
            connection.execute(text("SELECT prison_number, monitoring_consent FROM person")).all()
        )
    assert back == {"A1111AA": 1, "B2222BB": 0}
