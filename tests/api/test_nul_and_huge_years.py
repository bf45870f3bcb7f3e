"""Input that used to answer 500: a NUL character anywhere (PostgreSQL cannot store one), and
years too big for a date or for the arithmetic done on it. Each now answers 4xx and writes
nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from resettlement.models import AuditEvent, Person, ReleasePlan
from tests.api.conftest import Headers


def _nul_problem(response: Any, field: str, location: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert {"field": field, "location": location} in [
        {"field": e["field"], "location": e["location"]} for e in errors
    ]


def _people(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Person)).one()


def test_a_nul_in_a_nested_json_field_is_422_naming_it(
    client: TestClient, officer: Headers, session: Session
) -> None:
    body = {
        "person": {
            "prison_number": "A1234BC",
            "crn": "X123456",
            "given_name": "Sam\u0000",
            "family_name": "Smith",
            "date_of_birth": "1980-01-01",
            "nation": "england-and-wales",
            "prison_code": "MDI",
        },
        "sentence_date": "2025-01-01",
        "requested_release_date": "2027-03-10",
    }
    _nul_problem(
        client.post("/api/v1/plans", json=body, headers=officer), "person.given_name", "body"
    )
    assert _people(session) == 0


def test_a_nul_in_a_json_change_is_422_and_the_plan_is_unchanged(
    client: TestClient,
    officer: Headers,
    session: Session,
    new_plan: Callable[..., ReleasePlan],
) -> None:
    plan = new_plan()
    response = client.put(
        f"/api/v1/plans/{plan.id}/night-one",
        json={"accommodation_address": "1 High St\u0000", "expected_version": plan.version},
        headers=officer,
    )
    _nul_problem(response, "accommodation_address", "body")
    session.refresh(plan)
    assert plan.accommodation_address is None


def test_a_nul_in_a_text_query_parameter_is_422_naming_it(
    client: TestClient, admin: Headers
) -> None:
    _nul_problem(client.get("/api/v1/audit?actor=po%00test", headers=admin), "actor", "query")


def test_a_nul_in_a_path_parameter_is_422(
    client: TestClient, officer: Headers, new_plan: Callable[..., ReleasePlan]
) -> None:
    plan = new_plan()
    response = client.patch(
        f"/api/v1/plans/{plan.id}/checklist/gp%00",
        json={"status": "done", "expected_version": plan.version},
        headers=officer,
    )
    _nul_problem(response, "path", "path")


def test_a_nul_in_a_form_post_is_422_naming_the_field(client: TestClient) -> None:
    response = client.post(
        "/plan-link/any-link-at-all", data={"day": "1\u0000", "month": "1", "year": "1980"}
    )
    _nul_problem(response, "day", "body")


def test_a_body_over_the_limit_is_still_413_when_the_nul_check_reads_it(
    client: TestClient, officer: Headers, new_plan: Callable[..., ReleasePlan]
) -> None:
    plan = new_plan()

    def chunks() -> Any:
        yield b'{"travel_arrangements": "'
        for _ in range(80):
            yield b"x" * 1024
        yield b'", "expected_version": 1}'

    response = client.put(
        f"/api/v1/plans/{plan.id}/night-one",
        content=chunks(),
        headers={**officer, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


# --- huge and tiny years --------------------------------------------------------------------


@pytest.mark.parametrize("year", ["9999999999", "10000", "0", "-1"])
def test_a_huge_year_of_birth_on_a_made_up_link_is_a_page_not_a_500(
    client: TestClient, session: Session, year: str
) -> None:
    # The link is looked up first (its plan's language chooses the page's), so a made-up link
    # gets the page for a link that does not work, whatever the year.
    response = client.post(
        "/plan-link/not-a-real-link", data={"day": "1", "month": "1", "year": year}
    )
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert session.exec(select(AuditEvent)).all() == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"end": "0001-01-01"}, "end"),
        ({"start": "0001-01-01", "end": "0001-03-01"}, "start"),
        ({"start": "2026-01-01", "end": "9999-12-31"}, "end"),
    ],
)
@pytest.mark.parametrize("report", ["outcomes", "friday-releases", "outcomes.csv"])
def test_report_periods_centuries_away_are_422_naming_the_date(
    client: TestClient, admin: Headers, params: dict[str, str], field: str, report: str
) -> None:
    response = client.get(f"/api/v1/reports/{report}", params=params, headers=admin)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == [field]
