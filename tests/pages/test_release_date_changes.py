"""A governor's approval after the 48-hour plan was published: the person can no longer see the
old walk-out date anywhere (page, API, calendar, printout) without being told it changed, and
an officer's unpublished changes stay unpublished."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime

import vobject
from faker import Faker
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.auth import mint_token
from resettlement import clock, early_release, forty_eight_hours, leaver_access, plans
from resettlement.actors import Actor, Role
from resettlement.models import (
    AppointmentCreate,
    AppointmentKind,
    ContactKind,
    Person,
    PlanEvent,
    PublishedPlan,
    ReleasePlan,
    SupportContactCreate,
)
from resettlement.transactions import get_or_404
from tests.pages.conftest import OFFICER, Published, sign_in

GOVERNOR = Actor(user_id="governor-mdi", role=Role.GOVERNOR, prison_code="MDI")
FRIDAY = date(2027, 3, 12)
THURSDAY = date(2027, 3, 11)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _published_friday_plan(
    session: Session, plan_data: Callable[..., plans.PlanCreate], fake: Faker
) -> Published:
    dob = fake.date_of_birth(minimum_age=25, maximum_age=60)
    data = plan_data(person={"date_of_birth": dob}, requested_release_date=FRIDAY)
    plan = plans.open_plan(session=session, actor=OFFICER, data=data)
    assert plan.id is not None and plan.walk_out_date == FRIDAY and plan.flagged
    plans.set_night_one(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        data=plans.NightOne(accommodation_address="Flat 1, 2 Made Up Road, Leeds LS1 1AA"),
    )
    session.refresh(plan)
    forty_eight_hours.add_appointment(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        data=AppointmentCreate(
            kind=AppointmentKind.PROBATION,
            starts_at=datetime(2027, 3, 12, 10, tzinfo=clock.LONDON),
            location="Probation office, 1 Made Up Street, Leeds",
            with_whom=fake.name(),
        ),
    )
    session.refresh(plan)
    forty_eight_hours.add_contact(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        data=SupportContactCreate(
            kind=ContactKind.PROBATION_OFFICER, name=fake.name(), phone="07700 900123"
        ),
    )
    session.refresh(plan)
    forty_eight_hours.publish(
        session=session, actor=OFFICER, plan_id=plan.id, expected_version=plan.version
    )
    session.refresh(plan)
    link, path = leaver_access.issue_link(session=session, actor=OFFICER, plan_id=plan.id)
    return Published(plan, link, path, dob, data.person.given_name, {})


def _approve_thursday(session: Session, plan: ReleasePlan) -> None:
    assert plan.id is not None
    request = early_release.open_request(session, plan.id)
    assert request.id is not None
    request = early_release.assess(
        session=session,
        actor=OFFICER,
        request_id=request.id,
        expected_version=request.version,
        harms_resettlement=True,
        needs=["accommodation"],
        assessment="The hostel takes no arrivals at the weekend.",
        submit_to_governor=True,
    )
    session.refresh(plan)
    person_assessment = plans.assessment_for(
        plan, get_or_404(session, Person, plan.person_id, "person")
    )
    early_release.decide(
        session=session,
        actor=GOVERNOR,
        request_id=request.id,
        expected_version=request.version,
        approve=True,
        release_date=THURSDAY,
        reasons="The hostel cannot take arrivals at the weekend.",
        assessment=person_assessment,  # type: ignore[arg-type]
    )
    session.refresh(plan)
    assert plan.walk_out_date == THURSDAY


def test_a_governors_approval_after_publishing_reaches_the_person_with_a_warning_everywhere(
    client: TestClient,
    session: Session,
    plan_data: Callable[..., plans.PlanCreate],
    fake: Faker,
) -> None:
    p = _published_friday_plan(session, plan_data, fake)
    sign_in(client, p)
    before = _text(client.get("/my-plan").text)
    assert "You leave prison on Friday 12 March." in before

    _approve_thursday(session, p.plan)

    old = "You leave prison on Friday 12 March"
    page = _text(client.get("/my-plan").text)
    assert "You leave prison on Thursday 11 March." in page
    assert old not in page
    assert (
        "Your release date has changed. You now leave prison on Thursday 11 March. "
        "It was Friday 12 March." in page
    )
    # Told again on every later look, not only in the changes banner.
    page = _text(client.get("/my-plan").text)
    assert "Your release date has changed. It was Friday 12 March." in page

    printed = _text(client.get("/my-plan/print").text)
    assert old not in printed

    token = mint_token(role=Role.PRISON_LEAVER, user="leaver-1", plan=p.plan.id)
    bearer = {"Authorization": f"Bearer {token}"}
    shown = client.get("/api/v1/me/plan", headers=bearer).json()
    assert shown["number"] == 2
    assert shown["plan"]["walk_out_date"] == "2027-03-11"
    assert shown["plan"]["walk_out_date_was"] == "2027-03-12"

    calendar = vobject.readOne(client.get("/my-plan.ics").content.decode())
    [walk_out] = [e for e in calendar.vevent_list if e.uid.value.startswith("walk-out-")]
    assert walk_out.dtstart.value == THURSDAY
    assert int(walk_out.sequence.value) == 2
    assert "Your release date has changed. It was Friday 12 March 2027." in (
        walk_out.description.value
    )
    assert (
        client.get("/api/v1/me/plan.ics", headers=bearer).content
        == client.get("/my-plan.ics").content
    )

    history = session.exec(
        select(PlanEvent).where(PlanEvent.plan_id == p.plan.id, PlanEvent.kind == "published")
    ).all()
    assert history[-1].detail == {"number": 2, "automatic": True}
    session.refresh(p.plan)
    assert not p.plan.published_out_of_date


def test_the_automatic_republish_leaves_the_officers_unpublished_changes_to_the_officer(
    session: Session, plan_data: Callable[..., plans.PlanCreate], fake: Faker
) -> None:
    p = _published_friday_plan(session, plan_data, fake)
    plan = p.plan
    assert plan.id is not None
    forty_eight_hours.add_appointment(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        data=AppointmentCreate(
            kind=AppointmentKind.GP,
            starts_at=datetime(2027, 3, 12, 14, tzinfo=clock.LONDON),
            location="Made Up Surgery, 3 Made Up Road, Leeds",
            with_whom=fake.name(),
        ),
    )
    session.refresh(plan)
    assert plan.published_out_of_date

    _approve_thursday(session, plan)

    latest = session.exec(
        select(PublishedPlan)
        .where(PublishedPlan.plan_id == plan.id)
        .order_by(PublishedPlan.number.desc())  # type: ignore[attr-defined]
    ).first()
    assert latest is not None and latest.number == 2
    assert latest.snapshot["walk_out_date"] == "2027-03-11"
    assert [a["kind"] for a in latest.snapshot["appointments"]] == ["probation"]
    assert plan.published_out_of_date
