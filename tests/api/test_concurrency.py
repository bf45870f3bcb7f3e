"""Concurrent writers against the real server and database: every loser is a 409 problem+json.

Each test fires its requests from many threads at a barrier, against uvicorn, so they reach
the database together: the races live in the database, not in the test client.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from faker import Faker
from sqlalchemy import func
from sqlmodel import Session, col, select

from resettlement import plans
from resettlement.models import Person, PlanEvent, PublishedPlan, ReleasePlan
from tests.api.conftest import OFFICER, Headers, bearer
from tests.conftest import POSTGRES

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES, reason="the races live in PostgreSQL's row locks"),
]

PROBLEM = "application/problem+json"


def together(count: int, request: Callable[[httpx.Client, int], httpx.Response]) -> list[Any]:
    """`count` requests released at one barrier, each on its own connection."""
    barrier = threading.Barrier(count)
    limits = httpx.Limits(max_connections=count, max_keepalive_connections=count)
    with httpx.Client(limits=limits, timeout=60) as client:

        def one(index: int) -> httpx.Response:
            barrier.wait()
            return request(client, index)

        with ThreadPoolExecutor(count) as pool:
            return list(pool.map(one, range(count)))


def statuses(responses: list[httpx.Response]) -> Counter[int]:
    return Counter(r.status_code for r in responses)


def assert_conflicts_are_problems(responses: list[httpx.Response]) -> None:
    for response in responses:
        if response.status_code == 409:
            assert response.headers["content-type"] == PROBLEM
            assert response.json()["status"] == 409


def test_fifty_parallel_cancels_of_one_version_give_one_success_and_forty_nine_conflicts(
    live_server: str, session: Session, new_plan: Callable[..., ReleasePlan], officer: Headers
) -> None:
    plan = new_plan()
    body = {"event": "cancel", "expected_version": plan.version, "cancel_reason": "recall"}
    responses = together(
        50,
        lambda client, _: client.post(
            f"{live_server}/api/v1/plans/{plan.id}/transitions", json=body, headers=officer
        ),
    )
    assert statuses(responses) == {200: 1, 409: 49}, [r.text for r in responses][:3]
    assert_conflicts_are_problems(responses)
    session.expire_all()
    stored = session.get(ReleasePlan, plan.id)
    assert stored is not None and stored.state == "cancelled"
    cancelled = session.exec(
        select(func.count())
        .select_from(PlanEvent)
        .where(PlanEvent.plan_id == plan.id, PlanEvent.to_state == "cancelled")
    ).one()
    assert cancelled == 1


def test_twenty_parallel_publishes_are_each_published_or_a_conflict_never_invalid(
    live_server: str, session: Session, new_plan: Callable[..., ReleasePlan], officer: Headers
) -> None:
    plan = new_plan()
    assert plan.id is not None
    plan = plans.set_night_one(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        data=plans.NightOne(accommodation_address="Flat 1, 2 Made Up Road, Leeds"),
    )
    responses = together(
        20,
        lambda client, _: client.post(
            f"{live_server}/api/v1/plans/{plan.id}/publish",
            json={"expected_version": plan.version},
            headers=officer,
        ),
    )
    assert statuses(responses) == {201: 1, 409: 19}, [r.text for r in responses][:3]
    assert_conflicts_are_problems(responses)
    published = session.exec(
        select(func.count()).select_from(PublishedPlan).where(PublishedPlan.plan_id == plan.id)
    ).one()
    assert published == 1


def _open_body(fake: Faker, **person: Any) -> dict[str, Any]:
    details = {
        "prison_number": fake.bothify("?####??", letters="ABCDEFGHJKLMNPRSTUVWXYZ"),
        "crn": fake.bothify("?######", letters="ABCDEFGHJKLMNPRSTUVWXYZ"),
        "given_name": fake.first_name(),
        "family_name": fake.last_name(),
        "date_of_birth": fake.date_of_birth(minimum_age=20, maximum_age=70).isoformat(),
        "nation": "england-and-wales",
        "prison_code": "MDI",
    } | person
    return {
        "person": details,
        "sentence_date": "2025-06-02",
        "requested_release_date": "2027-03-10",
        "term_days": 900,
    }


def test_parallel_opens_of_one_new_prison_number_give_one_plan_and_conflicts(
    live_server: str, session: Session, fake: Faker
) -> None:
    body = _open_body(fake)
    # Different officers, so no open plan of the caller's own settles it early.
    responses = together(
        20,
        lambda client, index: client.post(
            f"{live_server}/api/v1/plans",
            json=body,
            headers=bearer("probation_officer", f"po-race-{index}"),
        ),
    )
    assert statuses(responses) == {201: 1, 409: 19}, [r.text for r in responses][:3]
    assert_conflicts_are_problems(responses)
    people = session.exec(
        select(Person).where(Person.prison_number == body["person"]["prison_number"])
    ).all()
    assert len(people) == 1
    opened = session.exec(
        select(func.count())
        .select_from(ReleasePlan)
        .where(col(ReleasePlan.person_id) == people[0].id)
    ).one()
    assert opened == 1


def test_opening_a_plan_with_a_crn_another_person_has_is_a_conflict_not_a_crash(
    live_server: str, new_plan: Callable[..., ReleasePlan], session: Session, fake: Faker
) -> None:
    existing = new_plan()
    person = session.get(Person, existing.person_id)
    assert person is not None
    response = httpx.post(
        f"{live_server}/api/v1/plans",
        json=_open_body(fake, crn=person.crn),
        headers=bearer("probation_officer", "po-other"),
    )
    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM
