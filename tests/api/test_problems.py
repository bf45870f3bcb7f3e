"""Every kind of error is problem+json, names what to fix, and leaves the database unchanged."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import jwt
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, col, select

from api.deps import get_session
from resettlement import clock
from resettlement.models import AuditEvent, ChecklistItem, Person, PlanEvent, ReleasePlan
from tests.api.conftest import OWN_PRISON, Headers, bearer

PROBLEM = "application/problem+json"


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["type"]
    return body


def snapshot(session: Session) -> dict[str, Any]:
    """What a refused write must leave as it was (audit reads aside)."""
    session.expire_all()
    plans = session.exec(select(ReleasePlan).order_by(ReleasePlan.id)).all()
    return {
        "plans": [(p.id, p.version, p.state, p.walk_out_date) for p in plans],
        "people": session.exec(select(func.count()).select_from(Person)).one(),
        "events": session.exec(select(func.count()).select_from(PlanEvent)).one(),
        "items": [
            (i.id, i.status, i.reason)
            for i in session.exec(select(ChecklistItem).order_by(ChecklistItem.id)).all()
        ],
    }


# --- 401 ----------------------------------------------------------------------------------


def _token(**claims: Any) -> Headers:
    from api.auth import local_secret

    now = clock.now()
    payload = {
        "sub": "po-test",
        "role": "probation_officer",
        "iss": "resettlement-local",
        "aud": "resettlement-api",
        "exp": now + timedelta(hours=1),
    } | claims
    return {"Authorization": "Bearer " + jwt.encode(payload, local_secret(), algorithm="HS256")}


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no token"),
        pytest.param({"Authorization": "Bearer not-a-jwt"}, id="garbage"),
        pytest.param({"Authorization": "Basic cG86cHc="}, id="basic auth"),
        pytest.param(_token(exp=clock.now() - timedelta(hours=1)), id="expired"),
        pytest.param(_token(aud="someone-else"), id="wrong audience"),
        pytest.param(_token(iss="https://evil.example"), id="wrong issuer"),
        pytest.param(_token(role="system"), id="system role"),
        pytest.param(_token(role="governor"), id="governor without a prison"),
        pytest.param(_token(role="prison_leaver"), id="leaver without a plan"),
        pytest.param(
            {
                "Authorization": "Bearer "
                + jwt.encode(
                    {
                        "sub": "x",
                        "role": "admin",
                        "iss": "resettlement-local",
                        "aud": "resettlement-api",
                        "exp": clock.now() + timedelta(hours=1),
                    },
                    "another-secret-that-is-long-enough-for-hs256",
                    algorithm="HS256",
                )
            },
            id="another secret",
        ),
        pytest.param(
            {
                "Authorization": "Bearer "
                + jwt.encode(
                    {
                        "sub": "x",
                        "role": "admin",
                        "iss": "resettlement-local",
                        "aud": "resettlement-api",
                        "exp": 4102444800,
                    },
                    None,
                    algorithm="none",
                )
            },
            id="alg none",
        ),
    ],
)
def test_a_missing_or_bad_token_is_401_with_a_bearer_challenge(
    client: TestClient, headers: Headers
) -> None:
    response = client.get("/api/v1/plans", headers=headers)
    body = assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "Traceback" not in response.text and "jwt" not in body.get("detail", "").lower()


# --- 403 and 404 --------------------------------------------------------------------------


def test_the_wrong_role_is_403(client: TestClient, admin: Headers) -> None:
    assert_problem(client.get("/api/v1/plans", headers=admin), 403)


def test_another_officers_plan_is_404_and_nothing_is_written(
    client: TestClient,
    session: Session,
    new_plan: Callable[..., ReleasePlan],
    other_officer: Headers,
) -> None:
    plan = new_plan()
    before = snapshot(session)
    response = client.post(
        f"/api/v1/plans/{plan.id}/transitions",
        headers=other_officer,
        json={"event": "start_resettlement_planning", "expected_version": plan.version},
    )
    assert_problem(response, 404)
    assert snapshot(session) == before


# --- 409 ----------------------------------------------------------------------------------


def test_a_stale_version_is_409_with_the_current_version_and_changes_nothing(
    client: TestClient, session: Session, new_plan: Callable[..., ReleasePlan], officer: Headers
) -> None:
    plan = new_plan()
    before = snapshot(session)
    response = client.post(
        f"/api/v1/plans/{plan.id}/transitions",
        headers=officer,
        json={"event": "start_resettlement_planning", "expected_version": plan.version - 1},
    )
    body = assert_problem(response, 409)
    assert body["current_version"] == plan.version
    assert body["type"].endswith("version-conflict")
    assert snapshot(session) == before


def test_an_unmet_guard_is_409_naming_each_guard_and_changes_nothing(
    client: TestClient, session: Session, new_plan: Callable[..., ReleasePlan], officer: Headers
) -> None:
    plan = new_plan()
    started = client.post(
        f"/api/v1/plans/{plan.id}/transitions",
        headers=officer,
        json={"event": "start_resettlement_planning", "expected_version": plan.version},
    ).json()
    before = snapshot(session)
    response = client.post(
        f"/api/v1/plans/{plan.id}/transitions",
        headers=officer,
        json={"event": "start_pre_release", "expected_version": started["version"]},
    )
    body = assert_problem(response, 409)
    assert [g["guard"] for g in body["guards"]] == ["core_items_started"]
    assert "bank account" in body["guards"][0]["message"]
    assert snapshot(session) == before


def test_publishing_without_a_first_night_names_the_guard(
    client: TestClient, new_plan: Callable[..., ReleasePlan], officer: Headers
) -> None:
    plan = new_plan()
    response = client.post(
        f"/api/v1/plans/{plan.id}/publish",
        headers=officer,
        json={"expected_version": plan.version},
    )
    body = assert_problem(response, 409)
    assert [g["guard"] for g in body["guards"]] == ["has_accommodation_address"]


def test_a_step_not_possible_from_the_current_stage_is_409(
    client: TestClient, new_plan: Callable[..., ReleasePlan], officer: Headers
) -> None:
    plan = new_plan()
    response = client.post(
        f"/api/v1/plans/{plan.id}/transitions",
        headers=officer,
        json={"event": "complete", "expected_version": plan.version},
    )
    assert assert_problem(response, 409)["type"].endswith("transition-not-allowed")


def test_a_second_open_plan_for_the_same_person_is_409(
    client: TestClient, session: Session, officer: Headers
) -> None:
    body = {
        "person": {
            "prison_number": "A1234BC",
            "crn": "X123456",
            "given_name": "Sam",
            "family_name": "Example",
            "date_of_birth": "1990-01-01",
            "nation": "england-and-wales",
            "prison_code": OWN_PRISON,
        },
        "sentence_date": "2025-01-06",
        "requested_release_date": "2027-03-10",
    }
    assert client.post("/api/v1/plans", headers=officer, json=body).status_code == 201
    before = snapshot(session)
    response = client.post("/api/v1/plans", headers=officer, json=body)
    assert assert_problem(response, 409)["type"].endswith("already-exists")
    assert snapshot(session) == before


# --- 422 ----------------------------------------------------------------------------------


def test_invalid_input_is_422_naming_the_field_and_writes_nothing(
    client: TestClient, session: Session, officer: Headers
) -> None:
    before = snapshot(session)
    response = client.post(
        "/api/v1/plans",
        headers=officer,
        json={
            "person": {
                "prison_number": "nope",
                "crn": "X123456",
                "given_name": "Sam",
                "family_name": "Example",
                "date_of_birth": "1990-01-01",
                "nation": "atlantis",
                "prison_code": OWN_PRISON,
            },
            "sentence_date": "2025-01-06",
        },
    )
    body = assert_problem(response, 422)
    fields = {e["field"]: e for e in body["errors"]}
    assert {"person.prison_number", "person.nation"} <= set(fields)
    assert fields["person.nation"]["location"] == "body"
    assert "nope" not in response.text, "input is never echoed back"
    assert snapshot(session) == before


def test_a_domain_rule_broken_is_422_naming_the_field(
    client: TestClient, session: Session, new_plan: Callable[..., ReleasePlan], officer: Headers
) -> None:
    plan = new_plan()
    before = snapshot(session)
    response = client.patch(
        f"/api/v1/plans/{plan.id}/checklist/bank_account",
        headers=officer,
        json={"status": "not_needed", "expected_version": plan.version},
    )
    body = assert_problem(response, 422)
    assert body["errors"][0]["field"] == "reason"
    assert snapshot(session) == before


def test_submitting_an_assessment_without_harm_is_refused_up_front(
    client: TestClient, session: Session, flagged_plan: Callable[..., ReleasePlan], officer: Headers
) -> None:
    plan = flagged_plan()
    before = snapshot(session)
    response = client.post(
        f"/api/v1/plans/{plan.id}/early-release-requests",
        headers=officer,
        json={"harms_resettlement": False, "expected_version": 1, "submit": True},
    )
    assert assert_problem(response, 422)["errors"][0]["field"] == "body"
    assert snapshot(session) == before


BAD_REQUESTS = [
    ("GET", "/api/v1/plans/99999999999999999999999", None),
    ("GET", "/api/v1/plans/-1", None),
    ("GET", "/api/v1/plans/abc", None),
    ("GET", "/api/v1/plans?limit=100000000000000000000", None),
    ("GET", "/api/v1/plans?walk_out_from=2027-02-30", None),
    ("GET", "/api/v1/plans?state=paroled", None),
    ("GET", "/api/v1/release-dates/assess?date=2027-13-01", None),
    ("GET", "/api/v1/release-dates/assess?date=9999-12-31", None),
    ("GET", "/api/v1/release-dates/assess?date=2027-03-12&nation=mars", None),
    ("GET", "/api/v1/release-dates/assess?date=2027-03-12&term_days=99999999999999999999", None),
    ("POST", "/api/v1/plans/{id}/transitions", {"event": "fly", "expected_version": 1}),
    ("POST", "/api/v1/plans/{id}/transitions", {"event": "release", "expected_version": 10**30}),
    ("POST", "/api/v1/plans/{id}/transitions", {"event": ["release"], "expected_version": "1"}),
    ("POST", "/api/v1/plans/{id}/transitions", [1, 2, 3]),
    (
        "POST",
        "/api/v1/plans/{id}/appointments",
        {
            "kind": "gp",
            "starts_at": "9999-12-31T23:59:59-12:00",
            "location": "x",
            "with_whom": "y",
            "expected_version": 1,
        },
    ),
    (
        "POST",
        "/api/v1/plans/{id}/appointments",
        {
            "kind": "gp",
            "starts_at": "2027-03-12T10:00:00",
            "location": "x",
            "with_whom": "y",
            "expected_version": 1,
        },
    ),
    ("POST", "/api/v1/plans", {"person": {}, "sentence_date": "2025-01-01", "term_days": 10**20}),
    (
        "PATCH",
        "/api/v1/plans/{id}/checklist/" + "x" * 500,
        {"status": "done", "expected_version": 1},
    ),
]


@pytest.mark.parametrize(("method", "path", "body"), BAD_REQUESTS)
def test_bad_input_is_never_a_server_error(
    client: TestClient,
    session: Session,
    new_plan: Callable[..., ReleasePlan],
    officer: Headers,
    method: str,
    path: str,
    body: Any,
) -> None:
    plan = new_plan()
    before = snapshot(session)
    response = client.request(method, path.format(id=plan.id), headers=officer, json=body)
    assert_problem(response, 422)
    assert snapshot(session) == before


def test_a_release_date_outside_the_calendars_is_422_not_500(
    client: TestClient, session: Session, new_plan: Callable[..., ReleasePlan], officer: Headers
) -> None:
    plan = new_plan()
    before = snapshot(session)
    response = client.post(
        f"/api/v1/plans/{plan.id}/release-date",
        headers=officer,
        json={
            "requested_release_date": "2099-06-01",
            "reason": "x",
            "expected_version": plan.version,
        },
    )
    assert_problem(response, 422)
    assert snapshot(session) == before


def test_malformed_json_is_422(client: TestClient, officer: Headers) -> None:
    response = client.post(
        "/api/v1/plans",
        headers=officer | {"Content-Type": "application/json"},
        content=b'{"person": ',
    )
    assert_problem(response, 422)


# --- 405, 413, 429, 500 -------------------------------------------------------------------


def test_an_unknown_method_is_405_problem(client: TestClient, officer: Headers) -> None:
    assert_problem(client.delete("/api/v1/plans/1", headers=officer), 405)


def test_an_unknown_path_is_404_problem(client: TestClient) -> None:
    assert_problem(client.get("/api/v1/nothing-here"), 404)


def test_a_body_over_64_kib_is_413(
    client: TestClient, session: Session, new_plan: Callable[..., ReleasePlan], officer: Headers
) -> None:
    plan = new_plan()
    before = snapshot(session)
    big = {"travel_arrangements": "x" * 70_000, "expected_version": plan.version}
    assert_problem(client.put(f"/api/v1/plans/{plan.id}/night-one", headers=officer, json=big), 413)

    def chunks() -> Iterator[bytes]:
        # No Content-Length: the limit is enforced on the bytes as they arrive.
        yield b'{"travel_arrangements": "'
        for _ in range(100):
            yield b"x" * 1000
        yield b'", "expected_version": 1}'

    response = client.put(
        f"/api/v1/plans/{plan.id}/night-one",
        headers=officer | {"Content-Type": "application/json"},
        content=chunks(),
    )
    assert_problem(response, 413)
    assert snapshot(session) == before


def test_a_prison_leaver_hammering_their_plan_gets_429_with_retry_after(
    client: TestClient, session: Session, new_plan: Callable[..., ReleasePlan]
) -> None:
    from tests.api.conftest import publish

    plan = publish(session, new_plan())
    headers = bearer("prison_leaver", "leaver-1", plan=plan.id)
    statuses = [client.get("/api/v1/me/plan", headers=headers).status_code for _ in range(25)]
    assert statuses[0] == 200
    assert 429 in statuses
    response = client.get("/api/v1/me/plan", headers=headers)
    assert_problem(response, 429)
    assert int(response.headers["retry-after"]) >= 1
    # Another person is not held back by the first one's limit.
    other = bearer("prison_leaver", "leaver-2", plan=plan.id)
    assert client.get("/api/v1/me/plan", headers=other).status_code == 200


def test_an_unexpected_error_is_a_bare_500_problem_with_the_request_id(
    app: FastAPI, officer: Headers
) -> None:
    def broken() -> Iterator[Session]:
        raise RuntimeError("secret internals: password=hunter2")
        yield  # pragma: no cover

    app.dependency_overrides[get_session] = broken
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/v1/plans", headers=officer)
    body = assert_problem(response, 500)
    assert "hunter2" not in response.text and "RuntimeError" not in response.text
    assert response.headers["x-request-id"] in body["detail"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_readiness_is_503_when_the_database_is_unreachable(app: FastAPI) -> None:
    from sqlalchemy import create_engine

    dead = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")

    def unreachable() -> Iterator[Session]:
        with Session(dead) as session:
            yield session

    app.dependency_overrides[get_session] = unreachable
    with TestClient(app) as client:
        assert_problem(client.get("/readyz"), 503)
        assert client.get("/healthz").status_code == 200


def test_a_refused_read_leaves_no_read_in_the_audit_only_the_refusal(
    client: TestClient,
    session: Session,
    new_plan: Callable[..., ReleasePlan],
    other_officer: Headers,
) -> None:
    plan = new_plan()
    before = session.exec(select(func.max(AuditEvent.id))).one() or 0
    assert client.get(f"/api/v1/plans/{plan.id}", headers=other_officer).status_code == 404
    session.expire_all()
    added = session.exec(select(AuditEvent).where(col(AuditEvent.id) > before)).all()
    assert [(r.actor, r.action, r.object_id) for r in added] == [
        ("po-other", "denied", str(plan.id))
    ]
