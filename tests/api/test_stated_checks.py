"""The OpenAPI document states the checks the API applies, and the API reads input as the
document says: no lax guesses (0 is not 1 January 1970), and the leaver's form keeps to HTML."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from resettlement import clock
from resettlement.models import ReleasePlan
from rules.entered_dates import birth_bounds
from tests.api.conftest import Headers


def _openapi(client: TestClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    return response.json()


def _query(document: dict[str, Any], path: str, name: str) -> dict[str, Any]:
    for parameter in document["paths"][path]["get"]["parameters"]:
        if parameter["name"] == name:
            schema = parameter["schema"]
            return next(s for s in schema.get("anyOf", [schema]) if s.get("type") != "null")
    raise AssertionError(f"{path} has no parameter {name}")


@pytest.mark.parametrize(
    ("field", "good", "bad"),
    [
        (
            "prison_number",
            "A1234BC",
            ["A1234B", "12345BC", "A1234BCD", "A\u0661\u0662\u0663\u0664BC"],
        ),
        ("crn", "X123456", ["X12345", "1234567", "XX12345"]),
        ("prison_code", "MDI", ["MD", "MD1", "MDIX"]),
    ],
)
def test_the_document_states_the_identifier_patterns_the_api_checks(
    client: TestClient, field: str, good: str, bad: list[str]
) -> None:
    person = _openapi(client)["components"]["schemas"]["PersonIn"]["properties"][field]
    pattern = re.compile(person["pattern"])
    assert pattern.search(good)
    for value in bad:
        assert not pattern.search(value), value


def test_the_document_states_date_ranges_and_report_limits(client: TestClient) -> None:
    document = _openapi(client)
    schemas = document["components"]["schemas"]
    today = clock.today()
    starts_at = re.compile(schemas["AppointmentIn"]["properties"]["starts_at"]["pattern"])
    assert starts_at.search(f"{today.isoformat()}T10:00:00Z")
    assert not starts_at.search(f"{(today - timedelta(days=1)).isoformat()}T10:00:00Z")
    assert not starts_at.search("0027-03-03T10:00:00Z")
    assert not starts_at.search("9999-12-31T10:00:00Z")
    birth = re.compile(schemas["PersonIn"]["properties"]["date_of_birth"]["pattern"])
    # At least ten years ago (rules/entered_dates.py): the youngest age anyone is in custody.
    ten_years_ago = birth_bounds(today)[1]
    assert birth.search(ten_years_ago.isoformat())
    assert not birth.search((ten_years_ago + timedelta(days=1)).isoformat())
    assert not birth.search((today - timedelta(days=1)).isoformat())
    assert not birth.search("1899-12-31")
    end = _query(document, "/api/v1/reports/outcomes", "end")
    assert re.search(end["pattern"], "1990-01-01")
    assert not re.search(end["pattern"], "0001-01-01")
    assert not re.search(end["pattern"], f"{today.year + 2}-01-01")
    first_month = _query(document, "/api/v1/reports/trends", "from")
    assert re.search(first_month["pattern"], "1990-01")
    assert re.search(first_month["pattern"], f"{today:%Y-%m}")
    assert not re.search(first_month["pattern"], "1989-12")
    assert not re.search(first_month["pattern"], f"{today.year + 1}-01")
    assert not re.search(first_month["pattern"], f"{today.year}-13")
    assessed = _query(document, "/api/v1/release-dates/assess", "date")
    assert not re.search(assessed["pattern"], "1594-12-22")
    described = document["paths"]["/api/v1/reports/outcomes"]["get"]["parameters"]
    assert any("ten years" in p.get("description", "") for p in described)
    assert schemas["PlanOpen"]["additionalProperties"] is False
    assert schemas["PersonIn"]["properties"]["given_name"]["pattern"] == "^[^\\u0000]*$"


@pytest.mark.parametrize("value", ["0", "20270312", "1e3", "2027-3-12"])
def test_a_date_query_parameter_that_is_not_yyyy_mm_dd_is_422(
    client: TestClient, officer: Headers, value: str
) -> None:
    response = client.get("/api/v1/plans", params={"walk_out_to": value}, headers=officer)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["walk_out_to"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"expected_version": "1"}, "expected_version"),
        ({"expected_version": True}, "expected_version"),
        ({"first_appointment_attended": 1}, "first_appointment_attended"),
        ({"unknown_field": "x"}, "unknown_field"),
    ],
)
def test_json_bodies_take_json_types_and_no_unknown_fields(
    client: TestClient,
    officer: Headers,
    new_plan: Callable[..., ReleasePlan],
    change: dict[str, Any],
    field: str,
) -> None:
    plan = new_plan()
    body = {
        "first_appointment_attended": True,
        "night_in_planned_accommodation": True,
        "gp_registered": True,
        "universal_credit_claim_made": True,
        "id_in_hand": True,
        "bank_account_in_hand": True,
        "expected_version": plan.version,
        **change,
    }
    response = client.post(f"/api/v1/plans/{plan.id}/followup", json=body, headers=officer)
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in response.json()["errors"]]


def test_a_release_date_before_the_plans_sentence_date_conflicts_with_the_record(
    client: TestClient, officer: Headers, new_plan: Callable[..., ReleasePlan], session: Session
) -> None:
    plan = new_plan()
    response = client.post(
        f"/api/v1/plans/{plan.id}/release-date",
        json={
            "requested_release_date": "1995-01-04",
            "reason": "recalculated",
            "expected_version": plan.version,
        },
        headers=officer,
    )
    assert response.status_code == 409, response.text
    assert response.json()["errors"][0]["field"] == "requested_release_date"
    session.refresh(plan)
    assert plan.requested_release_date != date(1995, 1, 4)


@pytest.mark.parametrize("field", ["day", "month", "year"])
def test_a_leaver_form_field_over_ten_characters_on_a_made_up_link_is_a_page_not_json(
    client: TestClient, field: str
) -> None:
    # A real link's form gets the form again with its error (tests/pages/test_leaver_pages.py).
    form = {"day": "1", "month": "1", "year": "1980", field: "9" * 20}
    response = client.post("/plan-link/any-link-at-all", data=form)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "9" * 11 not in response.text
