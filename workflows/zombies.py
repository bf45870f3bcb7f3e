"""Runs on a lost machine: without this, a flow run whose worker's machine dies stays
`Running` for good, holding its deployment's concurrency slot, and is never retried.

Each flow run sends a heartbeat event every HEARTBEAT_SECONDS (prefect.yaml sets
PREFECT_FLOWS_HEARTBEAT_FREQUENCY for the deployments' runs). This Prefect automation marks a
run `Crashed` when its heartbeats stop for MISSED_HEARTBEATS in a row without the run ending.
A crashed run can then be retried (`prefect flow-run retry <id>`): it keeps its expected start
time, so it does the day it was scheduled for (workflows.flows.day_of_run).
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from prefect import get_client
from prefect.automations import Automation
from prefect.client.schemas.objects import StateType
from prefect.events.actions import ChangeFlowRunState
from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture

NAME = "resettlement: crash flow runs whose heartbeats stopped"
HEARTBEAT_SECONDS = 30  # Prefect's smallest heartbeat frequency
MISSED_HEARTBEATS = 3


def zombie_automation(heartbeat_seconds: int = HEARTBEAT_SECONDS) -> Automation:
    return Automation(
        name=NAME,
        description="A run on a lost machine stops sending heartbeats: mark it crashed.",
        trigger=EventTrigger(
            after={"prefect.flow-run.heartbeat"},
            expect={
                "prefect.flow-run.heartbeat",
                "prefect.flow-run.Completed",
                "prefect.flow-run.Failed",
                "prefect.flow-run.Cancelled",
                "prefect.flow-run.Crashed",
            },
            match={"prefect.resource.id": ["prefect.flow-run.*"]},
            for_each={"prefect.resource.id"},
            posture=Posture.Proactive,
            threshold=1,
            within=timedelta(seconds=heartbeat_seconds * MISSED_HEARTBEATS),
        ),
        actions=[
            ChangeFlowRunState(
                name="Crashed",
                state=StateType.CRASHED,
                force=False,
                message=(
                    f"No heartbeat for {heartbeat_seconds * MISSED_HEARTBEATS} s: the worker "
                    "or its machine was lost. Retry the run to do its day again."
                ),
            )
        ],
    )


def ensure_zombie_automation(heartbeat_seconds: int = HEARTBEAT_SECONDS) -> UUID:
    """Creates the automation, or brings an existing one of the same name up to date."""
    wanted = AutomationCore(
        **zombie_automation(heartbeat_seconds).model_dump(exclude={"id", "owner_resource"})
    )
    with get_client(sync_client=True) as client:
        existing = client.read_automations_by_name(NAME)
        if not existing:
            return client.create_automation(wanted)
        client.update_automation(existing[0].id, wanted)
        return existing[0].id
