"""The daily scan's SQL grows with batches, not plans: a caseload ten times larger, in the
same number of batches, costs exactly the same statements (once it was an audit INSERT per
plan moved: 2,238 statements at 100,000 plans on PostgreSQL)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy import event

from resettlement.config import get_settings
from resettlement.database import engine_for
from resettlement.scheduling import DAILY_RELEASE_SCAN
from rules.timings import PRE_RELEASE_OPENS_DAYS

from .conftest import days, run_directly, start_core_items

WEDNESDAY = date(2027, 3, 10)
FRIDAY = date(2027, 3, 12)  # flagged: the scan opens an early-release request
AS_OF = WEDNESDAY - days(PRE_RELEASE_OPENS_DAYS)


def caseload(new_plan, session, size: int) -> None:
    """Every kind of plan the scan acts on, in the same proportions whatever the size: plans
    that move twice, plans refused pre-release (their officer told what is missing), Friday
    releases that get a request, plans that only move into resettlement planning."""
    for i in range(size):
        kind = i % 4
        plan = new_plan(requested_release_date=FRIDAY if kind == 2 else WEDNESDAY)
        if kind == 0:
            start_core_items(session, plan.id)
        if kind == 3:
            new_plan(requested_release_date=WEDNESDAY + days(28))


def scan_statements(batch_size: int) -> tuple[Counter[str], dict[str, int]]:
    """Statements by their first 60 characters, so a failure shows which one grew."""
    counted: Counter[str] = Counter()

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        counted[" ".join(statement.split())[:60]] += 1

    engine = engine_for(get_settings().sqlalchemy_url)
    event.listen(engine, "before_cursor_execute", count)
    try:
        summary = run_directly(DAILY_RELEASE_SCAN, AS_OF, batch_size=batch_size)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return counted, summary


def test_ten_times_the_plans_in_as_many_batches_cost_the_same_statements(
    flow_db, session, new_plan, engine
):
    from resettlement.models import SQLModel
    from tests.conftest import empty_as_owner

    caseload(new_plan, session, 4)
    small, small_summary = scan_statements(batch_size=500)
    assert small_summary["open_resettlement_planning.moved"] == 5
    assert small_summary["open_pre_release.moved"] == 1
    assert small_summary["open_pre_release.refused"] == 2
    assert small_summary["early_release_requests.due"] == 1, small_summary

    # The same database, emptied, ten times the caseload. On PostgreSQL only the owner may
    # empty the audit trail (the service's role is refused, as it should be).
    if engine.dialect.name == "postgresql":
        empty_as_owner(engine.url.render_as_string(hide_password=False))
    else:
        with engine.begin() as connection:
            for table in reversed(SQLModel.metadata.sorted_tables):
                if table.name != "alembic_version":
                    connection.execute(table.delete())
    session.expire_all()
    caseload(new_plan, session, 40)
    large, large_summary = scan_statements(batch_size=500)
    assert large_summary["open_resettlement_planning.moved"] == 50
    assert large_summary["open_pre_release.refused"] == 20

    assert large == small
