"""The pages under test: the API app with the pages mounted and its session bound to the test
database, and a published 48-hour plan with a link for a made-up person."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from faker import Faker
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.pages.leaver_session import CSRF_COOKIE, CSRF_FIELD, get_page_settings
from api.settings import get_api_settings
from resettlement import checklists, forty_eight_hours, leaver_access, plans
from resettlement.actors import Actor, Role
from resettlement.models import (
    AppointmentCreate,
    AppointmentKind,
    ChecklistStatus,
    ContactKind,
    GoalArea,
    GoalBase,
    ReleasePlan,
    SupportContactCreate,
)

OFFICER = Actor(user_id="po-test", role=Role.PROBATION_OFFICER)
# Friday 18 December 2026, 10am in London is 10:00 UTC (GMT).
DECEMBER_PROBATION = datetime(2026, 12, 18, 10, 0, tzinfo=UTC)
DECEMBER_GP = datetime(2026, 12, 18, 14, 30, tzinfo=UTC)
# Friday 18 June 2027, 11am in London is 10:00 UTC (BST).
JUNE_MENTAL_HEALTH = datetime(2027, 6, 18, 10, 0, tzinfo=UTC)
WALK_OUT = date(2026, 12, 16)
# The June appointment (for British Summer Time) is after the plan's first days: a warning the
# officer accepts whenever the plan is published.
ACCEPTED = "The June appointment is the mental health team's follow-up."


@pytest.fixture(autouse=True)
def _fresh_page_settings() -> Iterator[None]:
    get_api_settings.cache_clear()
    get_page_settings.cache_clear()
    yield
    get_api_settings.cache_clear()
    get_page_settings.cache_clear()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@dataclass
class Published:
    plan: ReleasePlan
    link: leaver_access.LeaverLink
    path: str
    date_of_birth: date
    given_name: str
    appointment_ids: dict[str, int]


def publish_plan(
    session: Session,
    plan_data: Callable[..., plans.PlanCreate],
    fake: Faker,
    *,
    language: str = "en",
) -> Published:
    """A plan with a first night, appointments in GMT and BST, contacts, checklist items and
    goals, published once, with a link for the person."""
    dob = fake.date_of_birth(minimum_age=25, maximum_age=60)
    data = plan_data(
        person={"date_of_birth": dob, "preferred_language": language},
        requested_release_date=WALK_OUT,
    )
    plan = plans.open_plan(session=session, actor=OFFICER, data=data)
    assert plan.id is not None
    plan = plans.set_night_one(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        data=plans.NightOne(
            accommodation_address=f"{fake.building_number()} {fake.street_name()}, "
            f"{fake.city()} {fake.postcode()}",
            accommodation_contact=f"{fake.first_name()} at the front desk",
            accommodation_from="From 3pm",
            travel_arrangements="Travel warrant for the train from the prison gate.",
        ),
    )
    ids: dict[str, int] = {}
    for name, kind, when, bring in (
        ("probation", AppointmentKind.PROBATION, DECEMBER_PROBATION, "Your licence and ID"),
        ("gp", AppointmentKind.GP, DECEMBER_GP, "Your medicine"),
        ("mental_health", AppointmentKind.MENTAL_HEALTH, JUNE_MENTAL_HEALTH, None),
    ):
        appointment = forty_eight_hours.add_appointment(
            session=session,
            actor=OFFICER,
            plan_id=plan.id,
            expected_version=plan.version,
            data=AppointmentCreate(
                kind=kind,
                starts_at=when,
                location=f"{fake.company()}, {fake.street_address()}, {fake.city()}",
                with_whom=fake.name(),
                what_to_bring=bring,
            ),
        )
        assert appointment.id is not None
        ids[name] = appointment.id
        session.refresh(plan)
    for kind, name, phone in (
        (ContactKind.PROBATION_OFFICER, fake.name(), "0113 496 0000"),
        (ContactKind.OUT_OF_HOURS, "Approved premises night staff", "0113 496 0999"),
        (ContactKind.HELPLINE, "Samaritans", "116 123"),
    ):
        forty_eight_hours.add_contact(
            session=session,
            actor=OFFICER,
            plan_id=plan.id,
            expected_version=plan.version,
            data=SupportContactCreate(kind=kind, name=name, phone=phone, hours="Any time"),
        )
        session.refresh(plan)
    for key in ("id_documents", "universal_credit", "gp_registration"):
        checklists.update_item(
            session=session,
            actor=OFFICER,
            plan_id=plan.id,
            key=key,
            expected_version=plan.version,
            status=ChecklistStatus.DONE,
        )
        session.refresh(plan)
    plans.replace_goals(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        goals=[GoalBase(area=GoalArea.FAMILY, in_their_words="See my kids every weekend.")],
    )
    session.refresh(plan)
    # The June appointment (for British Summer Time) is outside the plan's first days: a
    # warning the officer accepts.
    forty_eight_hours.publish(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        accept_warnings_reason=ACCEPTED,
    )
    session.refresh(plan)
    link, path = leaver_access.issue_link(session=session, actor=OFFICER, plan_id=plan.id)
    return Published(plan, link, path, dob, data.person.given_name, ids)


@pytest.fixture
def published(
    session: Session, plan_data: Callable[..., plans.PlanCreate], fake: Faker
) -> Callable[..., Published]:
    def build(**kwargs: Any) -> Published:
        return publish_plan(session, plan_data, fake, **kwargs)

    return build


def dob_form(day: date) -> dict[str, str]:
    return {"day": str(day.day), "month": str(day.month), "year": str(day.year)}


def form_post(client: TestClient, path: str, data: dict[str, str]) -> Any:
    """Posts the date-of-birth form as a browser does: with the token of the form it showed."""
    token = client.cookies.get(CSRF_COOKIE)
    if token is None:
        client.get(path)
        token = client.cookies.get(CSRF_COOKIE)
    return client.post(path, data={**data, CSRF_FIELD: token or ""})


def sign_in(client: TestClient, published: Published) -> Any:
    return form_post(client, published.path, dob_form(published.date_of_birth))
