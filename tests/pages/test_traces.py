"""OpenTelemetry traces hold no link secret, date of birth or phone number: FastAPI's
instrumentation records each request's full URL and a failure's message and traceback, and
every span passes through the scrubbing exporter first. On PostgreSQL the statements come
from psycopg's instrumentation, with placeholders, never values."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from faker import Faker
from fastapi import FastAPI
from fastapi.testclient import TestClient
from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlmodel import Session

from api.auth import mint_token
from resettlement.observability import tracing
from resettlement.observability.settings import WatchSettings
from tests.conftest import MOBILE, POSTGRES, add_a_route_that_logs_and_fails
from tests.log_scan import date_forms, phone_forms
from tests.pages.conftest import OFFICER, dob_form, form_post, publish_plan


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    spans = InMemorySpanExporter()
    yield spans
    # psycopg's instrumentation patches the driver for the whole process.
    PsycopgInstrumentor().uninstrument()


def as_officer() -> dict[str, str]:
    """The plan's officer's bearer token (the plan tests/pages/conftest.py publishes)."""
    return {"Authorization": f"Bearer {mint_token(role=OFFICER.role, user=OFFICER.user_id)}"}


def everything_in(span: Any) -> str:
    """A span as an exporter would send it: name, attributes, events, status."""
    parts = [span.name, str(dict(span.attributes or {})), str(span.status.description)]
    for event in span.events:
        parts += [event.name, str(dict(event.attributes or {}))]
    return "\n".join(parts)


def test_traces_of_a_leavers_requests_hold_no_secret_date_of_birth_or_phone(
    make_app: Callable[..., FastAPI],
    session: Session,
    plan_data: Callable[..., Any],
    fake: Faker,
    exporter: InMemorySpanExporter,
) -> None:
    app = make_app(WatchSettings())
    tracing.instrument(app, tracing.tracer_provider(WatchSettings(), exporter=exporter))
    # Made after the driver is instrumented, so its statements are traced too.
    published = publish_plan(session, plan_data, fake)
    secret = published.path.rsplit("/", 1)[1]
    add_a_route_that_logs_and_fails(app, published.date_of_birth)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get(f"{published.path}?lang=cy").status_code == 200
        signed_in = form_post(client, published.path, dob_form(published.date_of_birth))
        assert signed_in.status_code in (200, 303)
        assert client.get(f"/plan-link/{secret}/fails").status_code == 500
        assert (
            client.get(f"/api/v1/plans/{published.plan.id}", headers=as_officer()).status_code
            == 200
        )

    spans = exporter.get_finished_spans()
    servers = [s for s in spans if s.kind.name == "SERVER"]
    # The instrumentation names a span by its route template where it can find one, and by
    # the raw path where it cannot (an included page router on FastAPI 0.150): scrubbed.
    leaver_spans = [s.name for s in servers if "plan-link" in s.name]
    assert len(leaver_spans) == 3, [s.name for s in servers]
    assert all("{secret}" in name or "[redacted]" in name for name in leaver_spans)
    assert "GET /api/v1/plans/{plan_id}" in {s.name for s in servers}
    targets = [
        str(value)
        for s in servers
        for key, value in (s.attributes or {}).items()
        if key in ("http.target", "url.path", "http.url", "url.full")
    ]
    assert any("/plan-link/[redacted]" in target for target in targets), targets
    failed = [s for s in servers if s.name.endswith("/fails")]
    messages = [
        str((e.attributes or {}).get("exception.message"))
        for s in failed
        for e in s.events
        if e.name == "exception"
    ]
    # The failure is in the trace, its secret and date of birth scrubbed.
    assert messages == ["no plan for [redacted], born [redacted]"], messages
    if POSTGRES:
        statements = [
            str((s.attributes or {}).get("db.statement", ""))
            for s in spans
            if s.kind.name == "CLIENT"
        ]
        assert any("FROM leaver_link" in statement for statement in statements), statements

    sent = "\n".join(everything_in(span) for span in spans)
    assert secret not in sent
    for form in date_forms(published.date_of_birth):
        assert form not in sent, form
    for form in phone_forms(MOBILE):
        assert form not in sent, form
