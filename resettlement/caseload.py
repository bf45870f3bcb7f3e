"""The caseload: open plans, soonest walk-out first, with progress and flags, in one query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func, select
from sqlmodel import Session, col

from resettlement import clock
from resettlement.models import (
    OPEN_STATES,
    ChecklistItem,
    ChecklistStatus,
    Person,
    ReleasePlan,
)
from rules.timings import NO_ACCOMMODATION_WARNING_DAYS

FINISHED = (ChecklistStatus.DONE.value, ChecklistStatus.NOT_NEEDED.value)


@dataclass(frozen=True)
class CaseloadRow:
    plan_id: int
    version: int
    person_name: str
    prison_number: str
    prison_code: str
    probation_officer_id: str
    state: str
    walk_out_date: date | None
    days_to_walk_out: int | None
    done: int
    total: int
    overdue: int
    flags: tuple[str, ...]

    @property
    def walk_out(self) -> str:
        return f"{self.walk_out_date:%a %d %b %Y}" if self.walk_out_date else "no date"


def caseload_rows(
    session: Session,
    *,
    officer_id: str | None = None,
    prison_code: str | None = None,
    states: list[str] | None = None,
    walk_out_from: date | None = None,
    walk_out_to: date | None = None,
    limit: int = 500,
    offset: int = 0,
    today: date | None = None,
) -> list[CaseloadRow]:
    today = today or clock.today()
    finished = func.sum(case((col(ChecklistItem.status).in_(FINISHED), 1), else_=0))
    overdue = func.sum(
        case(
            (
                and_(
                    col(ChecklistItem.status).not_in(FINISHED),
                    col(ChecklistItem.due_date) < today,
                ),
                1,
            ),
            else_=0,
        )
    )
    accommodation_ready = func.max(
        case(
            (
                and_(
                    col(ChecklistItem.key) == "accommodation",
                    col(ChecklistItem.status).in_(FINISHED),
                ),
                1,
            ),
            else_=0,
        )
    )
    statement = (
        select(
            ReleasePlan,
            col(Person.given_name),
            col(Person.family_name),
            col(Person.prison_number),
            col(Person.prison_code),
            func.count(col(ChecklistItem.id)),
            finished,
            overdue,
            accommodation_ready,
        )
        .join(Person, col(Person.id) == col(ReleasePlan.person_id))
        .outerjoin(ChecklistItem, col(ChecklistItem.plan_id) == col(ReleasePlan.id))
        .where(col(ReleasePlan.state).in_(states or [s.value for s in OPEN_STATES]))
        .group_by(
            col(ReleasePlan.id),
            col(Person.given_name),
            col(Person.family_name),
            col(Person.prison_number),
            col(Person.prison_code),
        )
        .order_by(
            col(ReleasePlan.walk_out_date).is_(None),
            col(ReleasePlan.walk_out_date),
            col(ReleasePlan.id),
        )
        .limit(limit)
        .offset(offset)
    )
    if officer_id is not None:
        statement = statement.where(col(ReleasePlan.probation_officer_id) == officer_id)
    if prison_code is not None:
        statement = statement.where(col(Person.prison_code) == prison_code)
    if walk_out_from is not None:
        statement = statement.where(col(ReleasePlan.walk_out_date) >= walk_out_from)
    if walk_out_to is not None:
        statement = statement.where(col(ReleasePlan.walk_out_date) <= walk_out_to)
    rows = []
    for plan, given, family, number, prison, total, done, late, housed in session.execute(
        statement
    ):
        days = (plan.walk_out_date - today).days if plan.walk_out_date else None
        flags = []
        if plan.flagged:
            flags.append(plan.flag_reason or "friday")
        if days is not None and 0 <= days <= NO_ACCOMMODATION_WARNING_DAYS and not housed:
            flags.append("no_accommodation")
        if late:
            flags.append("overdue_items")
        if plan.published_out_of_date:
            flags.append("published_plan_out_of_date")
        rows.append(
            CaseloadRow(
                plan_id=plan.id,
                version=plan.version,
                person_name=f"{given} {family}",
                prison_number=number,
                prison_code=prison,
                probation_officer_id=plan.probation_officer_id,
                state=plan.state,
                walk_out_date=plan.walk_out_date,
                days_to_walk_out=days,
                done=int(done or 0),
                total=int(total or 0),
                overdue=int(late or 0),
                flags=tuple(flags),
            )
        )
    return rows
