"""The two tasks every flow is made of: find the ids due for an action, act on one batch.

Tasks take and return plain values (ids, dates, counts), open their own session, and retry only
what a retry can fix: a dropped connection or a locked database, never a domain error.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import TaskRun
from prefect.states import State
from prefect.utilities.annotations import quote
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from resettlement import scheduling
from resettlement.database import session_scope
from resettlement.delivery.sending import deliver
from resettlement.errors import Unavailable
from resettlement.privacy import retention

RETRY_DELAYS: list[float] = [1, 10, 30]


def untraversed(ids: list[int]) -> list[int]:
    """A batch of ids to pass to a task. Prefect walks every element of a task's arguments
    twice, looking for futures to wait on: for a batch of 500 ids that cost more than the
    batch's own work (about 30 ms a task). `quote` tells it not to; the task still receives
    the list itself. Typed as that list, which is what the task sees."""
    return cast("list[int]", quote(ids))


def is_transient(error: BaseException) -> bool:
    # Unavailable: the services' word for a lost connection before anything committed.
    if isinstance(error, OperationalError | InterfaceError | Unavailable):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def retry_transient(_task: Any, _run: TaskRun, state: State) -> bool:
    try:
        state.result()
    except Exception as error:
        return is_transient(error)
    return False


@task(
    name="find-due",
    task_run_name="find {action}",
    retries=len(RETRY_DELAYS),
    retry_delay_seconds=RETRY_DELAYS,
    retry_condition_fn=retry_transient,
    cache_policy=NO_CACHE,
)
def find_due(action: str, as_of: date) -> list[int]:
    with session_scope() as session:
        return scheduling.ACTIONS[action].due(session, as_of)


@task(
    name="run-batch",
    task_run_name="{action} {label}",
    retries=len(RETRY_DELAYS),
    retry_delay_seconds=RETRY_DELAYS,
    retry_condition_fn=retry_transient,
    cache_policy=NO_CACHE,
)
def run_batch(action: str, ids: list[int], as_of: date, label: str = "") -> dict[str, int]:
    """One batch, one transaction; messages are delivered after it commits."""
    with session_scope() as session:
        result = scheduling.ACTIONS[action].run(session, ids, as_of)
        counts = dict(result.counts)
        for name, count in deliver(session, result.notification_ids).items():
            counts[name] = counts.get(name, 0) + count
    return counts


@task(
    name="find-past-retention",
    task_run_name="find {step}",
    retries=len(RETRY_DELAYS),
    retry_delay_seconds=RETRY_DELAYS,
    retry_condition_fn=retry_transient,
    cache_policy=NO_CACHE,
)
def find_past_retention(step: str, now_iso: str) -> list[int]:
    with session_scope() as session:
        return retention.STEPS[step].due(session, datetime.fromisoformat(now_iso))


@task(
    name="retention-batch",
    task_run_name="{step} {label}",
    retries=len(RETRY_DELAYS),
    retry_delay_seconds=RETRY_DELAYS,
    retry_condition_fn=retry_transient,
    cache_policy=NO_CACHE,
)
def run_retention_batch(step: str, ids: list[int], now_iso: str, label: str = "") -> int:
    """One batch, one transaction, re-checking inside it what is still due: a batch that
    committed before a crash finds nothing left to do when the run is repeated."""
    with session_scope() as session:
        return retention.STEPS[step].run(session, ids, datetime.fromisoformat(now_iso))
