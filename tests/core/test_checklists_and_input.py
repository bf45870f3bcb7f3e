"""Checklist rows from the rule set, every status change, and bad input that writes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pydantic import ValidationError
from sqlmodel import Session, col, func, select

from resettlement import checklists, plans
from resettlement.actors import Actor, Role
from resettlement.errors import AlreadyExists, InvalidInput, NotFound, VersionConflict
from resettlement.models import (
    AuditEvent,
    ChecklistItem,
    ChecklistStatus,
    Goal,
    GoalBase,
    Person,
    PlanEvent,
    ReleasePlan,
)
from rules.checklists import CORE_KEYS, Owner, checklist_for

OFFICER = Actor(user_id="po-test", role=Role.PROBATION_OFFICER)
NECESSITIES = {
    "mobile_phone",
    "toiletries",
    "food_for_the_day",
    "travel_pass",
    "medication_and_script",
}


def counts(session: Session) -> tuple[int, ...]:
    return tuple(
        session.exec(select(func.count()).select_from(model)).one()
        for model in (Person, ReleasePlan, ChecklistItem, PlanEvent, AuditEvent)
    )


def items(session: Session, plan_id: int) -> dict[str, ChecklistItem]:
    rows = session.exec(select(ChecklistItem).where(ChecklistItem.plan_id == plan_id))
    return {i.key: i for i in rows}


def test_everyone_gets_the_core_items_and_release_day_necessities(session, new_plan):
    plan = new_plan()
    keys = set(items(session, plan.id))
    assert keys >= CORE_KEYS
    assert keys >= NECESSITIES


def test_personal_items_follow_the_persons_needs(session, new_plan):
    plain = set(items(session, new_plan().id))
    personal = set(items(session, new_plan(person={"needs": ["woman", "learning_disability"]}).id))
    extra = personal - plain
    expected = {
        s.key for s in checklist_for(["woman", "learning_disability"], date(2027, 3, 10))
    } - {s.key for s in checklist_for([], date(2027, 3, 10))}
    assert extra == expected and extra, "women and people with a learning disability get more"


def test_a_short_sentence_adds_the_short_sentence_items(session, new_plan):
    plan = new_plan(term_days=180)
    person = session.get(Person, plan.person_id)
    assert "short_sentence" in person.needs
    expected = {s.key for s in checklist_for(["short_sentence"], plan.walk_out_date)}
    assert expected <= set(items(session, plan.id))


def test_due_dates_come_from_the_rules_and_count_back_from_walk_out(session, new_plan):
    plan = new_plan()
    specs = {s.key: s for s in checklist_for([], plan.walk_out_date, today=date.today())}
    for key, item in items(session, plan.id).items():
        assert item.due_date == specs[key].due_date
        assert item.due_date <= plan.walk_out_date


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (ChecklistStatus.IN_PROGRESS, None),
        (ChecklistStatus.DONE, None),
        (ChecklistStatus.NOT_NEEDED, "Already registered with a GP near home"),
        (ChecklistStatus.BLOCKED, "Waiting for a birth certificate from the register office"),
        (ChecklistStatus.NOT_STARTED, None),
    ],
)
def test_every_status_change_is_kept_in_the_history(session, new_plan, status, reason):
    plan = new_plan()
    checklists.update_item(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        key="gp_registration",
        expected_version=plan.version,
        status=ChecklistStatus.IN_PROGRESS,
    )
    session.refresh(plan)
    item = checklists.update_item(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        key="gp_registration",
        expected_version=plan.version,
        status=status,
        reason=reason,
        note="Spoke to healthcare",
    )
    assert item.status == status and item.reason == reason and item.note == "Spoke to healthcare"
    last = session.exec(
        select(PlanEvent).where(PlanEvent.plan_id == plan.id).order_by(col(PlanEvent.id).desc())
    ).first()
    assert (last.kind, last.from_state, last.to_state) == ("checklist", "in_progress", status)
    assert last.detail == {"item": "gp_registration"}


@pytest.mark.parametrize("status", [ChecklistStatus.NOT_NEEDED, ChecklistStatus.BLOCKED])
def test_not_needed_and_blocked_need_a_reason(session, new_plan, status):
    plan = new_plan()
    before = counts(session)
    with pytest.raises(InvalidInput) as error:
        checklists.update_item(
            session=session,
            actor=OFFICER,
            plan_id=plan.id,
            key="bank_account",
            expected_version=plan.version,
            status=status,
            reason="   ",
        )
    assert error.value.field == "reason"
    assert counts(session) == before
    assert items(session, plan.id)["bank_account"].status == ChecklistStatus.NOT_STARTED


def test_a_partner_owner_must_be_named(session, new_plan):
    plan = new_plan()
    with pytest.raises(InvalidInput):
        checklists.update_item(
            session=session,
            actor=OFFICER,
            plan_id=plan.id,
            key="id_documents",
            expected_version=plan.version,
            status=ChecklistStatus.IN_PROGRESS,
            owner=Owner.PARTNER,
        )
    item = checklists.update_item(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        key="id_documents",
        expected_version=plan.version,
        status=ChecklistStatus.IN_PROGRESS,
        owner=Owner.PARTNER,
        partner="St Mungo's",
    )
    assert (item.owner, item.partner) == ("partner", "St Mungo's")


def test_an_unknown_item_and_a_stale_version_are_refused(session, new_plan):
    plan = new_plan()
    with pytest.raises(NotFound):
        checklists.update_item(
            session=session,
            actor=OFFICER,
            plan_id=plan.id,
            key="no_such_item",
            expected_version=plan.version,
            status=ChecklistStatus.DONE,
        )
    before = counts(session)
    with pytest.raises(VersionConflict):
        checklists.update_item(
            session=session,
            actor=OFFICER,
            plan_id=plan.id,
            key="bank_account",
            expected_version=plan.version - 1,
            status=ChecklistStatus.DONE,
        )
    assert counts(session) == before


@pytest.mark.parametrize(
    ("person", "fields", "message"),
    [
        ({"prison_number": "12345AB"}, {}, "prison number"),
        ({"prison_number": "A1234B"}, {}, "prison number"),
        ({"crn": "1234567"}, {}, "CRN"),
        ({"nation": "wales"}, {}, "nation"),
        ({"prison_code": "M1"}, {}, "prison code"),
        ({"date_of_birth": "2026-02-30"}, {}, "date"),
        ({"date_of_birth": date.today() + timedelta(days=1)}, {}, "date of birth"),
        ({}, {"requested_release_date": date.today() - timedelta(days=500)}, "before the sentence"),
        ({}, {"sentence_date": date.today() + timedelta(days=3)}, "future"),
        ({"sex": "female"}, {}, "consent"),
    ],
)
def test_bad_input_is_refused_clearly_and_writes_nothing(
    session, plan_data, person, fields, message
):
    before = counts(session)
    with pytest.raises(ValidationError) as error:
        plan_data(person=person, **fields)
    assert message.lower() in str(error.value).lower()
    assert counts(session) == before


def test_protected_characteristics_are_kept_with_consent(session, new_plan):
    plan = new_plan(
        person={"monitoring_consent": True, "sex": "female", "ethnic_group": "black_caribbean"}
    )
    person = session.get(Person, plan.person_id)
    assert (person.sex, person.ethnic_group) == ("female", "black_caribbean")


def test_a_second_open_plan_for_the_same_person_is_refused(session, new_plan, plan_data):
    plan = new_plan()
    person = session.get(Person, plan.person_id)
    before = counts(session)
    with pytest.raises(AlreadyExists):
        plans.open_plan(
            session=session,
            actor=OFFICER,
            data=plan_data(person={"prison_number": person.prison_number}),
        )
    assert counts(session) == before


def test_goals_are_kept_in_the_persons_words_and_replaced_as_a_set(session, new_plan):
    plan = new_plan()
    words = "Get my kids back for weekends, and find work with regular hours."
    plans.replace_goals(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        goals=[
            GoalBase(area="family", in_their_words=words),
            GoalBase(area="sport", in_their_words="Boxing again"),
        ],
    )
    session.refresh(plan)
    plans.replace_goals(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        goals=[GoalBase(area="family", in_their_words=words)],
    )
    goals = session.exec(select(Goal).where(Goal.plan_id == plan.id)).all()
    assert [(g.area, g.in_their_words) for g in goals] == [("family", words)]


def test_a_release_date_beyond_the_calendars_is_refused_with_its_field(session, plan_data):
    before = counts(session)
    with pytest.raises(InvalidInput) as error:
        plans.open_plan(
            session=session,
            actor=OFFICER,
            data=plan_data(requested_release_date=date(2075, 1, 1), term_days=20_000),
        )
    assert error.value.field == "requested_release_date"
    assert counts(session) == before


def test_a_term_longer_than_a_lifetime_is_refused(plan_data):
    with pytest.raises(ValidationError, match="term_days"):
        plan_data(term_days=40_000)
