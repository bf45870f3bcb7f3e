"""Plain ASGI middleware (no BaseHTTPMiddleware: it costs a task per request): request ids,
security headers, the body-size limit, and a last-resort 500 that gives nothing away."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from pathlib import Path
from uuid import uuid4

from opentelemetry import trace
from opentelemetry.trace import StatusCode
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import MEDIA_TYPE, problem_response, unexpected_error_body
from resettlement.bank_holidays import reinstall_if_changed
from resettlement.observability import request_ids

log = logging.getLogger("api")

# Ids from a gateway or another service are kept so one request can be followed across them;
# anything else is replaced, since the id is written to the audit trail and logs.
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")

API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# Swagger UI's page loads its script and styles from a CDN and starts with an inline script.
DOCS_CSP = (
    "default-src 'none'; script-src 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: "
    "https://fastapi.tiangolo.com; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
)
DOCS_PATHS = ("/docs", "/docs/oauth2-redirect")
# Personal data must not linger in browser, proxy or gateway caches: Cache-Control no-store
# unless a response says otherwise (static assets).
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def request_id_from(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            if SANE_REQUEST_ID.match(candidate):
                return candidate
            break
    return uuid4().hex


class RequestContext:
    """Outermost: every response, errors included, carries the request id and the headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        csp = DOCS_CSP if scope["path"] in DOCS_PATHS else API_CSP
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                headers["X-Request-ID"] = request_id
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
                # Pages and their assets may set their own policy and caching; JSON never does.
                headers.setdefault("Content-Security-Policy", csp)
                headers.setdefault("Cache-Control", "no-store")
            await send(message)

        # Every log line made while serving (uvicorn's access line and a failure's too)
        # carries the id.
        with request_ids.serving(request_id):
            try:
                await self.app(scope, receive, send_with_headers)
            except Exception as error:
                log.exception("unexpected error in request %s", request_id)
                # The request's trace says why it failed (scrubbed on export, like the log);
                # without tracing the span is a no-op.
                span = trace.get_current_span()
                span.record_exception(error)
                span.set_status(StatusCode.ERROR, type(error).__name__)
                if started:
                    raise
                body = unexpected_error_body(request_id)
                await send_with_headers(
                    {
                        "type": "http.response.start",
                        "status": 500,
                        "headers": [
                            (b"content-type", MEDIA_TYPE.encode()),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send_with_headers({"type": "http.response.body", "body": body})


class BodyTooLarge(HTTPException):
    # An HTTPException, so FastAPI's body parsing passes it on to the problem handler.
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than {limit} bytes.")


class BodySizeLimit:
    """`uploads`: the few paths that take a file (a council's directory of services, an admin's
    records extract), each pattern with its own limit; every other body is held to
    `max_bytes`."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        uploads: Sequence[tuple[re.Pattern[str], int]] = (),
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.uploads = tuple(uploads)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        limit = next((n for pattern, n in self.uploads if pattern.match(path)), self.max_bytes)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            error = BodyTooLarge(limit)
            response = problem_response(Request(scope), 413, detail=error.detail)
            await response(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, limited_receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class CalendarFreshness:
    """Looks, at most once a minute, whether the imported bank-holiday calendar changed on disk
    (the nightly calendar-refresh flow runs in another process) and installs the new one, so
    an API worker never assesses dates with the calendar it happened to start with."""

    def __init__(self, app: ASGIApp, data_dir: Path, every_seconds: float = 60.0) -> None:
        self.app = app
        self.data_dir = data_dir
        self.every_seconds = every_seconds
        self.checked = time.monotonic()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and time.monotonic() - self.checked >= self.every_seconds:
            self.checked = time.monotonic()
            try:
                reinstall_if_changed(self.data_dir)
            except (OSError, ValueError):
                # A file half-written or damaged: keep the calendar in use, say so, try later.
                log.exception("the imported bank-holiday calendar could not be read again")
        await self.app(scope, receive, send)
