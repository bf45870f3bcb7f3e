"""A flow run inside this process, as `resettlement flows run` starts one: without heartbeats.

Heartbeats are for the automation that marks a run crashed when its worker's machine is lost
(workflows/zombies.py); prefect.yaml turns them on, every 30 s, for the deployments' runs on
workers, and those keep them. A run inside the command's own process has no worker to lose
apart from the process itself, and nothing watches its heartbeats in local mode. They would
only cost time: when a run ends Prefect joins the heartbeat thread, which waits for the
thread's one-second sleep to end (half a second on average, a second at worst).
"""

from __future__ import annotations

from typing import Any, TypeVar

from prefect import Flow
from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

R = TypeVar("R")


def run_in_process(flow: Flow[..., R], /, **parameters: Any) -> R:
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        return flow(**parameters)
