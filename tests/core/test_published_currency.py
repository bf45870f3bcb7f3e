"""The published 48-hour plan is marked out of date by any change the person would see, the
caseload says so, release refuses it (and the release-day run tells the officer why), and
publishing again clears it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest
from sqlmodel import Session, select

from resettlement import checklists, clock, forty_eight_hours, plans, scheduling
from resettlement.actors import Actor, Role
from resettlement.caseload import caseload_rows
from resettlement.errors import GuardRefused
from resettlement.models import (
    AppointmentCreate,
    AppointmentKind,
    ChecklistStatus,
    ContactKind,
    PlanEvent,
    PlanState,
    ReleasePlan,
    SupportContactCreate,
)
from resettlement.notifications import Notification
from rules.checklists import CORE_KEYS

OFFICER = Actor(user_id="po-test", role=Role.PROBATION_OFFICER)
WALK_OUT = date(2027, 3, 10)


def _published(session: Session, plan: ReleasePlan) -> ReleasePlan:
    assert plan.id is not None
    plans.set_night_one(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        data=plans.NightOne(accommodation_address="Flat 1, 2 Made Up Road, Leeds"),
    )
    session.refresh(plan)
    forty_eight_hours.publish(
        session=session, actor=OFFICER, plan_id=plan.id, expected_version=plan.version
    )
    session.refresh(plan)
    assert not plan.published_out_of_date
    return plan


def _pre_release(session: Session, plan: ReleasePlan) -> ReleasePlan:
    assert plan.id is not None
    plans.transition(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        event="start_resettlement_planning",
        expected_version=plan.version,
    )
    session.refresh(plan)
    for key in sorted(CORE_KEYS):
        checklists.update_item(
            session=session,
            actor=OFFICER,
            plan_id=plan.id,
            key=key,
            expected_version=plan.version,
            status=ChecklistStatus.IN_PROGRESS,
        )
        session.refresh(plan)
    plans.transition(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        event="start_pre_release",
        expected_version=plan.version,
    )
    session.refresh(plan)
    return plan


def _add_contact(session: Session, plan: ReleasePlan) -> None:
    assert plan.id is not None
    forty_eight_hours.add_contact(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        data=SupportContactCreate(
            kind=ContactKind.HELPLINE, name="A made-up helpline", phone="0808 157 0123"
        ),
    )
    session.refresh(plan)


def test_a_change_the_person_would_see_marks_the_published_plan_out_of_date_until_republished(
    session: Session, new_plan: Callable[..., ReleasePlan]
) -> None:
    plan = _published(session, new_plan())
    _add_contact(session, plan)
    assert plan.published_out_of_date
    [row] = caseload_rows(session, officer_id=OFFICER.user_id)
    assert "published_plan_out_of_date" in row.flags
    assert session.exec(
        select(PlanEvent).where(
            PlanEvent.plan_id == plan.id, PlanEvent.kind == "published_plan_out_of_date"
        )
    ).first()

    forty_eight_hours.publish(
        session=session, actor=OFFICER, plan_id=plan.id, expected_version=plan.version
    )
    session.refresh(plan)
    assert not plan.published_out_of_date
    [row] = caseload_rows(session, officer_id=OFFICER.user_id)
    assert "published_plan_out_of_date" not in row.flags


@pytest.mark.parametrize(
    ("change", "out_of_date"),
    [
        ("checklist in progress: the person's page says the same", False),
        ("checklist done: the person's page now says they have it", True),
        ("night one", True),
        # The person's own words, shown to them as they stand and changed by them too
        # (resettlement/goals.py): never something the officer must publish before release.
        ("goals", False),
        ("appointment", True),
    ],
)
def test_which_changes_the_person_would_see(
    session: Session, new_plan: Callable[..., ReleasePlan], change: str, out_of_date: bool
) -> None:
    plan = _published(session, new_plan())
    assert plan.id is not None
    common = {"session": session, "actor": OFFICER, "plan_id": plan.id}
    if change.startswith("checklist"):
        checklists.update_item(
            **common,
            key="bank_account",
            expected_version=plan.version,
            status=ChecklistStatus.DONE if "done" in change else ChecklistStatus.IN_PROGRESS,
        )
    elif change == "night one":
        plans.set_night_one(
            **common,
            expected_version=plan.version,
            data=plans.NightOne(accommodation_from="From 3pm"),
        )
    elif change == "goals":
        plans.replace_goals(
            **common,
            expected_version=plan.version,
            goals=[plans.GoalBase(area="work", in_their_words="Find work near home.")],
        )
    else:
        forty_eight_hours.add_appointment(
            **common,
            expected_version=plan.version,
            data=AppointmentCreate(
                kind=AppointmentKind.PROBATION,
                starts_at=datetime(2027, 3, 10, 10, tzinfo=clock.LONDON),
                location="Probation office, 1 Made Up Street",
                with_whom="A made-up officer",
            ),
        )
    session.refresh(plan)
    assert plan.published_out_of_date is out_of_date


def test_release_is_refused_with_an_out_of_date_plan_and_the_release_day_run_says_why(
    session: Session, new_plan: Callable[..., ReleasePlan]
) -> None:
    plan = _pre_release(session, _published(session, new_plan()))
    assert plan.id is not None
    _add_contact(session, plan)
    with pytest.raises(GuardRefused) as refused:
        plans.transition(
            session=session,
            actor=OFFICER,
            plan_id=plan.id,
            event="release",
            expected_version=plan.version,
            today=WALK_OUT,
        )
    assert [u.guard for u in refused.value.unmet] == ["published_plan_current"]
    session.rollback()

    result = scheduling.run_release(session, [plan.id], WALK_OUT)
    assert result.counts["not_ready"] == 1
    session.refresh(plan)
    assert plan.state == PlanState.PRE_RELEASE.value
    [message] = session.exec(select(Notification).where(Notification.plan_id == plan.id)).all()
    assert "The published 48-hour plan is out of date" in message.body

    forty_eight_hours.publish(
        session=session, actor=OFFICER, plan_id=plan.id, expected_version=plan.version
    )
    session.refresh(plan)
    plans.transition(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        event="release",
        expected_version=plan.version,
        today=WALK_OUT,
    )
    session.refresh(plan)
    assert plan.state == PlanState.RELEASED.value


def test_a_later_date_from_a_new_calculation_is_republished_and_left_for_the_officer(
    session: Session, new_plan: Callable[..., ReleasePlan]
) -> None:
    plan = new_plan()
    assert plan.id is not None
    forty_eight_hours.add_appointment(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        data=AppointmentCreate(
            kind=AppointmentKind.PROBATION,
            starts_at=datetime(2027, 3, 10, 10, tzinfo=clock.LONDON),
            location="Probation office, 1 Made Up Street",
            with_whom="A made-up officer",
        ),
    )
    session.refresh(plan)
    plan = _published(session, plan)
    plans.change_release_date(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        requested_release_date=date(2027, 3, 17),
        reason="New sentence calculation",
    )
    session.refresh(plan)
    latest = forty_eight_hours.latest_published(session, plan.id)
    assert (latest.number, latest.snapshot["walk_out_date"]) == (2, "2027-03-17")
    assert latest.snapshot["walk_out_date_was"] == "2027-03-10"
    # The probation appointment is now before walk-out: the officer must put it right.
    assert plan.published_out_of_date


def test_after_release_the_plan_can_be_published_again_past_its_kept_appointments(
    session: Session, new_plan: Callable[..., ReleasePlan]
) -> None:
    plan = new_plan()
    assert plan.id is not None
    forty_eight_hours.add_appointment(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        data=AppointmentCreate(
            kind=AppointmentKind.PROBATION,
            starts_at=datetime(2027, 3, 10, 10, tzinfo=clock.LONDON),
            location="Probation office, 1 Made Up Street",
            with_whom="A made-up officer",
        ),
    )
    session.refresh(plan)
    plan = _pre_release(session, _published(session, plan))
    next_day = datetime(2027, 3, 11, 12, tzinfo=clock.LONDON)
    _add_contact(session, plan)
    with pytest.raises(GuardRefused) as refused:
        forty_eight_hours.publish(
            session=session,
            actor=OFFICER,
            plan_id=plan.id,
            expected_version=plan.version,
            checked_at=next_day,
        )
    assert [u.guard for u in refused.value.unmet] == ["PC-APPOINTMENT-PAST"]
    session.rollback()
    forty_eight_hours.publish(
        session=session, actor=OFFICER, plan_id=plan.id, expected_version=plan.version
    )
    session.refresh(plan)
    plans.transition(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        event="release",
        expected_version=plan.version,
        today=WALK_OUT,
    )
    session.refresh(plan)
    _add_contact_named(session, plan, "A second made-up helpline")
    published = forty_eight_hours.publish(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        checked_at=next_day,
    )
    assert published.number == 3


def _add_contact_named(session: Session, plan: ReleasePlan, name: str) -> None:
    assert plan.id is not None
    forty_eight_hours.add_contact(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        data=SupportContactCreate(kind=ContactKind.HELPLINE, name=name, phone="0808 157 0456"),
    )
    session.refresh(plan)
