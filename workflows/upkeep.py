"""The upkeep flows: the message sweep (every few minutes) and the nightly calendar refresh.

Thin like the daily flows: each finds its due ids in one task and works through them in
batches, the services deciding what each message or plan needs.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from prefect import Flow, flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from resettlement import clock
from resettlement.actors import SYSTEM
from resettlement.bank_holidays import install_imported_calendar
from resettlement.calendar_updates import reflag
from resettlement.calendar_updates.refresh import FetchFailed, refresh
from resettlement.config import get_settings
from resettlement.database import session_scope
from resettlement.delivery import sweep
from resettlement.delivery.sending import deliver
from resettlement.errors import DomainError
from workflows.flows import batches, require_database
from workflows.tasks import RETRY_DELAYS, retry_transient, untraversed


def install_calendar() -> bool:
    """Every flow run starts from the calendar kept in the data directory, which the nightly
    refresh (on whichever worker ran it) may have changed since this process started."""
    return install_imported_calendar(get_settings().data_dir)


_retrying = {
    "retries": len(RETRY_DELAYS),
    "retry_delay_seconds": RETRY_DELAYS,
    "retry_condition_fn": retry_transient,
    "cache_policy": NO_CACHE,
}


@task(name="find-messages", task_run_name="find {what}", **_retrying)  # type: ignore[call-overload]
def find_messages(what: str) -> list[int]:
    with session_scope() as session:
        if what == "resend":
            return sweep.due_resend(session)
        return sweep.due_status_check(session)


@task(name="send-messages", task_run_name="send {label}", **_retrying)  # type: ignore[call-overload]
def send_messages(ids: list[int], label: str = "") -> dict[str, int]:
    with session_scope() as session:
        return deliver(session, ids)


@task(name="check-statuses", task_run_name="statuses {label}", **_retrying)  # type: ignore[call-overload]
def check_statuses(ids: list[int], label: str = "") -> dict[str, int]:
    with session_scope() as session:
        return sweep.record_statuses(session, ids)


@flow(name="message-sweep", log_prints=True)
def message_sweep(batch_size: int | None = None) -> dict[str, int]:
    """Sends again the messages still unsent a few minutes after their last attempt (failing,
    and telling the officer about, those out of attempts), then records what GOV.UK Notify
    says became of the messages it took."""
    require_database()
    install_calendar()
    logger = get_run_logger()
    size = batch_size or get_settings().workflow_batch_size
    summary: Counter[str] = Counter()
    for what, work in (("resend", send_messages), ("statuses", check_statuses)):
        ids = find_messages(what)
        summary[f"{what}.due"] += len(ids)
        for number, chunk in enumerate(batches(ids, size), start=1):
            for outcome, count in work(untraversed(chunk), label=f"batch {number}").items():
                summary[f"{what}.{outcome}"] += count
    report = dict(sorted(summary.items()))
    logger.info("message-sweep: %s", report)
    return report


@task(name="refresh-calendar", cache_policy=NO_CACHE)
def refresh_calendar(url: str) -> dict[str, object]:
    """Fetch and keep GOV.UK's file; on failure the last good copy stays (and is installed)."""
    logger = get_run_logger()
    data_dir = get_settings().ensure_data_dir()
    try:
        refreshed = refresh(data_dir, url)
    except FetchFailed as exc:
        install_imported_calendar(data_dir)
        logger.warning("calendar not refreshed, the last good copy stays: %s", exc)
        return {"refreshed": False, "changed": False, "error": str(exc)}
    for nation, days in refreshed.added.items():
        for day in days:
            logger.info("%s: %s is now a bank holiday", nation.value, day)
    for nation, days in refreshed.removed.items():
        for day in days:
            logger.info("%s: %s is no longer a bank holiday", nation.value, day)
    for kept in refreshed.result.kept:
        logger.warning(
            "%s %s: GOV.UK does not list %r; kept (remove it with `calendar import --replace`)",
            kept.date,
            kept.nation.value,
            kept.holidays_title,
        )
    return {"refreshed": True, "changed": refreshed.changed}


@task(name="find-plans-to-reassess", **_retrying)  # type: ignore[call-overload]
def find_plans_to_reassess(today: date) -> list[int]:
    with session_scope() as session:
        return reflag.due_reassessment(session, today)


@task(name="reassess-plans", task_run_name="reassess {label}", **_retrying)  # type: ignore[call-overload]
def reassess_plans(ids: list[int], label: str = "") -> dict[str, int]:
    """One batch: the plans the calendar changes, each through the service in its own
    transaction; a plan an officer changed meanwhile is left for the next run."""
    counts: Counter[str] = Counter()
    with session_scope() as session:
        for plan_id, version in reflag.plans_to_reassess(session, ids):
            try:
                outcome = reflag.reassess_for_calendar(
                    session=session, actor=SYSTEM, plan_id=plan_id, expected_version=version
                )
            except DomainError:
                counts["changed_meanwhile"] += 1
                continue
            counts[outcome.changed or "unchanged"] += 1
    return dict(counts)


@flow(name="calendar-refresh", log_prints=True)
def calendar_refresh(
    url: str | None = None, as_of: date | None = None, batch_size: int | None = None
) -> dict[str, int]:
    """Fetches GOV.UK's bank holidays (keeping the last good copy if that fails) and
    re-assesses every open plan against the calendar in use, so a holiday proclaimed after a
    plan was opened flags (or unflags) its release and opens (or withdraws) the request."""
    require_database()
    install_calendar()
    settings = get_settings()
    logger = get_run_logger()
    outcome = refresh_calendar(url or settings.bank_holidays_url)
    summary: Counter[str] = Counter({"refreshed": int(bool(outcome["refreshed"]))})
    # Re-assessed whether or not the fetch worked: a file imported by hand since the last run,
    # or a plan opened before it, is brought up to date all the same.
    ids = find_plans_to_reassess(as_of or clock.today())
    summary["plans.due"] = len(ids)
    size = batch_size or settings.workflow_batch_size
    for number, chunk in enumerate(batches(ids, size), start=1):
        for key, count in reassess_plans(untraversed(chunk), label=f"batch {number}").items():
            summary[f"plans.{key}"] += count
    report = dict(sorted(summary.items()))
    logger.info("calendar-refresh: %s", report)
    return report


UPKEEP_FLOWS: dict[str, Flow[..., dict[str, int]]] = {
    "message-sweep": message_sweep,
    "calendar-refresh": calendar_refresh,
}
