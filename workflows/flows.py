"""The three scheduled flows. Each runs its actions in order; each action finds its due ids
in one query and works through them in batches, one task (and one transaction) per batch."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from time import monotonic
from uuid import UUID

from prefect import flow, get_run_logger
from prefect.artifacts import (
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)

from resettlement import clock, scheduling
from resettlement.bank_holidays import install_imported_calendar
from resettlement.config import get_settings
from resettlement.privacy import retention
from rules import calendars
from workflows.tasks import (
    find_due,
    find_past_retention,
    run_batch,
    run_retention_batch,
    untraversed,
)

# A worker loads this module before it starts a run: build the calendars then, not inside the
# first run's clock.
calendars.warm()

# The progress bar is a Prefect API call: at most one a second, not one per batch.
PROGRESS_EVERY_SECONDS = 1.0


class NoDatabaseConfigured(RuntimeError):
    """A worker without DATABASE_URL would otherwise run against a new, empty SQLite file and
    report success with every count 0."""


def require_database() -> None:
    settings = get_settings()
    if settings.database_url or settings.local_mode:
        return
    raise NoDatabaseConfigured(
        "DATABASE_URL is not set: outside local mode (the `resettlement` command) the "
        "workflows need the service's database; set DATABASE_URL on this worker"
    )


def day_of_run(as_of: date | None) -> date:
    """The day a run works for: the one given, else the London date the run was scheduled
    for. Prefect keeps a run's expected start time when it is retried, so a scheduled run
    that crashed and is retried later still does its own day, not the day of the retry."""
    if as_of is not None:
        return as_of
    from prefect.runtime import flow_run

    scheduled = flow_run.scheduled_start_time
    return clock.london(scheduled).date() if scheduled is not None else clock.today()


def batches(ids: Sequence[int], size: int) -> list[list[int]]:
    return [list(ids[i : i + size]) for i in range(0, len(ids), size)]


def run_actions(
    flow_key: str, actions: Sequence[str], as_of: date, batch_size: int | None
) -> dict[str, int]:
    """Runs the actions in order and leaves a summary (counts per action and outcome) in the
    log and as a table artifact. Actions run one after another because a later action sees
    what an earlier one did (a plan opened for resettlement planning can reach pre-release)."""
    require_database()
    # The calendar kept in the data directory, as refreshed (perhaps by another worker) since
    # this process started: the flags and due dates below come from it.
    install_imported_calendar(get_settings().data_dir)
    logger = get_run_logger()
    size = batch_size or get_settings().workflow_batch_size
    summary: Counter[str] = Counter()
    progress = create_progress_artifact(
        0.0, key=f"{flow_key}-progress", description=f"{flow_key} for {as_of}"
    )
    assert isinstance(progress, UUID)  # the sync call, inside a sync flow
    last_progress = monotonic()
    for index, action in enumerate(actions):
        ids = find_due(action, as_of)
        summary[f"{action}.due"] += len(ids)
        chunks = batches(ids, size)
        logger.info("%s: %d due, %d batches of up to %d", action, len(ids), len(chunks), size)
        for number, chunk in enumerate(chunks, start=1):
            label = f"batch {number}/{len(chunks)}"
            counts = run_batch(action, untraversed(chunk), as_of, label=label)
            for outcome, count in counts.items():
                summary[f"{action}.{outcome}"] += count
            summary["notifications"] += counts.get("notifications", 0)
            logger.info(
                "%s %s: %s",
                action,
                label,
                ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing to do",
            )
            if monotonic() - last_progress >= PROGRESS_EVERY_SECONDS:
                done = (index + number / len(chunks)) / len(actions)
                update_progress_artifact(progress, round(100 * done, 1))
                last_progress = monotonic()
    update_progress_artifact(progress, 100.0)
    summary["notifications"] += 0
    report = {k: v for k, v in sorted(summary.items())}
    total = report["notifications"]
    create_table_artifact(
        key=f"{flow_key}-summary",
        table=[
            {
                "action": action,
                "what it does": scheduling.ACTIONS[action].summary,
                "outcome": key.split(".", 1)[1],
                "count": count,
            }
            for action in actions
            for key, count in report.items()
            if key.split(".", 1)[0] == action
        ]
        + [{"action": "all", "what it does": "", "outcome": "notifications", "count": total}],
        description=f"{flow_key} for {as_of:%A %-d %B %Y}",
    )
    logger.info("%s for %s: %s", flow_key, as_of, report)
    return report


@flow(name="daily-release-scan", log_prints=True)
def daily_release_scan(as_of: date | None = None, batch_size: int | None = None) -> dict[str, int]:
    """Moves plans into resettlement planning and pre-release when their time comes, opens
    early-release requests for Friday and pre-bank-holiday releases, escalates decisions near
    their deadline, and reminds officers of checklist items due and of missing accommodation."""
    day = day_of_run(as_of)
    return run_actions("daily-release-scan", scheduling.DAILY_RELEASE_SCAN, day, batch_size)


@flow(name="release-day", log_prints=True)
def release_day(as_of: date | None = None, batch_size: int | None = None) -> dict[str, int]:
    """Releases the plans of people walking out today that are ready, tells each their plan is
    ready, and tells the officer what is missing from any plan that is not."""
    day = day_of_run(as_of)
    return run_actions("release-day", scheduling.RELEASE_DAY, day, batch_size)


@flow(name="forty-eight-hour-followup", log_prints=True)
def forty_eight_hour_followup(
    as_of: date | None = None, batch_size: int | None = None
) -> dict[str, int]:
    """Asks officers to record the 48-hour outcomes once the first 48 hours have passed."""
    day = day_of_run(as_of)
    return run_actions(
        "forty-eight-hour-followup", scheduling.FORTY_EIGHT_HOUR_FOLLOWUP, day, batch_size
    )


@flow(name="retention", log_prints=True)
def retention_flow(as_of: date | None = None, batch_size: int | None = None) -> dict[str, int]:
    """Anonymises people whose retention period ended, deletes sign-in links, supporters'
    links, ended consents and import reports past theirs, empties old messages and
    pseudonymises audit rows past theirs (the schedule: resettlement/privacy/retention.py).
    Safe to run again after a crash."""
    require_database()
    logger = get_run_logger()
    # A scheduled run works as of now; a run for a given day, as of the end of that day.
    now = (
        clock.now()
        if as_of is None
        else datetime.combine(as_of + timedelta(days=1), time(0), clock.LONDON)
    )
    size = batch_size or get_settings().workflow_batch_size
    summary: Counter[str] = Counter()
    for step in retention.STEPS:
        ids = find_past_retention(step, now.isoformat())
        summary[f"{step}.due"] += len(ids)
        chunks = batches(ids, size)
        for number, chunk in enumerate(chunks, start=1):
            label = f"batch {number}/{len(chunks)}"
            summary[f"{step}.done"] += run_retention_batch(
                step, untraversed(chunk), now.isoformat(), label=label
            )
        logger.info("%s: %d due, %d done", step, len(ids), summary[f"{step}.done"])
    report = dict(sorted(summary.items()))
    create_table_artifact(
        key="retention-summary",
        table=[
            {
                "step": key.split(".", 1)[0],
                "what it does": retention.STEPS[key.split(".", 1)[0]].summary,
                "outcome": key.split(".", 1)[1],
                "count": count,
            }
            for key, count in report.items()
        ],
        description=f"retention as of {now:%A %-d %B %Y %H:%M} UTC",
    )
    logger.info("retention: %s", report)
    return report


FLOWS = {
    "daily-release-scan": daily_release_scan,
    "release-day": release_day,
    "forty-eight-hour-followup": forty_eight_hour_followup,
    "retention": retention_flow,
}
