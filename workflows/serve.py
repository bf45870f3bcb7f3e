"""Local mode: serve the three flows on daily Europe/London schedules from this process."""

from __future__ import annotations

from prefect import serve
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron

from resettlement.config import Settings
from workflows.flows import FLOWS
from workflows.schedules import TIMEZONE, daily_cron, daily_times

__all__ = ["daily_cron", "deployments", "serve_flows"]


def deployments(settings: Settings | None = None) -> list[RunnerDeployment]:
    made = []
    for name, at in daily_times(settings).items():
        deployment = FLOWS[name].to_deployment(
            name=f"{name}-daily",
            schedules=[Cron(daily_cron(at), timezone=TIMEZONE)],
            tags=["resettlement"],
        )
        assert isinstance(deployment, RunnerDeployment)  # the sync call
        made.append(deployment)
    return made


def serve_flows() -> None:
    """Blocks, running each flow at its time every day (scheduled runs use today's date)."""
    serve(*deployments())
