"""The audit trail of reads and changes, request ids, security headers and CORS."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, select

from api.main import create_app
from api.settings import get_api_settings
from resettlement.models import AuditEvent, ReleasePlan
from tests.api.conftest import Headers, publish, submit_request
from tests.conftest import POSTGRES, owner_url_for


def audit_rows(session: Session, request_id: str) -> list[AuditEvent]:
    session.expire_all()
    return list(
        session.exec(
            select(AuditEvent)
            .where(AuditEvent.request_id == request_id)
            .order_by(col(AuditEvent.id))
        ).all()
    )


def test_listing_plans_audits_each_plan_shown_under_the_callers_request_id(
    client: TestClient, session: Session, new_plan: Callable[..., ReleasePlan], officer: Headers
) -> None:
    ids = {new_plan().id for _ in range(3)}
    response = client.get("/api/v1/plans", headers=officer | {"X-Request-ID": "trace-0001-abcd"})
    assert response.headers["x-request-id"] == "trace-0001-abcd"
    rows = audit_rows(session, "trace-0001-abcd")
    assert {int(r.object_id) for r in rows} == ids
    assert {(r.actor, r.role, r.action, r.object_type) for r in rows} == {
        ("po-test", "probation_officer", "list", "plan")
    }


def test_a_governor_reading_a_plan_is_audited(
    client: TestClient, session: Session, new_plan: Callable[..., ReleasePlan], governor: Headers
) -> None:
    plan = new_plan()
    response = client.get(f"/api/v1/plans/{plan.id}", headers=governor)
    rows = audit_rows(session, response.headers["x-request-id"])
    assert [(r.actor, r.action, r.object_id) for r in rows] == [
        ("governor-mdi", "read", str(plan.id))
    ]


def test_asking_for_someone_elses_record_is_audited_though_it_looks_absent(
    client: TestClient,
    session: Session,
    new_plan: Callable[..., ReleasePlan],
    flagged_plan: Callable[..., ReleasePlan],
    other_officer: Headers,
    other_governor: Headers,
) -> None:
    plan = new_plan()
    flagged = flagged_plan()
    assert plan.id is not None and flagged.id is not None
    request = submit_request(session, flagged.id)
    attempts = [
        (client.get(f"/api/v1/plans/{plan.id}", headers=other_officer), "plan", plan.id),
        (client.get(f"/api/v1/plans/{plan.id}", headers=other_governor), "plan", plan.id),
        (
            client.get(f"/api/v1/plans/{plan.id}/history", headers=other_officer),
            "plan",
            plan.id,
        ),
        (
            client.post(
                f"/api/v1/plans/{plan.id}/transitions",
                headers=other_officer,
                json={"event": "start_resettlement_planning", "expected_version": 1},
            ),
            "plan",
            plan.id,
        ),
        (
            client.post(
                f"/api/v1/early-release-requests/{request.id}/decision",
                headers=other_governor,
                json={"decision": "refuse", "reasons": "No.", "expected_version": 1},
            ),
            "early_release_request",
            request.id,
        ),
    ]
    for response, object_type, object_id in attempts:
        assert response.status_code == 404, response.text
        rows = audit_rows(session, response.headers["x-request-id"])
        assert [(r.action, r.object_type, r.object_id) for r in rows] == [
            ("denied", object_type, str(object_id))
        ]
    # A record that does not exist is not a record of anyone's: nothing to keep.
    missing = client.get("/api/v1/plans/999999", headers=other_officer)
    assert missing.status_code == 404
    assert audit_rows(session, missing.headers["x-request-id"]) == []
    # Both say the same thing, so the audit gives nothing away.
    assert missing.json()["title"] == attempts[0][0].json()["title"]


def test_the_governors_queue_audits_each_request_shown(
    client: TestClient,
    session: Session,
    flagged_plan: Callable[..., ReleasePlan],
    governor: Headers,
) -> None:
    plan = flagged_plan()
    assert plan.id is not None
    request = submit_request(session, plan.id)
    response = client.get("/api/v1/early-release-requests", headers=governor)
    assert [r["id"] for r in response.json()] == [request.id]
    rows = audit_rows(session, response.headers["x-request-id"])
    assert [(r.object_type, r.object_id) for r in rows] == [
        ("early_release_request", str(request.id))
    ]


def test_reading_the_audit_trail_is_itself_audited(
    client: TestClient, session: Session, new_plan: Callable[..., ReleasePlan], admin: Headers
) -> None:
    plan = new_plan()
    response = client.get(f"/api/v1/audit?object_type=plan&object_id={plan.id}", headers=admin)
    items = response.json()["items"]
    assert [i["action"] for i in items] == ["create"]
    rows = audit_rows(session, response.headers["x-request-id"])
    assert [(r.actor, r.action, r.object_type) for r in rows] == [
        ("admin-test", "read", "audit_trail")
    ]
    assert rows[0].object_id == f"{items[0]['id']}-{items[0]['id']}"
    by_actor = client.get("/api/v1/audit?actor=admin-test", headers=admin).json()["items"]
    assert {i["actor"] for i in by_actor} == {"admin-test"}


def test_a_prison_leaver_reading_their_own_plan_is_not_a_staff_read(
    client: TestClient, session: Session, new_plan: Callable[..., ReleasePlan]
) -> None:
    from tests.api.conftest import bearer

    plan = publish(session, new_plan())
    response = client.get("/api/v1/me/plan", headers=bearer("prison_leaver", "l-1", plan=plan.id))
    assert response.status_code == 200
    assert response.json()["plan"]["accommodation"]["address"].startswith("Flat 1")
    assert audit_rows(session, response.headers["x-request-id"]) == []


@pytest.mark.parametrize(
    "sent", ["", "short", "has spaces in it", "x" * 65, "<script>alert(1)</script>", "a\tb"]
)
def test_an_insane_request_id_is_replaced(client: TestClient, sent: str) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": sent})
    returned = response.headers["x-request-id"]
    assert returned != sent and len(returned) == 32


def test_every_response_carries_the_security_headers(client: TestClient, officer: Headers) -> None:
    for response in (
        client.get("/healthz"),
        client.get("/api/v1/plans", headers=officer),
        client.get("/api/v1/plans/1"),
        client.get("/openapi.json"),
    ):
        headers = response.headers
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["strict-transport-security"].startswith("max-age=")
        assert headers["cache-control"] == "no-store"
        assert "default-src 'none'" in headers["content-security-policy"]
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "cdn.jsdelivr.net" in docs.headers["content-security-policy"]


def test_cors_is_closed_by_default(client: TestClient, officer: Headers) -> None:
    response = client.get("/api/v1/plans", headers=officer | {"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers
    preflight = client.options(
        "/api/v1/plans",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in preflight.headers


def test_cors_allows_only_the_configured_origins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESETTLEMENT_CORS_ORIGINS", '["https://officers.example"]')
    get_api_settings.cache_clear()
    with TestClient(create_app()) as client:
        good = client.get("/healthz", headers={"Origin": "https://officers.example"})
        bad = client.get("/healthz", headers={"Origin": "https://evil.example"})
    assert good.headers["access-control-allow-origin"] == "https://officers.example"
    assert "access-control-allow-origin" not in bad.headers


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES, reason="the append-only trigger is PostgreSQL's")
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET actor = 'someone-else'",
        "DELETE FROM audit_event",
        "TRUNCATE audit_event",
    ],
)
def test_the_database_refuses_to_change_or_delete_audit_rows(
    database_url: str, new_plan: Callable[..., ReleasePlan], statement: str
) -> None:
    new_plan()
    # Even the owner, which may change the table, meets the trigger (the service's role meets
    # a refusal before it: tests/core/test_audit_roles.py).
    owner = create_engine(owner_url_for(database_url))
    with owner.connect() as connection:
        before = connection.execute(text("SELECT count(*), min(actor) FROM audit_event")).one()
        with pytest.raises(DBAPIError, match="cannot be changed or deleted"):
            connection.execute(text(statement))
        connection.rollback()
        after = connection.execute(text("SELECT count(*), min(actor) FROM audit_event")).one()
    owner.dispose()
    assert before == after and before[0] > 0


def test_no_endpoint_changes_or_deletes_the_audit_trail(client: TestClient) -> None:
    operations = client.get("/openapi.json").json()["paths"]
    audit_paths = {p: ops for p, ops in operations.items() if "audit" in p}
    assert {m for ops in audit_paths.values() for m in ops} == {"get"}
    for method in ("PUT", "PATCH", "DELETE", "POST"):
        assert client.request(method, "/api/v1/audit").status_code == 405


def test_the_production_session_dependency_serves_requests(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, new_plan: Callable[..., ReleasePlan]
) -> None:
    from api import deps
    from tests.api.conftest import bearer

    plan = new_plan()
    monkeypatch.setattr(deps, "get_engine", lambda: engine)
    with TestClient(create_app()) as client:
        assert client.get("/readyz").json()["status"] == "ready"
        officer = bearer("probation_officer", "po-test")
        assert client.get(f"/api/v1/plans/{plan.id}", headers=officer).status_code == 200
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
