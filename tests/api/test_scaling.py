"""What must hold as load grows: a page of plans costs the same statements at any size, and
concurrent changes of one plan leave exactly one winner."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, func
from sqlmodel import Session, select

from resettlement.models import AuditEvent, PlanEvent, ReleasePlan
from tests.api.conftest import Headers
from tests.conftest import POSTGRES


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_a_page_of_plans_costs_the_same_statements_at_any_size(
    client: TestClient,
    engine: Engine,
    session: Session,
    new_plan: Callable[..., ReleasePlan],
    officer: Headers,
) -> None:
    start = date(2027, 1, 4)
    for n in range(60):
        new_plan(requested_release_date=start + timedelta(days=n))
    counts = {}
    for limit in (5, 50):
        with counting(engine) as statements:
            response = client.get(f"/api/v1/plans?limit={limit}", headers=officer)
        assert len(response.json()["items"]) == limit
        counts[limit] = len(statements)
    assert counts[5] == counts[50], counts
    audited = session.exec(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "list")
    ).one()
    assert audited == 55


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES, reason="row locks and real concurrency need PostgreSQL")
def test_fifty_concurrent_transitions_of_one_plan_leave_exactly_one_winner(
    client: TestClient,
    session: Session,
    new_plan: Callable[..., ReleasePlan],
    officer: Headers,
) -> None:
    plan = new_plan()
    version = plan.version
    body = {"event": "start_resettlement_planning", "expected_version": version}

    def attempt(_: int) -> int:
        response = client.post(f"/api/v1/plans/{plan.id}/transitions", headers=officer, json=body)
        return response.status_code

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(attempt, range(50)))
    assert sorted(statuses) == [200] + [409] * 49
    session.expire_all()
    transitions = session.exec(
        select(func.count())
        .select_from(PlanEvent)
        .where(PlanEvent.plan_id == plan.id, PlanEvent.kind == "transition")
    ).one()
    assert transitions == 1
    stored = session.get(ReleasePlan, plan.id)
    assert stored is not None
    assert (stored.state, stored.version) == ("resettlement_planning", version + 1)


def _fill(client: TestClient, officer: Headers, plan_id: int, count: int) -> dict:
    """Adds `count` appointments and contacts and `count` goals, out of order."""
    url = f"/api/v1/plans/{plan_id}"
    plan = client.get(url, headers=officer).json()

    def post(path: str, body: dict) -> dict:
        response = client.post(
            f"{url}/{path}", headers=officer, json=body | {"expected_version": plan["version"]}
        )
        assert response.status_code == 201, response.text
        return response.json()

    for n in reversed(range(count)):
        plan = post(
            "appointments",
            {
                "kind": "gp",
                "starts_at": f"2027-03-{10 + n:02d}T09:30:00+00:00",
                "location": f"Surgery {n}",
                "with_whom": "Reception",
            },
        )
        plan = post(
            "contacts", {"kind": "helpline", "name": f"Helpline {n}", "phone": "0800 000 0000"}
        )
    response = client.put(
        f"{url}/goals",
        headers=officer,
        json={
            "goals": [
                {"area": "work", "in_their_words": f"Goal number {n}."} for n in range(count)
            ],
            "expected_version": plan["version"],
        },
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_reading_a_plan_costs_the_same_statements_however_much_it_holds(
    client: TestClient,
    engine: Engine,
    new_plan: Callable[..., ReleasePlan],
    officer: Headers,
) -> None:
    small, large = new_plan(), new_plan()
    assert small.id is not None and large.id is not None
    _fill(client, officer, small.id, 1)
    written = _fill(client, officer, large.id, 8)
    counts = {}
    for plan in (small, large):
        with counting(engine) as statements:
            response = client.get(f"/api/v1/plans/{plan.id}", headers=officer)
        assert response.status_code == 200
        counts[plan.id] = [s.split()[0].upper() for s in statements]
    assert counts[small.id] == counts[large.id], counts
    # The access check, the plan with all it holds, and the audit row.
    assert counts[large.id].count("SELECT") <= 2
    assert counts[large.id].count("INSERT") == 1
    read = response.json()
    # What was written reads back whole, in the order the plan is shown.
    assert read == written
    assert [a["starts_at"][:10] for a in read["appointments"]] == [
        f"2027-03-{10 + n:02d}" for n in range(8)
    ]
    assert [c["name"] for c in read["contacts"]] == [f"Helpline {n}" for n in reversed(range(8))]
    assert [g["in_their_words"] for g in read["goals"]] == [f"Goal number {n}." for n in range(8)]


def _autocommit(engine: Engine, dbapi_connection: Any) -> bool:
    if engine.dialect.name == "sqlite":
        return dbapi_connection.isolation_level is None
    return bool(dbapi_connection.autocommit)


def test_a_plan_read_commits_statement_by_statement_then_pools_its_connection_as_before(
    client: TestClient,
    engine: Engine,
    new_plan: Callable[..., ReleasePlan],
    officer: Headers,
) -> None:
    plan = new_plan()
    ran: list[tuple[str, bool]] = []
    pooled: list[bool] = []

    def executing(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        ran.append(
            (statement.split()[0].upper(), _autocommit(engine, conn.connection.dbapi_connection))
        )

    def returned(dbapi_connection, record) -> None:  # type: ignore[no-untyped-def]
        pooled.append(_autocommit(engine, dbapi_connection))

    event.listen(engine, "before_cursor_execute", executing)
    event.listen(engine, "checkin", returned)
    try:
        response = client.get(f"/api/v1/plans/{plan.id}", headers=officer)
    finally:
        event.remove(engine, "before_cursor_execute", executing)
        event.remove(engine, "checkin", returned)
    assert response.status_code == 200
    # No BEGIN and COMMIT around them: the read and its audit row each commit on their own.
    assert ran == [("SELECT", True), ("INSERT", True)]
    # The pool gets the connection back in transactions, for whatever uses it next.
    assert pooled and not any(pooled)
    with Session(engine) as session:
        audited = session.exec(select(AuditEvent).where(AuditEvent.object_id == str(plan.id))).all()
    assert [a.action for a in audited if a.action == "read"] == ["read"]
