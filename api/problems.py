"""Every error as RFC 9457 problem+json, mapped here and nowhere else."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match

from resettlement.errors import (
    AlreadyExists,
    ConflictsWithRecord,
    DomainError,
    Forbidden,
    GuardRefused,
    InvalidInput,
    NotFound,
    PlanChecksFailed,
    TransitionNotAllowed,
    Unavailable,
    VersionConflict,
    WarningsNotAccepted,
)
from resettlement.transactions import UNAVAILABLE, unreachable
from rules.calendars import CalendarRangeError

MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("api")


class FieldError(BaseModel):
    field: str = Field(description="Dotted path to the field, e.g. person.prison_number.")
    location: str | None = Field(default=None, description="body, query, path or header.")
    message: str


class UnmetGuard(BaseModel):
    guard: str
    message: str


class CheckProblem(BaseModel):
    check: str = Field(description="The plan check's rule id, e.g. PC-SERVICE-CLOSED.")
    severity: str = Field(description="blocking, or warning (accept it with a reason).")
    message: str
    summary: str = Field(description="The rule in plain words.")


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldError] | None = None
    guards: list[UnmetGuard] | None = None
    checks: list[CheckProblem] | None = None
    current_version: int | None = None


# Stable identifiers clients can switch on; about:blank where the HTTP status says it all.
_TYPES: dict[type[DomainError], tuple[int, str]] = {
    # Subclasses before the classes they refine: the first match wins.
    WarningsNotAccepted: (422, "urn:resettlement:problem:plan-warnings-not-accepted"),
    PlanChecksFailed: (409, "urn:resettlement:problem:plan-checks-failed"),
    NotFound: (404, "about:blank"),
    Forbidden: (403, "about:blank"),
    InvalidInput: (422, "urn:resettlement:problem:invalid-input"),
    VersionConflict: (409, "urn:resettlement:problem:version-conflict"),
    GuardRefused: (409, "urn:resettlement:problem:guard-refused"),
    TransitionNotAllowed: (409, "urn:resettlement:problem:transition-not-allowed"),
    AlreadyExists: (409, "urn:resettlement:problem:already-exists"),
    Unavailable: (503, "urn:resettlement:problem:unavailable"),
    ConflictsWithRecord: (409, "urn:resettlement:problem:conflicts-with-record"),
}


def problem_response(
    request: Request | None,
    status: int,
    *,
    title: str | None = None,
    detail: str | None = None,
    type_: str = "about:blank",
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body = Problem(
        type=type_,
        title=title or HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=request.url.path if request is not None else None,
        **extensions,
    )
    return JSONResponse(
        body.model_dump(mode="json", exclude_none=True),
        status_code=status,
        media_type=MEDIA_TYPE,
        headers=dict(headers or {}),
    )


def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    status, type_ = next(
        (found for kind, found in _TYPES.items() if isinstance(exc, kind)), (400, "about:blank")
    )
    extensions: dict[str, Any] = {}
    if isinstance(exc, InvalidInput) and exc.fields:
        extensions["errors"] = [FieldError(field=f, message=m) for f, m in exc.fields]
    elif isinstance(exc, InvalidInput | ConflictsWithRecord) and exc.field:
        extensions["errors"] = [FieldError(field=exc.field, message=exc.detail)]
    if isinstance(exc, VersionConflict):
        extensions["current_version"] = exc.current_version
    if isinstance(exc, GuardRefused):
        extensions["guards"] = [UnmetGuard(guard=u.guard, message=u.message) for u in exc.unmet]
    if isinstance(exc, PlanChecksFailed):
        extensions["checks"] = [
            CheckProblem(check=f.check, severity=f.severity, message=f.message, summary=f.summary)
            for f in exc.failures
        ]
    headers = {}
    if isinstance(exc, Unavailable):
        headers["Retry-After"] = str(exc.retry_after_seconds)
    return problem_response(
        request,
        status,
        title=exc.title,
        detail=exc.detail,
        type_=type_,
        headers=headers,
        **extensions,
    )


def _database_error(request: Request, exc: Exception) -> Response:
    """A database error outside a service (loading the record a route works on, say): a lost
    connection is a 503 to retry, since nothing was written; anything else is a bug."""
    assert isinstance(exc, DBAPIError)
    if not unreachable(exc):
        raise exc
    return _domain_error(request, Unavailable(UNAVAILABLE))


def _calendar_range(request: Request, exc: Exception) -> JSONResponse:
    # The rules hold calendars for a fixed span of years; a date outside it is bad input.
    return problem_response(
        request,
        422,
        title="Invalid input",
        detail=str(exc),
        type_="urn:resettlement:problem:invalid-input",
    )


def _field(loc: Sequence[str | int]) -> tuple[str, str]:
    location = str(loc[0]) if loc else "body"
    path = ".".join(str(part) for part in loc[1:]) or location
    return path, location


def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = []
    for error in exc.errors():
        path, location = _field(error.get("loc", ()))
        # Never echo the input back: it may be someone's personal details.
        errors.append(FieldError(field=path, location=location, message=error.get("msg", "")))
    fields = ", ".join(dict.fromkeys(e.field for e in errors))
    return problem_response(
        request,
        422,
        title="Invalid input",
        detail=f"Check these fields: {fields}." if fields else None,
        type_="urn:resettlement:problem:invalid-input",
        errors=errors,
    )


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(_allowed_methods(request))
    return problem_response(
        request,
        exc.status_code,
        detail=exc.detail if isinstance(exc.detail, str) else None,
        headers=headers,
    )


def _allowed_methods(request: Request) -> list[str]:
    # Starlette names only the first route that matched the path; a path served by several
    # routes (GET and POST /plans) must list them all.
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches({**request.scope, "method": "GET"})
        route_methods = getattr(route, "methods", None)
        if match != Match.NONE and route_methods:
            methods |= set(route_methods)
    return sorted(methods)


def unexpected_error_body(request_id: str) -> bytes:
    """The 500 body: no internals, only the request id to quote to support."""
    body = Problem(
        title="Internal Server Error",
        status=500,
        detail=f"Something went wrong on our side. Quote request id {request_id}.",
    )
    return body.model_dump_json(exclude_none=True).encode()


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(CalendarRangeError, _calendar_range)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
