"""Flow outcomes on the metrics port, read from the Prefect server that holds every run's state
(a run ends in a worker's short-lived process, which would take a counter with it)."""

from __future__ import annotations

from datetime import date

import pytest
from prefect.settings import PREFECT_API_URL
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from resettlement.config import get_settings
from resettlement.observability.metrics import FlowOutcomes

WEDNESDAY = date(2027, 3, 10)


def outcomes() -> dict[tuple[str, str], float]:
    # A new collector each time: one keeps its answer for a minute between scrapes.
    registry = CollectorRegistry()
    registry.register(FlowOutcomes(str(PREFECT_API_URL.value())))
    text = generate_latest(registry).decode()
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "resettlement_flow_runs_total":
                found[(sample.labels["flow"], sample.labels["state"])] = sample.value
            if sample.name == "resettlement_metrics_prefect_up":
                assert sample.value == 1
    return found


def test_flow_outcomes_count_completed_and_failed_runs(
    flow_db: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workflows.flows import daily_release_scan

    before = outcomes()
    daily_release_scan(as_of=WEDNESDAY)
    # A worker without DATABASE_URL refuses to run: the run fails.
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("RESETTLEMENT_LOCAL_MODE", raising=False)
    get_settings.cache_clear()
    state = daily_release_scan(as_of=WEDNESDAY, return_state=True)  # type: ignore[call-overload]
    assert state.is_failed()
    after = outcomes()

    def grew(state_type: str) -> float:
        key = ("daily-release-scan", state_type)
        return after.get(key, 0) - before.get(key, 0)

    assert grew("COMPLETED") == 1
    assert grew("FAILED") == 1
    assert grew("CRASHED") == 0


def test_an_unreachable_prefect_server_is_reported_not_raised() -> None:
    registry = CollectorRegistry()
    registry.register(FlowOutcomes("http://127.0.0.1:9/api"))
    text = generate_latest(registry).decode()
    assert "resettlement_metrics_prefect_up 0.0" in text
    assert "resettlement_flow_runs_total" not in text
