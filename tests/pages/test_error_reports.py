"""Sentry error reports hold no link secret, date of birth or phone number. A local HTTP server
plays Sentry (the DSN points at it) and keeps every envelope the SDK sends."""

from __future__ import annotations

import gzip
import json
import threading
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import sentry_sdk
from faker import Faker
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlmodel import Session

from resettlement.observability import error_reports
from resettlement.observability.settings import WatchSettings
from tests.conftest import MOBILE, add_a_route_that_logs_and_fails
from tests.log_scan import date_forms, phone_forms
from tests.pages.conftest import publish_plan


class PlaysSentry(BaseHTTPRequestHandler):
    received: list[str]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        self.server.received.append(body.decode("utf-8", "replace"))  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *_args: Any) -> None:
        return


@pytest.fixture
def sentry() -> Iterator[tuple[str, list[str]]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), PlaysSentry)
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    dsn = f"http://public@127.0.0.1:{server.server_port}/1"
    yield dsn, server.received  # type: ignore[attr-defined]
    sentry_sdk.flush(timeout=5)
    sentry_sdk.get_client().close()
    # Sentry stays off for the rest of the process: a client with no DSN sends nothing.
    sentry_sdk.init()
    server.shutdown()
    server.server_close()


def events(received: list[str]) -> list[dict[str, Any]]:
    """The event items of every envelope (a header line, then item header and payload lines)."""
    found = []
    for envelope in received:
        for line in envelope.splitlines():
            try:
                item = json.loads(line)
            except ValueError:
                continue
            if isinstance(item, dict) and "exception" in item:
                found.append(item)
    return found


def test_an_error_report_holds_no_secret_date_of_birth_or_phone(
    make_app: Callable[..., FastAPI],
    session: Session,
    plan_data: Callable[..., Any],
    fake: Faker,
    sentry: tuple[str, list[str]],
) -> None:
    dsn, received = sentry
    assert error_reports.install(
        WatchSettings(sentry_dsn=SecretStr(dsn), sentry_environment="test")
    )
    published = publish_plan(session, plan_data, fake)
    secret = published.path.rsplit("/", 1)[1]
    app = make_app(WatchSettings())
    add_a_route_that_logs_and_fails(app, published.date_of_birth)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get(published.path).status_code == 200
        failed = client.get(f"/plan-link/{secret}/fails")
        assert failed.status_code == 500
    sentry_sdk.flush(timeout=10)

    reported = events(received)
    assert reported, received
    exceptions = [
        value
        for event in reported
        for value in event["exception"]["values"]
        if value.get("type") == "RuntimeError"
    ]
    assert exceptions, reported
    assert all(value["value"] == "no plan for [redacted], born [redacted]" for value in exceptions)
    # The log line before it reached the report as a breadcrumb, scrubbed.
    crumbs = [
        crumb.get("message", "")
        for event in reported
        for crumb in (event.get("breadcrumbs") or {}).get("values", [])
    ]
    assert any("looking up /plan-link/[redacted]" in crumb for crumb in crumbs), crumbs

    sent = "\n".join(received)
    assert secret not in sent
    for form in date_forms(published.date_of_birth):
        assert form not in sent, form
    for form in phone_forms(MOBILE):
        assert form not in sent, form


def test_error_reports_are_off_without_a_dsn() -> None:
    assert not error_reports.install(WatchSettings())
