"""Local mode: serve the flows on their Europe/London schedules from this process, and the
intake flow every few minutes when an intake folder is configured."""

from __future__ import annotations

from datetime import timedelta

from prefect import Flow, serve
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron, Interval

from resettlement.config import Settings, get_settings
from workflows.flows import FLOWS
from workflows.schedules import TIMEZONE, crons, daily_cron
from workflows.upkeep import UPKEEP_FLOWS

__all__ = ["daily_cron", "deployments", "serve_flows"]


def deployments(settings: Settings | None = None) -> list[RunnerDeployment]:
    made = []
    every: dict[str, Flow[..., dict[str, int]]] = {**FLOWS, **UPKEEP_FLOWS}
    for name, cron in crons(settings).items():
        deployment = every[name].to_deployment(
            name=f"{name}-{'every-few-minutes' if name == 'message-sweep' else 'daily'}",
            schedules=[Cron(cron, timezone=TIMEZONE)],
            tags=["resettlement"],
        )
        assert isinstance(deployment, RunnerDeployment)  # the sync call
        made.append(deployment)
    settings = settings or get_settings()
    if settings.intake_folder is not None:
        from workflows.intake import intake_folder

        intake = intake_folder.to_deployment(
            name="intake-folder",
            schedules=[Interval(timedelta(minutes=settings.intake_every_minutes))],
            tags=["resettlement"],
        )
        assert isinstance(intake, RunnerDeployment)
        made.append(intake)
    return made


def serve_flows() -> None:
    """Blocks, running each flow at its time every day (scheduled runs use today's date)."""
    serve(*deployments())
