"""The ASGI application: `api.main:app`, built by `create_app()`."""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware import Middleware
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi

from api import problems
from api.input_types import NO_NUL
from api.metrics import RequestMetrics
from api.middleware import BodySizeLimit, CalendarFreshness, RequestContext
from api.nul_characters import RefuseNulCharacters
from api.pages import mount_pages
from api.rate_limits import RateLimiter
from api.routes import (
    audit,
    consents,
    directory,
    early_release,
    health,
    leaver_links,
    me,
    notifications,
    people,
    person_mobile,
    plans,
    referrals,
    release_dates,
    subject_access,
)
from api.settings import ApiSettings, get_api_settings
from api.staff import mount_staff
from resettlement import clock
from resettlement.bank_holidays import install_imported_calendar
from resettlement.config import get_settings
from resettlement.database import get_engine
from resettlement.observability import tracing
from resettlement.observability.metrics import ServiceMetrics
from resettlement.observability.process import watch_this_process
from resettlement.observability.settings import WatchSettings, get_watch_settings
from resettlement.partners.open_referral import MAX_BYTES as MAX_UPLOAD_BYTES

PREFIX = "/api/v1"
# Where an Open Referral UK file is sent: the API's import and the coordinator's upload page.
DIRECTORY_UPLOADS = re.compile(
    rf"^({PREFIX}/directories/\d+/open-referral|/staff/directory/\d+/import)$"
)
# Where an admin sends a prison's records extract.
INTAKE_UPLOADS = re.compile(r"^/staff/intake$")
DESCRIPTION = """
Release plans, checklists, early-release requests for Friday and pre-bank-holiday releases,
and the prison leaver's 48-hour plan. Every error is `application/problem+json` (RFC 9457).
Send `expected_version` with every change: a stale version is refused with 409.
"""


def create_app(settings: ApiSettings | None = None, watch: WatchSettings | None = None) -> FastAPI:
    settings = settings or get_api_settings()
    watch = watch or get_watch_settings()
    # Nothing personal in any log line; JSON lines and Sentry when set (observability/).
    watch_this_process(watch)
    middleware = [Middleware(RequestContext)]
    metrics = None
    if watch.metrics_port is not None:
        # Flow outcomes come from the Prefect server, when this process is told where it is.
        metrics = ServiceMetrics(get_engine, prefect_api_url=os.environ.get("PREFECT_API_URL"))
        middleware.insert(0, Middleware(RequestMetrics, metrics=metrics))
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST", "PUT", "PATCH"],
                allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
                expose_headers=["X-Request-ID", "Retry-After", "Location"],
            )
        )
    middleware.append(
        Middleware(
            BodySizeLimit,
            max_bytes=settings.max_body_bytes,
            uploads=(
                # A council's whole directory of services is megabytes, not kilobytes.
                (DIRECTORY_UPLOADS, MAX_UPLOAD_BYTES),
                (INTAKE_UPLOADS, settings.max_upload_bytes),
            ),
        )
    )
    middleware.append(Middleware(RefuseNulCharacters))
    middleware.append(Middleware(CalendarFreshness, data_dir=get_settings().data_dir))
    app = FastAPI(
        title="Resettlement API",
        version="1",
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        middleware=middleware,
        lifespan=_serving_metrics,
    )
    app.state.metrics = metrics
    app.state.watch = watch
    app.state.leaver_limiter = RateLimiter(
        name="leaver",
        per_minute=settings.leaver_requests_per_minute,
        burst=settings.leaver_burst,
        redis_url=settings.redis_url,
        key_prefix=settings.redis_key_prefix,
    )
    problems.install(app)
    app.include_router(health.router)
    for router in (
        plans.router,
        people.router,
        leaver_links.router,
        person_mobile.router,
        consents.router,
        subject_access.router,
        early_release.router,
        me.router,
        release_dates.router,
        audit.router,
        notifications.router,
        directory.router,
        referrals.router,
    ):
        app.include_router(router, prefix=PREFIX)
    # The pages come after the API so its routes and problem handlers take precedence.
    mount_pages(app)
    mount_staff(app)
    # Every process that assesses dates uses the same calendar as the command line.
    install_imported_calendar(get_settings().data_dir)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    if watch.otel_traces_endpoint:
        tracing.install(app, watch)
    return app


@asynccontextmanager
async def _serving_metrics(app: FastAPI) -> AsyncIterator[None]:
    """The metrics port lives as long as the server: never on the public port."""
    metrics: ServiceMetrics | None = app.state.metrics
    if metrics is not None:
        app.state.metrics_port = metrics.serve(
            app.state.watch.metrics_host, app.state.watch.metrics_port
        )
    try:
        yield
    finally:
        if metrics is not None:
            metrics.stop()


def _openapi(app: FastAPI) -> dict[str, Any]:
    # Some ranges the document states run from today (appointments, dates of birth): it is
    # built afresh on the first request of each day.
    if getattr(app.state, "openapi_day", None) != clock.today():
        app.openapi_schema = None
        app.state.openapi_day = clock.today()
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        _document_problems(schema)
        _state_no_nul(schema)
        app.openapi_schema = schema
    return app.openapi_schema


def _state_no_nul(schema: dict[str, Any]) -> None:
    """Every free-text string a request takes says it cannot hold NUL (api/nul_characters.py
    refuses one anywhere), so the document states the check the API applies."""
    components = schema.get("components", {}).get("schemas", {})
    seen: set[str] = set()

    def visit(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
            return
        if not isinstance(node, dict):
            return
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            name = ref.rsplit("/", 1)[1]
            if name not in seen and name in components:
                seen.add(name)
                visit(components[name])
        free_text = not ({"pattern", "format", "enum", "const"} & node.keys())
        if node.get("type") == "string" and free_text:
            node["pattern"] = NO_NUL
        for key, value in node.items():
            if key != "$ref":
                visit(value)

    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            visit(operation.get("parameters", []))
            visit(operation.get("requestBody", {}))


_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_WRITES = {"post", "put", "patch", "delete"}


def _document_problems(schema: dict[str, Any]) -> None:
    """Lists the problem responses each operation can give, all as application/problem+json."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (problems.Problem, problems.FieldError, problems.UnmetGuard):
        found = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(found.pop("$defs", {}))
        components[model.__name__] = found
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            statuses = {500}
            if operation.get("security"):
                statuses |= {401, 403}
            if operation.get("parameters") or operation.get("requestBody"):
                statuses.add(422)
            if operation.get("requestBody"):
                statuses |= {400, 413}
            if "{" in path or path.endswith("/me/plan") or method in _WRITES:
                statuses.add(404)
            if method in _WRITES and operation.get("security"):
                statuses.add(409)
            if path.startswith(f"{PREFIX}/me/"):
                statuses.add(429)
            if path == "/readyz" or operation.get("security"):
                statuses.add(503)
            responses = operation.setdefault("responses", {})
            for status in sorted(statuses):
                responses[str(status)] = {
                    "description": _DESCRIPTIONS[status],
                    "content": {problems.MEDIA_TYPE: {"schema": _PROBLEM_REF}},
                }


_DESCRIPTIONS = {
    400: "The body is not JSON.",
    401: "No valid bearer token.",
    403: "Your role cannot use this endpoint.",
    404: "No such record, or not one of yours.",
    409: "A stale expected_version, a step whose conditions are unmet, a duplicate, or a value "
    "that contradicts the record (a release date before its sentence date).",
    413: "The request body is too large.",
    422: "Invalid input: the problem lists each field and why.",
    429: "Too many requests: see Retry-After.",
    500: "Something went wrong on our side.",
    503: (
        "The database is unreachable (or, for /readyz, not migrated). Nothing was changed: "
        "try again after Retry-After."
    ),
}


app = create_app()
