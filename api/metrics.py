"""Counts and times every request by its route template (`/plan-link/{secret}`, never the path
a person opened), for the metrics port (resettlement/observability/metrics.py)."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from resettlement.observability.metrics import ServiceMetrics

# A path no route matched (a 404, a NUL refused before routing): its text is whatever was sent.
UNMATCHED = "unmatched"


class RequestMetrics:
    """Outermost, so the time and status include every other middleware's work and the
    last-resort 500."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        root_path = scope.get("root_path", "")

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            self.metrics.observe(
                scope["method"],
                route_template(scope, root_path),
                status,
                time.perf_counter() - started,
            )


def route_template(scope: Scope, root_path: str = "") -> str:
    """The template of the route that answered, prefix included. FastAPI 0.150 leaves the
    route of an included router in `scope["route"]` with its path relative to that router
    (`/{plan_id}`); the full template is in the effective route it records for its own
    telemetry. A mount (`/static`) records only the root path it adds."""
    effective = scope.get("fastapi", {}).get("effective_route_context")
    for template in (
        getattr(getattr(effective, "starlette_route", None), "path_format", None),
        getattr(effective, "path_format", None),
        getattr(scope.get("route"), "path", None),
    ):
        if isinstance(template, str) and template:
            return template
    mounted = scope.get("root_path", "")
    if isinstance(mounted, str) and mounted.startswith(root_path) and mounted != root_path:
        return mounted[len(root_path) :]
    return UNMATCHED
