"""`resettlement flows ...`: run a workflow now, or serve all three on their daily schedules."""

from __future__ import annotations

import os
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from resettlement import clock, migrate
from resettlement.config import get_settings

flows_app = typer.Typer(
    help="The scheduled workflows: the daily release scan, release day, the 48-hour follow-up.",
    no_args_is_help=True,
)
run_app = typer.Typer(help="Run one workflow now and print what it did.", no_args_is_help=True)
flows_app.add_typer(run_app, name="run")

AsOf = Annotated[
    datetime | None,
    typer.Option(
        "--as-of", formats=["%Y-%m-%d"], help="The day to run for (default: today, in London)."
    ),
]
BatchSize = Annotated[
    int | None, typer.Option(min=1, help="Plans per batch (default: the settings' value).")
]


def local_mode() -> None:
    """The flows this process (and its children) run may use the embedded SQLite database."""
    os.environ["RESETTLEMENT_LOCAL_MODE"] = "1"
    get_settings.cache_clear()


def _run(name: str, as_of: datetime | None, batch_size: int | None) -> None:
    from workflows.flows import FLOWS
    from workflows.in_process import run_in_process

    local_mode()
    day: date = as_of.date() if as_of else clock.today()
    migrate.upgrade()
    summary = run_in_process(FLOWS[name], as_of=day, batch_size=batch_size)
    typer.echo(f"{name} for {day:%A %-d %B %Y}")
    width = max((len(k) for k in summary), default=0)
    for key, count in summary.items():
        typer.echo(f"  {key:<{width}}  {count:>7}")


@run_app.command("daily-release-scan")
def run_daily_release_scan(as_of: AsOf = None, batch_size: BatchSize = None) -> None:
    """Open stages on time, early-release requests, escalations, reminders and warnings."""
    _run("daily-release-scan", as_of, batch_size)


@run_app.command("release-day")
def run_release_day(as_of: AsOf = None, batch_size: BatchSize = None) -> None:
    """Release the ready plans of people walking out that day; flag the ones not ready."""
    _run("release-day", as_of, batch_size)


@run_app.command("forty-eight-hour-followup")
def run_forty_eight_hour_followup(as_of: AsOf = None, batch_size: BatchSize = None) -> None:
    """Ask officers for the 48-hour outcomes of people released two or more days ago."""
    _run("forty-eight-hour-followup", as_of, batch_size)


def _print(title: str, summary: dict[str, int]) -> None:
    typer.echo(title)
    width = max((len(k) for k in summary), default=0)
    for key, count in summary.items():
        typer.echo(f"  {key:<{width}}  {count:>7}")


@run_app.command("message-sweep")
def run_message_sweep(batch_size: BatchSize = None) -> None:
    """Send again the messages not yet sent; record GOV.UK Notify's delivery statuses."""
    from workflows.in_process import run_in_process
    from workflows.upkeep import message_sweep

    local_mode()
    migrate.upgrade()
    _print("message-sweep", run_in_process(message_sweep, batch_size=batch_size))


@run_app.command("calendar-refresh")
def run_calendar_refresh(
    url: Annotated[
        str | None, typer.Option(help="Where to fetch bank-holidays.json (default: GOV.UK).")
    ] = None,
    as_of: AsOf = None,
    batch_size: BatchSize = None,
) -> None:
    """Refresh GOV.UK's bank holidays and re-flag the open plans the new calendar changes."""
    from workflows.in_process import run_in_process
    from workflows.upkeep import calendar_refresh

    local_mode()
    migrate.upgrade()
    day = as_of.date() if as_of else None
    summary = run_in_process(calendar_refresh, url=url, as_of=day, batch_size=batch_size)
    _print("calendar-refresh", summary)


@run_app.command("retention")
def run_retention(as_of: AsOf = None, batch_size: BatchSize = None) -> None:
    """Anonymise people past their retention period; delete or empty other records past theirs."""
    _run("retention", as_of, batch_size)


@flows_app.command("serve")
def serve() -> None:
    """Serve the three workflows on their daily Europe/London schedules (blocks)."""
    from workflows.serve import serve_flows

    local_mode()
    migrate.upgrade()
    serve_flows()


@flows_app.command("setup")
def setup(
    pool: str = typer.Option("resettlement", help="The Prefect work pool prefect.yaml names."),
) -> None:
    """On a Prefect server (PREFECT_API_URL): the process work pool, if missing, and the
    automation that marks runs crashed when their heartbeats stop (a lost machine)."""
    from prefect import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectAlreadyExists

    from workflows.zombies import NAME, ensure_zombie_automation

    with get_client(sync_client=True) as client:
        try:
            client.create_work_pool(WorkPoolCreate(name=pool, type="process"))
            typer.echo(f"Created the process work pool {pool!r}.")
        except ObjectAlreadyExists:
            typer.echo(f"The work pool {pool!r} is there already.")
    automation_id = ensure_zombie_automation()
    typer.echo(f"Automation {NAME!r} ({automation_id}) is on.")


@flows_app.command("worker")
def worker(
    pool: str = typer.Option("resettlement", help="The Prefect work pool to take runs from."),
) -> None:
    """A Prefect worker for the deployments of prefect.yaml, from this environment. Refuses to
    start without DATABASE_URL, where its flows would only refuse to run."""
    if not get_settings().database_url:
        typer.echo("DATABASE_URL is not set: a worker needs the service's database.", err=True)
        raise typer.Exit(2)
    # This environment's prefect, so flow runs import this environment's `workflows`.
    prefect = str(Path(sys.executable).with_name("prefect"))
    os.execv(prefect, [prefect, "worker", "start", "--pool", pool, "--type", "process"])
