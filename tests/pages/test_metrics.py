"""Prometheus metrics on a port of their own: requests by route template (never the path a
person opened), latency, the database pool and the outbox backlog. Off by default, and never
served on the public port."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from faker import Faker
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample
from sqlmodel import Session, select

from api.auth import mint_token
from resettlement import notifications
from resettlement.actors import Role
from resettlement.notifications import Message, MessageState, Notification, NotificationKind
from resettlement.observability.settings import WatchSettings
from tests.pages.conftest import OFFICER, publish_plan


def as_officer() -> dict[str, str]:
    """The plan's officer's bearer token (the plan tests/pages/conftest.py publishes)."""
    return {"Authorization": f"Bearer {mint_token(role=OFFICER.role, user=OFFICER.user_id)}"}


def samples(text: str) -> list[Sample]:
    return [s for family in text_string_to_metric_families(text) for s in family.samples]


def one(found: list[Sample], name: str, **labels: str) -> float:
    matching = [s.value for s in found if s.name == name and labels.items() <= s.labels.items()]
    assert len(matching) == 1, (name, labels, matching)
    return matching[0]


def test_metrics_are_off_unless_a_port_is_set(app: FastAPI) -> None:
    assert app.state.metrics is None
    with TestClient(app) as client:
        assert client.get("/metrics").status_code == 404


def test_metrics_count_requests_by_route_template_on_their_own_port(
    make_app: Callable[..., FastAPI],
    session: Session,
    plan_data: Callable[..., Any],
    fake: Faker,
) -> None:
    published = publish_plan(session, plan_data, fake)
    secret = published.path.rsplit("/", 1)[1]
    plan_id = published.plan.id
    notifications.enqueue(
        session,
        [
            Message(
                recipient_role=Role.PROBATION_OFFICER,
                recipient_id=OFFICER.user_id,
                kind=NotificationKind.CHECKLIST_DUE,
                subject="Checklist items due",
                body="Two items are due.",
                idempotency_key=f"metrics-test:{n}",
                plan_id=plan_id,
            )
            for n in range(3)
        ],
    )
    # A message that failed for good is no longer on its way: not in the backlog.
    failed = session.exec(
        select(Notification).where(Notification.idempotency_key == "metrics-test:2")
    ).one()
    failed.status = MessageState.FAILED.value
    session.add(failed)
    session.commit()
    app = make_app(WatchSettings(metrics_port=0))
    with TestClient(app) as client:
        port = app.state.metrics_port
        assert client.get(published.path).status_code == 200
        assert client.get(f"/api/v1/plans/{plan_id}", headers=as_officer()).status_code == 200
        assert client.get("/no-such-page/07700900123").status_code == 404
        assert client.get("/static/govuk/govuk-frontend.min.css").status_code == 200
        # Not on the public port, whatever the path.
        assert client.get("/metrics").status_code == 404
        scraped = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10)
    assert scraped.status_code == 200
    text = scraped.text
    found = samples(text)

    requests = "resettlement_http_requests_total"
    assert one(found, requests, route="/plan-link/{secret}", method="GET", status="200") == 1
    plan_routes = {
        s.labels["route"]
        for s in found
        if s.name == requests and s.labels["route"].startswith("/api/v1/plans/")
    }
    assert plan_routes == {"/api/v1/plans/{plan_id}"}, text
    # The unknown page and /metrics on the public port.
    assert one(found, requests, route="unmatched", status="404") == 2
    assert one(found, requests, route="/static", status="200") == 1
    latency = "resettlement_http_request_duration_seconds_count"
    assert one(found, latency, route="/plan-link/{secret}", method="GET") == 1
    # Nothing a person sent reaches a label.
    for sent in (secret, "no-such-page", "07700900123", f"/plans/{plan_id}"):
        assert sent not in text, sent

    pool = {
        s.labels["state"]: s.value for s in found if s.name == "resettlement_db_pool_connections"
    }
    assert {"in_use", "idle"} <= pool.keys(), pool
    assert one(found, "resettlement_notifications_unsent", kind="checklist_due") == 2
    assert one(found, "resettlement_notifications_oldest_unsent_age_seconds") >= 0
    assert one(found, "resettlement_metrics_database_up") == 1
    # Without PREFECT_API_URL this process has no Prefect server to ask about flow runs.
    assert not any(s.name.startswith("resettlement_flow_runs") for s in found)


def test_the_metrics_port_closes_with_the_server(make_app: Callable[..., FastAPI]) -> None:
    app = make_app(WatchSettings(metrics_port=0))
    with TestClient(app):
        port = app.state.metrics_port
        assert httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).status_code == 200
    try:
        httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2)
    except httpx.ConnectError:
        return
    raise AssertionError("the metrics port still answers after shutdown")
