"""A supporter's link, over HTTP: the check question, only the chosen sections, lockout,
revocation by the person or the officer, withdrawal of consent and expiry all cutting access at
once, and a supporter's cookie opening nothing else."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime, time, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.auth import mint_token
from api.settings import get_api_settings
from resettlement import clock, forty_eight_hours, plans
from resettlement.actors import Role
from resettlement.models import AppointmentCreate, AuditEvent, ReleasePlan
from resettlement.partners.supporters import SupporterLink
from resettlement.privacy import consents
from resettlement.privacy.consents import Consent
from tests.partners.conftest import OFFICER

ADDRESS = "Flat 1, 2 Made Up Road, Leeds"
APPOINTMENT_PLACE = "Probation office, 9 Made Up Street"


@pytest.fixture(autouse=True)
def _fresh_api_settings() -> Iterator[None]:
    get_api_settings.cache_clear()
    yield
    get_api_settings.cache_clear()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


def _officer() -> dict[str, str]:
    return {
        "Authorization": f"Bearer {mint_token(role=Role.PROBATION_OFFICER, user=OFFICER.user_id)}"
    }


@pytest.fixture
def published(session: Session, new_plan: Callable[..., ReleasePlan]) -> ReleasePlan:
    plan = new_plan()
    assert plan.id is not None
    plan = plans.set_night_one(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        data=plans.NightOne(accommodation_address=ADDRESS),
    )
    assert plan.walk_out_date is not None
    tomorrow = datetime.combine(plan.walk_out_date, time(14), tzinfo=clock.LONDON)
    forty_eight_hours.add_appointment(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        data=AppointmentCreate(
            kind="probation", starts_at=tomorrow, location=APPOINTMENT_PLACE, with_whom="Officer"
        ),
    )
    session.refresh(plan)
    forty_eight_hours.publish(
        session=session, actor=OFFICER, plan_id=plan.id, expected_version=plan.version
    )
    session.refresh(plan)
    return plan


def _name(client: TestClient, plan: ReleasePlan, sections: list[str]) -> tuple[int, str]:
    response = client.post(
        f"/api/v1/plans/{plan.id}/supporters",
        headers=_officer(),
        json={
            "name": "Sam Made-Up",
            "relationship": "Sister",
            "check_question": "The name of our first dog",
            "answer": "Biscuit the Second",
            "sections": sections,
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return body["supporter_id"], body["path"]


def _answer(client: TestClient, path: str, answer: str) -> object:
    page = client.get(path)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None, page.text
    return client.post(
        path, data={"answer": answer, "csrf_token": token.group(1)}, follow_redirects=False
    )


def test_a_supporter_sees_only_the_chosen_sections_after_the_check_question(
    client: TestClient, session: Session, published: ReleasePlan
) -> None:
    supporter_id, path = _name(client, published, ["first_night_address"])
    assert path.startswith("/supporter-link/")
    # Only the secret's hash is kept.
    secret = path.rsplit("/", 1)[1]
    link = session.get(SupporterLink, supporter_id)
    assert link is not None and secret not in repr(link.model_dump())
    assert "Biscuit" not in repr(link.model_dump())

    page = client.get(path)
    assert "The name of our first dog" in page.text
    wrong = _answer(client, path, "Rex")
    assert wrong.status_code == 422 and "4 more times" in wrong.text  # type: ignore[attr-defined]
    right = _answer(client, path, "  biscuit THE second ")
    assert right.status_code == 303  # type: ignore[attr-defined]
    plan_page = client.get("/supporter")
    assert plan_page.status_code == 200
    assert ADDRESS in plan_page.text
    assert APPOINTMENT_PLACE not in plan_page.text
    assert published.id is not None
    reads = session.exec(
        select(AuditEvent).where(
            AuditEvent.action == "supporter_read_plan", AuditEvent.object_id == str(published.id)
        )
    ).all()
    assert len(reads) == 1


def test_revoking_by_the_person_cuts_the_supporter_off_at_once(
    client: TestClient, session: Session, published: ReleasePlan
) -> None:
    supporter_id, path = _name(client, published, ["first_night_address", "appointments"])
    _answer(client, path, "biscuit the second")
    page = client.get("/supporter")
    assert APPOINTMENT_PLACE in page.text
    person = {
        "Authorization": "Bearer "
        + mint_token(role=Role.PRISON_LEAVER, user="leaver", plan=published.id)
    }
    revoked = client.delete(f"/api/v1/supporters/{supporter_id}", headers=person)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert client.get("/supporter").status_code == 403
    assert client.get(path).status_code == 404
    consent = session.exec(select(Consent)).one()
    assert consent.withdrawn_at is not None


def test_withdrawing_the_consent_stops_the_link_at_once(
    client: TestClient, session: Session, published: ReleasePlan
) -> None:
    _, path = _name(client, published, ["contacts"])
    _answer(client, path, "Biscuit the second")
    assert client.get("/supporter").status_code == 200
    consent = session.exec(select(Consent)).one()
    assert consent.id is not None
    consents.withdraw_consent(session=session, actor=OFFICER, consent_id=consent.id)
    assert client.get("/supporter").status_code == 403


def test_the_link_expires_after_the_first_weeks(
    client: TestClient, session: Session, published: ReleasePlan
) -> None:
    supporter_id, path = _name(client, published, ["contacts"])
    link = session.get(SupporterLink, supporter_id)
    assert link is not None and published.walk_out_date is not None
    assert clock.london(link.expires_at).date() == published.walk_out_date + timedelta(
        weeks=4, days=1
    )
    link.expires_at = clock.now() - timedelta(minutes=1)
    session.add(link)
    session.commit()
    assert client.get(path).status_code == 404


def test_five_wrong_answers_lock_the_link(
    client: TestClient, session: Session, published: ReleasePlan
) -> None:
    _, path = _name(client, published, ["contacts"])
    for _ in range(4):
        assert _answer(client, path, "wrong").status_code == 422  # type: ignore[attr-defined]
    assert _answer(client, path, "wrong").status_code == 429  # type: ignore[attr-defined]
    # Locked: the page says so, and even the right answer is not compared.
    assert client.get(path).status_code == 429
    token = client.cookies.get("leaver_form")
    right = client.post(path, data={"answer": "Biscuit the second", "csrf_token": token})
    assert right.status_code == 429


def test_a_supporters_cookie_opens_no_staff_or_person_route(
    client: TestClient, published: ReleasePlan
) -> None:
    _, path = _name(client, published, ["first_night_address"])
    _answer(client, path, "Biscuit the second")
    assert client.get("/supporter").status_code == 200
    cookie = client.cookies.get("supporter_session")
    assert cookie
    for route in (f"/api/v1/plans/{published.id}", "/api/v1/me/plan", "/api/v1/partner/referrals"):
        assert client.get(route).status_code == 401, route
    assert client.get("/my-plan").status_code == 401
    staff = client.get("/staff/caseload", follow_redirects=False)
    assert staff.status_code == 303 and staff.headers["location"] == "/staff/sign-in"
    # Sent as the person's own cookie, it is not theirs either.
    client.cookies.set("leaver_session", cookie)
    assert client.get("/my-plan").status_code in (401, 403)


def test_signing_out_ends_the_session_on_the_server(
    client: TestClient, published: ReleasePlan
) -> None:
    _, path = _name(client, published, ["first_night_address"])
    _answer(client, path, "Biscuit the second")
    cookie = client.cookies.get("supporter_session")
    assert client.post("/supporter/sign-out").status_code == 200
    client.cookies.set("supporter_session", cookie, path="/supporter")  # type: ignore[arg-type]
    assert client.get("/supporter").status_code == 401
