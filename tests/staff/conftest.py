"""The app with the staff pages mounted, bound to the test database; sign-in helpers."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from faker import Faker
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.auth import mint_token
from api.settings import get_api_settings
from api.staff.identity import COOKIE, COOKIE_PATH, encode_session, new_session
from api.staff.settings import get_staff_settings
from resettlement import demo, staff
from resettlement.actors import Role
from resettlement.models import Person, ReleasePlan
from resettlement.privacy.consents import Consent, ConsentKind

OFFICER_ID = "po-test"  # the officer tests/conftest.py opens plans as
OTHER_OFFICER_ID = "po-other"
OWN_PRISON = "MDI"
OTHER_PRISON = "BWI"
# A Friday: the release is flagged and an early-release request opens with the plan.
FRIDAY = date(2027, 3, 12)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _fresh_staff_settings() -> Iterator[None]:
    get_api_settings.cache_clear()
    get_staff_settings.cache_clear()
    yield
    get_api_settings.cache_clear()
    get_staff_settings.cache_clear()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as client:
        yield client


def bearer(role: Role | str, user: str, **claims: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(role=role, user=user, **claims)}"}


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


class Browser:
    """A TestClient used like a browser: signs in through the sign-in page, posts forms with
    the CSRF token from the last page it saw."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.last = ""

    def get(self, url: str, **kwargs: Any) -> Any:
        response = self.client.get(url, **kwargs)
        if response.headers.get("content-type", "").startswith("text/html"):
            self.last = response.text
        return response

    def post(self, url: str, data: dict[str, Any], *, csrf: bool = True) -> Any:
        if csrf and "csrf_token" not in data:
            data = {**data, "csrf_token": csrf_of(self.last)}
        response = self.client.post(url, data=data)
        if response.headers.get("content-type", "").startswith("text/html"):
            self.last = response.text
        return response

    def sign_in(self, user: str) -> Any:
        """Through the local sign-in page: only the demo's made-up staff are offered."""
        self.get("/staff/sign-in")
        response = self.post("/staff/sign-in", {"user": user})
        assert response.status_code == 303, response.text
        return response

    def use_token(self, role: Role, user: str, **claims: Any) -> Browser:
        """As if signed in with a token from the identity provider (any user, any role)."""
        token = mint_token(role=role, user=user, **claims)
        self.client.cookies.set(COOKIE, encode_session(new_session(token)), path=COOKIE_PATH)
        return self


@pytest.fixture
def browser(client: TestClient, session: Session) -> Browser:
    # The sign-in page lists the staff table: the demo's staff, as `resettlement up` seeds them.
    staff.add_missing(session=session, members=demo.demo_staff())
    return Browser(client)


@pytest.fixture
def signed_in(app: FastAPI) -> Iterator[Callable[[str], Browser]]:
    """A separate browser per user, already signed in: officer, other_officer, governor,
    other_governor, admin or leaver."""
    clients: list[TestClient] = []
    who: dict[str, tuple[Role, str, dict[str, Any]]] = {
        "officer": (Role.PROBATION_OFFICER, OFFICER_ID, {}),
        "other_officer": (Role.PROBATION_OFFICER, OTHER_OFFICER_ID, {}),
        "governor": (Role.GOVERNOR, "governor-mdi", {"prison": OWN_PRISON}),
        "other_governor": (Role.GOVERNOR, "governor-bwi", {"prison": OTHER_PRISON}),
        "admin": (Role.ADMIN, "admin-test", {}),
        "leaver": (Role.PRISON_LEAVER, "leaver-test", {"plan": 1}),
    }

    def open_as(name: str) -> Browser:
        client = TestClient(app, follow_redirects=False)
        client.__enter__()
        clients.append(client)
        role, user, claims = who[name]
        return Browser(client).use_token(role, user, **claims)

    yield open_as
    for client in clients:
        client.__exit__(None, None, None)


def released(
    session: Session,
    fake: Faker,
    *,
    prison: str = OWN_PRISON,
    on: date = date(2026, 10, 14),
    sex: str | None = None,
    followup: dict[str, bool] | None = None,
) -> ReleasePlan:
    """A person released on `on` with their 48-hour follow-up recorded (report test data)."""
    person = Person(
        prison_number=fake.unique.bothify("?####??").upper(),
        crn=fake.unique.bothify("?######").upper(),
        given_name=fake.first_name(),
        family_name=fake.last_name(),
        date_of_birth=date(1980, 1, 1),
        nation="england-and-wales",
        prison_code=prison,
        sex=sex,
    )
    session.add(person)
    session.flush()
    if sex is not None:
        session.add(
            Consent(
                person_id=person.id,
                kind=ConsentKind.MONITORING_CHARACTERISTICS,
                given_how="in_person",
                recorded_by=OFFICER_ID,
            )
        )
    plan = ReleasePlan(
        person_id=person.id,
        probation_officer_id=OFFICER_ID,
        sentence_date=date(2025, 1, 1),
        requested_release_date=on,
        release_date=on,
        walk_out_date=on,
        state="completed",
        followup=followup,
        followup_recorded_at=datetime(on.year, on.month, on.day, 12, tzinfo=UTC),
    )
    session.add(plan)
    session.commit()
    return plan
