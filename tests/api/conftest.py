"""The API under test: the app with its session dependency bound to the test database, and
local-mode tokens for every kind of user."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.auth import mint_token
from api.settings import get_api_settings
from resettlement import early_release, forty_eight_hours, plans
from resettlement.actors import Actor, Role
from resettlement.models import EarlyReleaseRequest, ReleasePlan

OFFICER_ID = "po-test"  # the officer tests/conftest.py opens plans as
OTHER_OFFICER_ID = "po-other"
OWN_PRISON = "MDI"
OTHER_PRISON = "BWI"
# A Friday: the release is flagged and an early-release request opens with the plan.
FRIDAY = date(2027, 3, 12)

Headers = dict[str, str]


@pytest.fixture(autouse=True)
def _fresh_api_settings() -> Iterator[None]:
    get_api_settings.cache_clear()
    yield
    get_api_settings.cache_clear()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


def bearer(role: Role | str, user: str, **claims: Any) -> Headers:
    return {"Authorization": f"Bearer {mint_token(role=role, user=user, **claims)}"}


@pytest.fixture
def officer() -> Headers:
    return bearer(Role.PROBATION_OFFICER, OFFICER_ID)


@pytest.fixture
def other_officer() -> Headers:
    return bearer(Role.PROBATION_OFFICER, OTHER_OFFICER_ID)


@pytest.fixture
def governor() -> Headers:
    return bearer(Role.GOVERNOR, "governor-mdi", prison=OWN_PRISON)


@pytest.fixture
def other_governor() -> Headers:
    return bearer(Role.GOVERNOR, "governor-bwi", prison=OTHER_PRISON)


@pytest.fixture
def admin() -> Headers:
    return bearer(Role.ADMIN, "admin-test")


OFFICER = Actor(user_id=OFFICER_ID, role=Role.PROBATION_OFFICER)


def open_request(session: Session, plan_id: int) -> EarlyReleaseRequest:
    request = session.exec(
        select(EarlyReleaseRequest).where(EarlyReleaseRequest.plan_id == plan_id)
    ).first()
    assert request is not None
    return request


def publish(session: Session, plan: ReleasePlan) -> ReleasePlan:
    """Gives the plan a first night and publishes its 48-hour plan."""
    assert plan.id is not None
    plan = plans.set_night_one(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        data=plans.NightOne(accommodation_address="Flat 1, 2 Made Up Road, Leeds"),
    )
    forty_eight_hours.publish(
        session=session, actor=OFFICER, plan_id=plan.id, expected_version=plan.version
    )
    session.refresh(plan)
    return plan


def submit_request(session: Session, plan_id: int) -> EarlyReleaseRequest:
    request = open_request(session, plan_id)
    assert request.id is not None
    request = early_release.assess(
        session=session,
        actor=OFFICER,
        request_id=request.id,
        expected_version=request.version,
        harms_resettlement=True,
        needs=["accommodation"],
        assessment="The hostel takes no arrivals at the weekend.",
    )
    return early_release.submit(
        session=session, actor=OFFICER, request_id=request.id, expected_version=request.version
    )


@pytest.fixture
def flagged_plan(new_plan: Callable[..., ReleasePlan]) -> Callable[..., ReleasePlan]:
    def build(**overrides: Any) -> ReleasePlan:
        return new_plan(requested_release_date=FRIDAY, **overrides)

    return build
