"""Local mode: serve the three flows on daily Europe/London schedules from this process."""

from __future__ import annotations

from prefect import serve
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron

from resettlement.config import Settings, get_settings
from workflows.flows import daily_release_scan, forty_eight_hour_followup, release_day

TIMEZONE = "Europe/London"


def daily_cron(hh_mm: str) -> str:
    hours, minutes = hh_mm.split(":")
    return f"{int(minutes)} {int(hours)} * * *"


def deployments(settings: Settings | None = None) -> list[RunnerDeployment]:
    settings = settings or get_settings()
    plan = [
        (daily_release_scan, settings.scan_time),
        (release_day, settings.release_day_time),
        (forty_eight_hour_followup, settings.followup_time),
    ]
    made = []
    for flow, at in plan:
        deployment = flow.to_deployment(
            name=f"{flow.name}-daily",
            schedules=[Cron(daily_cron(at), timezone=TIMEZONE)],
            tags=["resettlement"],
        )
        assert isinstance(deployment, RunnerDeployment)  # the sync call
        made.append(deployment)
    return made


def serve_flows() -> None:
    """Blocks, running each flow at its time every day (scheduled runs use today's date)."""
    serve(*deployments())
