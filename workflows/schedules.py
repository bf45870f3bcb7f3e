"""When each flow runs: the one place the times are read, from the RESETTLEMENT_*_TIME (daily)
and RESETTLEMENT_MESSAGE_SWEEP_MINUTES settings. Local mode (`flows serve`) and the deployments
of prefect.yaml (through its build step, `deployment_crons`) both take their crons from here,
so they cannot disagree."""

from __future__ import annotations

from resettlement.config import Settings, get_settings

TIMEZONE = "Europe/London"


def daily_cron(hh_mm: str) -> str:
    hours, minutes = hh_mm.split(":")
    return f"{int(minutes)} {int(hours)} * * *"


def daily_times(settings: Settings | None = None) -> dict[str, str]:
    """Each flow's name -> its Europe/London wall-clock time, "HH:MM"."""
    settings = settings or get_settings()
    return {
        "daily-release-scan": settings.scan_time,
        "release-day": settings.release_day_time,
        "forty-eight-hour-followup": settings.followup_time,
        "calendar-refresh": settings.calendar_refresh_time,
        "retention": settings.retention_time,
    }


def every_minutes_cron(minutes: int) -> str:
    return f"*/{minutes} * * * *" if minutes > 1 else "* * * * *"


def crons(settings: Settings | None = None) -> dict[str, str]:
    """Each flow's name -> its cron, in Europe/London: the daily flows and the message sweep."""
    settings = settings or get_settings()
    made = {name: daily_cron(at) for name, at in daily_times(settings).items()}
    made["message-sweep"] = every_minutes_cron(settings.message_sweep_minutes)
    return made


def intake_cron(settings: Settings | None = None) -> str:
    """How often the deployed intake flow looks in its folder, RESETTLEMENT_INTAKE_EVERY_MINUTES:
    a cron cannot step past an hour in minutes, so a longer interval is whole hours."""
    minutes = (settings or get_settings()).intake_every_minutes
    if minutes < 60:
        return every_minutes_cron(minutes)
    return f"0 */{min(minutes // 60, 23)} * * *"


def deployment_crons() -> dict[str, str]:
    """A prefect.yaml build step: `prefect deploy` reads the crons from the settings of the
    shell it runs in. Keys use underscores because prefect.yaml's templates name them."""
    made = {name.replace("-", "_"): cron for name, cron in crons().items()}
    made["intake_folder"] = intake_cron()
    return made
