"""Prometheus metrics, served on a port of their own (RESETTLEMENT_METRICS_PORT), never on the
public one: requests by route template, latency, the database pool, the outbox backlog and the
flows' outcomes. Labels hold templates and codes only, never a path or a value a person typed.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from resettlement import clock
from resettlement.notifications import MessageState, Notification

log = logging.getLogger(__name__)

# Most pages answer in tens of milliseconds; a PDF or a slow database takes seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
FINAL_FLOW_STATES = ("COMPLETED", "FAILED", "CRASHED", "CANCELLED")


class ServiceMetrics:
    """One registry per application (a test builds many), served on its own port."""

    def __init__(self, engine: Callable[[], Engine], prefect_api_url: str | None = None) -> None:
        self.engine = engine
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "resettlement_http_requests",
            "HTTP requests answered, by method, route template and status code.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "resettlement_http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template.",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.registry.register(DatabasePool(self))
        self.registry.register(OutboxBacklog(self))
        if prefect_api_url:
            self.registry.register(FlowOutcomes(prefect_api_url))
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def serve(self, host: str, port: int) -> int:
        """Starts the metrics server in a thread of its own and returns the port it took."""
        self._server, self._thread = start_http_server(port, addr=host, registry=self.registry)
        bound = int(self._server.server_port)
        log.info("metrics served on %s:%d", host, bound)
        return bound

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None


class DatabasePool(Collector):
    def __init__(self, metrics: ServiceMetrics) -> None:
        self.metrics = metrics

    def collect(self) -> Iterator[Metric]:
        pool = self.metrics.engine().pool
        gauge = GaugeMetricFamily(
            "resettlement_db_pool_connections",
            "The service's database connections: in use, idle in the pool, over its size.",
            labels=["state"],
        )
        for state, method in (
            ("in_use", "checkedout"),
            ("idle", "checkedin"),
            ("overflow", "overflow"),
        ):
            reading = getattr(pool, method, None)
            if callable(reading):
                gauge.add_metric([state], max(float(reading()), 0.0))
        yield gauge
        size = getattr(pool, "size", None)
        if callable(size):
            yield GaugeMetricFamily(
                "resettlement_db_pool_size", "Connections the pool keeps open.", value=size()
            )


class OutboxBacklog(Collector):
    """Messages written but not yet sent, by kind, and the age of the oldest: read from the
    outbox at each scrape, so every API worker reports the same figure."""

    def __init__(self, metrics: ServiceMetrics) -> None:
        self.metrics = metrics

    def collect(self) -> Iterator[Metric]:
        unsent = GaugeMetricFamily(
            "resettlement_notifications_unsent",
            "Messages in the outbox not yet sent, by kind.",
            labels=["kind"],
        )
        oldest = GaugeMetricFamily(
            "resettlement_notifications_oldest_unsent_age_seconds",
            "How long the oldest unsent message has waited (0 when none waits).",
        )
        up = GaugeMetricFamily(
            "resettlement_metrics_database_up", "1 if the outbox could be read at this scrape."
        )
        try:
            with Session(self.metrics.engine()) as session:
                rows = session.exec(
                    select(
                        col(Notification.kind),
                        func.count(),
                        func.min(col(Notification.created_at)),
                    )
                    # The backlog is what is still on its way: not failed, not held for want
                    # of an address (indexed by status).
                    .where(
                        col(Notification.status).in_(
                            [MessageState.QUEUED.value, MessageState.SENDING.value]
                        )
                    )
                    .group_by(col(Notification.kind))
                ).all()
        except SQLAlchemyError:
            log.warning("metrics could not read the outbox", exc_info=True)
            up.add_metric([], 0)
            yield up
            return
        now = clock.now()
        waited = 0.0
        for kind, count, created in rows:
            unsent.add_metric([kind], count)
            if created is not None:
                waited = max(waited, (now - created).total_seconds())
        oldest.add_metric([], waited)
        up.add_metric([], 1)
        yield from (unsent, oldest, up)


class FlowOutcomes(Collector):
    """Each flow's runs by final state, read from the Prefect server that orchestrates them.

    A run ends in a worker's short-lived process, so a counter kept there would die with it;
    the server holds every run's state. Read through its REST API (no Prefect import: that
    would reconfigure this process's logging) and kept for a minute between scrapes.
    """

    cache_seconds = 60.0

    def __init__(self, api_url: str) -> None:
        self.api_url = api_url.rstrip("/")
        self._cached: tuple[float, list[tuple[str, str, int]]] | None = None

    def collect(self) -> Iterator[Metric]:
        runs = CounterMetricFamily(
            "resettlement_flow_runs",
            "Flow runs the Prefect server holds in each final state, by flow.",
            labels=["flow", "state"],
        )
        up = GaugeMetricFamily(
            "resettlement_metrics_prefect_up", "1 if the Prefect server answered at this scrape."
        )
        try:
            counts = self._counts()
        except httpx.HTTPError as exc:
            log.warning("metrics could not read the Prefect server: %s", type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        for flow, state, count in counts:
            runs.add_metric([flow, state], count)
        up.add_metric([], 1)
        yield from (runs, up)

    def _counts(self) -> list[tuple[str, str, int]]:
        if self._cached and time.monotonic() - self._cached[0] < self.cache_seconds:
            return self._cached[1]
        headers = {}
        if key := os.environ.get("PREFECT_API_KEY"):
            headers["Authorization"] = f"Bearer {key}"
        counts = []
        with httpx.Client(base_url=self.api_url, headers=headers, timeout=5) as client:
            response = client.post("/flows/filter", json={"limit": 200})
            response.raise_for_status()
            for flow in response.json():
                for state in FINAL_FLOW_STATES:
                    counted = client.post(
                        "/flow_runs/count",
                        json={
                            "flows": {"id": {"any_": [flow["id"]]}},
                            "flow_runs": {"state": {"type": {"any_": [state]}}},
                        },
                    )
                    counted.raise_for_status()
                    counts.append((flow["name"], state, int(counted.json())))
        self._cached = (time.monotonic(), counts)
        return counts
