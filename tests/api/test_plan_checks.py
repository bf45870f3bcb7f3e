"""Publishing runs the plan checks: blocking findings refuse it (409, each named), warnings
need a reason (422 without one), and the reason goes into the plan's history."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from resettlement.models import PlanEvent, PublishedPlan, ReleasePlan
from tests.api.conftest import FRIDAY, Headers

HOSTEL = {"accommodation_address": "Flat 1, 2 Made Up Road, Leeds", "accommodation_from": "2pm"}


def _plan(client: TestClient, officer: Headers, plan: ReleasePlan, *appointments: Any) -> int:
    url = f"/api/v1/plans/{plan.id}"
    version = plan.version
    response = client.put(
        f"{url}/night-one", headers=officer, json={**HOSTEL, "expected_version": version}
    )
    version = response.json()["version"]
    for kind, starts_at in appointments:
        response = client.post(
            f"{url}/appointments",
            headers=officer,
            json={
                "kind": kind,
                "starts_at": starts_at,
                "location": f"{kind.title()} office, 1 Made Up Street",
                "with_whom": "A made-up person",
                "expected_version": version,
            },
        )
        assert response.status_code == 201, response.text
        version = response.json()["version"]
    return version


def test_a_blocking_finding_refuses_publishing_and_names_each_check(
    client: TestClient,
    officer: Headers,
    new_plan: Callable[..., ReleasePlan],
    session: Session,
) -> None:
    plan = new_plan()  # walks out on Wednesday 10 March 2027
    version = _plan(
        client,
        officer,
        plan,
        ("probation", "2027-03-09T10:00:00+00:00"),
        ("gp", "2027-03-10T10:00:00+00:00"),
        ("jobcentre", "2027-03-10T10:30:00+00:00"),
    )
    response = client.post(
        f"/api/v1/plans/{plan.id}/publish",
        headers=officer,
        json={"expected_version": version, "accept_warnings_reason": "Blocking cannot be"},
    )
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:resettlement:problem:plan-checks-failed"
    assert {c["check"] for c in problem["checks"]} == {
        "PC-APPOINTMENT-BEFORE-WALK-OUT",
        "PC-APPOINTMENTS-OVERLAP",
    }
    assert all(c["severity"] == "blocking" for c in problem["checks"])
    assert "Tuesday 9 March 2027, 10am is before the walk-out date" in problem["detail"]
    assert {g["guard"] for g in problem["guards"]} == {c["check"] for c in problem["checks"]}
    assert session.exec(select(PublishedPlan).where(PublishedPlan.plan_id == plan.id)).all() == []


def test_a_saturday_jobcentre_appointment_is_published_only_with_a_reason_kept_in_history(
    client: TestClient,
    officer: Headers,
    flagged_plan: Callable[..., ReleasePlan],
    session: Session,
) -> None:
    plan = flagged_plan()  # walks out on Friday 12 March 2027
    assert plan.walk_out_date == FRIDAY
    version = _plan(
        client,
        officer,
        plan,
        ("probation", "2027-03-12T10:00:00+00:00"),
        ("jobcentre", "2027-03-13T10:00:00+00:00"),
    )
    checks = client.get(f"/api/v1/plans/{plan.id}/checks", headers=officer)
    assert checks.status_code == 200
    [warning] = checks.json()
    assert (warning["check"], warning["severity"]) == ("PC-SERVICE-CLOSED", "warning")
    assert "Saturday 13 March 2027 (a weekend)" in warning["message"]

    refused = client.post(
        f"/api/v1/plans/{plan.id}/publish", headers=officer, json={"expected_version": version}
    )
    assert refused.status_code == 422
    problem = refused.json()
    assert problem["type"] == "urn:resettlement:problem:plan-warnings-not-accepted"
    assert [c["check"] for c in problem["checks"]] == ["PC-SERVICE-CLOSED"]

    reason = "The Jobcentre opens on Saturday mornings for prison leavers."
    published = client.post(
        f"/api/v1/plans/{plan.id}/publish",
        headers=officer,
        json={"expected_version": version, "accept_warnings_reason": reason},
    )
    assert published.status_code == 201, published.text
    [accepted] = session.exec(
        select(PlanEvent).where(
            PlanEvent.plan_id == plan.id, PlanEvent.kind == "plan_check_warnings_accepted"
        )
    ).all()
    assert accepted.reason == reason
    assert accepted.detail is not None
    assert [w["check"] for w in accepted.detail["warnings"]] == ["PC-SERVICE-CLOSED"]
    assert accepted.detail["number"] == published.json()["number"] == 1


def test_another_officer_cannot_read_the_checks(
    client: TestClient, other_officer: Headers, new_plan: Callable[..., ReleasePlan]
) -> None:
    plan = new_plan()
    assert client.get(f"/api/v1/plans/{plan.id}/checks", headers=other_officer).status_code == 404
