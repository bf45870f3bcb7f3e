"""Which plans a report counts: releases that happened in the period, or releases still due."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, Select, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session

from resettlement import audit
from resettlement.actors import Actor
from resettlement.models import PlanState
from resettlement.reports.breakdowns import person, person_table, plan, plan_table
from resettlement.transactions import commit

RELEASED_STATES = (PlanState.RELEASED.value, PlanState.COMPLETED.value)
NOT_YET_RELEASED = (
    PlanState.SENTENCE_PLANNING.value,
    PlanState.RESETTLEMENT_PLANNING.value,
    PlanState.PRE_RELEASE.value,
)


def released_to(end: date, today: date) -> date:
    """A "released from ... to ..." period ends today at the latest: a release date still to
    come is not a release (those are in the due-for-release view)."""
    return min(end, today)


def released_rows(start: date, end: date, prison_code: str | None) -> Select[Any]:
    """People who walked out in the period: released or completed, walk-out day in range."""
    rows = (
        select(plan.id)
        .select_from(plan_table.join(person_table, person.id == plan.person_id))
        .where(
            plan.walk_out_date >= start,
            plan.walk_out_date <= end,
            plan.state.in_(RELEASED_STATES),
        )
    )
    return rows.where(person.prison_code == prison_code) if prison_code else rows


def due_rows(start: date, end: date, prison_code: str | None) -> Select[Any]:
    """People due to walk out in the period who have not yet: an open plan, a date to come."""
    rows = (
        select(plan.id)
        .select_from(plan_table.join(person_table, person.id == plan.person_id))
        .where(
            plan.walk_out_date >= start,
            plan.walk_out_date <= end,
            plan.state.in_(NOT_YET_RELEASED),
        )
    )
    return rows.where(person.prison_code == prison_code) if prison_code else rows


class utc_day(FunctionElement[date]):
    """The UTC calendar day of a stored instant, on SQLite (text) and PostgreSQL alike."""

    type = Date()
    inherit_cache = True


@compiles(utc_day)
def _utc_day_sqlite(element: utc_day, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(utc_day, "postgresql")
def _utc_day_postgresql(element: utc_day, compiler: Any, **kw: Any) -> str:
    return f"(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC')::date"


def audited(session: Session, actor: Actor, report: str, prison_code: str | None) -> None:
    # Reports read everyone's records in aggregate; the trail says who looked at which.
    audit.record(session, actor, f"report:{report}", "report", prison_code or "national")
    commit(session, "audit")
