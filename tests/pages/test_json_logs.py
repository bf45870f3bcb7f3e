"""JSON logs through a real server: one JSON object a line, the request id on every line made
while serving a request (uvicorn's access line too), and no link secret, date of birth or phone
number anywhere, tracebacks included."""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from faker import Faker
from fastapi import FastAPI
from sqlmodel import Session

from resettlement.observability.json_logs import JsonConsoleHandler
from resettlement.observability.settings import WatchSettings
from tests.conftest import MOBILE, add_a_route_that_logs_and_fails, serving
from tests.log_scan import date_forms, phone_forms
from tests.pages.conftest import dob_form, form_post, publish_plan


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """JSON mode rewires the process's console handlers: put them back afterwards."""

    def every_logger() -> list[logging.Logger]:
        return [logging.getLogger()] + [
            logger
            for logger in logging.Logger.manager.loggerDict.values()
            if isinstance(logger, logging.Logger)
        ]

    saved = {logger: (list(logger.handlers), logger.level) for logger in every_logger()}
    yield
    for logger in every_logger():
        handlers, level = saved.get(logger, ([], logging.NOTSET))
        logger.handlers = handlers
        logger.setLevel(level)


def json_lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_json_logs_carry_the_request_id_and_no_secret_date_of_birth_or_phone(
    make_app: Callable[..., FastAPI],
    session: Session,
    plan_data: Callable[..., Any],
    fake: Faker,
    restore_logging: None,
) -> None:
    published = publish_plan(session, plan_data, fake)
    secret = published.path.rsplit("/", 1)[1]
    app = make_app(WatchSettings(log_format="json", log_level="INFO"))
    add_a_route_that_logs_and_fails(app, published.date_of_birth)
    stream = io.StringIO()
    handlers = {
        handler
        for logger in [logging.getLogger(), logging.getLogger("uvicorn")]
        for handler in logger.handlers
        if isinstance(handler, JsonConsoleHandler)
    }
    assert handlers, "JSON mode installed no JSON handler"
    for handler in handlers:
        handler.setStream(stream)

    with serving(app) as base, httpx.Client(base_url=base, timeout=60) as client:
        opened = client.get(published.path, headers={"X-Request-ID": "journey-0001-open"})
        assert opened.status_code == 200
        assert opened.headers["X-Request-ID"] == "journey-0001-open"
        signed_in = form_post(client, published.path, dob_form(published.date_of_birth))
        assert signed_in.status_code in (200, 303)
        failed = client.get(
            f"/plan-link/{secret}/fails", headers={"X-Request-ID": "journey-0002-fails"}
        )
        assert failed.status_code == 500
        assert "journey-0002-fails" in failed.text
        # An id that is not sane (spaces, too long) is replaced, not logged as sent.
        odd = client.get("/healthz", headers={"X-Request-ID": "x" * 10 + " " + "y" * 80})
        assert odd.headers["X-Request-ID"] != "x" * 10 + " " + "y" * 80
        time.sleep(0.3)  # the access line is written after the response is sent

    lines = json_lines(stream)
    access = [line for line in lines if line["logger"] == "uvicorn.access"]
    assert any(
        line["request_id"] == "journey-0001-open" and "/plan-link/[redacted]" in line["message"]
        for line in access
    ), access
    failing = [line for line in lines if line["request_id"] == "journey-0002-fails"]
    loggers = {line["logger"] for line in failing}
    assert {"api", "uvicorn.access"} <= loggers, lines
    assert any("RuntimeError" in line.get("exc_info", "") for line in failing), failing
    assert any(line["request_id"] == odd.headers["X-Request-ID"] for line in access)
    for line in lines:
        assert {"time", "level", "logger", "message", "request_id"} <= line.keys()
        if line["logger"] == "uvicorn.access":
            assert line["request_id"], line

    written = stream.getvalue()
    assert secret not in written
    for form in date_forms(published.date_of_birth):
        assert form not in written, form
    for form in phone_forms(MOBILE):
        assert form not in written, form
