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

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or UNMATCHED
            self.metrics.observe(scope["method"], template, status, time.perf_counter() - started)
