"""The caseload: plans with progress and flags, found, filtered, sorted and paged in one query.

Flags are SQL expressions, not Python afterthoughts, so that filtering and sorting by them happen
in the database and a page of 25 costs the same one statement whether the caseload holds 30
plans or 3,000.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select
from sqlmodel import Session, col

from resettlement import clock
from resettlement.models import (
    OPEN_STATES,
    ChecklistItem,
    ChecklistStatus,
    Person,
    PlanState,
    ReleasePlan,
)
from resettlement.partners.referrals import open_flags
from rules.timings import NO_ACCOMMODATION_WARNING_DAYS

FINISHED = (ChecklistStatus.DONE.value, ChecklistStatus.NOT_NEEDED.value)
CLOSED_STATES = (PlanState.COMPLETED, PlanState.CANCELLED)
# The order a plan's life runs in: sorting by stage follows it, not the alphabet.
STAGE_ORDER = tuple(PlanState)
FLAGS = ("friday", "day_before_bank_holiday", "no_accommodation", "overdue_items")
SORTS = ("person", "walk_out", "stage", "checklist", "flags")
PER_PAGE = 25


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


@dataclass(frozen=True)
class CaseloadQuery:
    """What the officer asked to see. Empty filters mean "any"; no stage means the open ones."""

    search: str | None = None
    states: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    prisons: tuple[str, ...] = ()
    sort: str = "walk_out"
    descending: bool = False
    page: int = 1
    per_page: int = PER_PAGE


@dataclass(frozen=True)
class CaseloadPage:
    rows: list[CaseloadRow]
    total: int
    query: CaseloadQuery
    pages: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pages", max(1, -(-self.total // self.query.per_page)))

    @property
    def first(self) -> int:
        return (self.query.page - 1) * self.query.per_page + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0


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
    """Open plans (or `states`), soonest walk-out first: the API's and the command's list."""
    statement, _ = _statement(
        officer_id=officer_id,
        query=CaseloadQuery(
            states=tuple(states or ()), prisons=(prison_code,) if prison_code else ()
        ),
        today=today or clock.today(),
    )
    if walk_out_from is not None:
        statement = statement.where(col(ReleasePlan.walk_out_date) >= walk_out_from)
    if walk_out_to is not None:
        statement = statement.where(col(ReleasePlan.walk_out_date) <= walk_out_to)
    return _rows(session, statement.limit(limit).offset(offset), today or clock.today())[0]


def caseload_page(
    session: Session, *, officer_id: str, query: CaseloadQuery, today: date | None = None
) -> CaseloadPage:
    """One page of an officer's caseload and how many plans match in all: one statement (the
    total rides along as a window count), plus one count only when the page is past the end."""
    today = today or clock.today()
    statement, where = _statement(officer_id=officer_id, query=query, today=today)
    offset = (query.page - 1) * query.per_page
    rows, total = _rows(session, statement.limit(query.per_page).offset(offset), today)
    if total is None:
        counted = select(func.count()).select_from(where.subquery())
        total = int(session.execute(counted).scalar_one())
    return CaseloadPage(rows=rows, total=total, query=query)


def _statement(*, officer_id: str | None, query: CaseloadQuery, today: date) -> tuple[Any, Any]:
    finished = func.sum(case((col(ChecklistItem.status).in_(FINISHED), 1), else_=0))
    total = func.count(col(ChecklistItem.id))
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
    housed = func.max(
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
    flag_reason = func.coalesce(col(ReleasePlan.flag_reason), "friday")
    soon = and_(
        col(ReleasePlan.walk_out_date) >= today,
        col(ReleasePlan.walk_out_date) <= today + timedelta(days=NO_ACCOMMODATION_WARNING_DAYS),
    )
    flag_tests: dict[str, ColumnElement[bool]] = {
        "friday": and_(col(ReleasePlan.flagged).is_(True), flag_reason == "friday"),
        "day_before_bank_holiday": and_(
            col(ReleasePlan.flagged).is_(True), flag_reason == "day_before_bank_holiday"
        ),
        "no_accommodation": and_(soon, func.coalesce(housed, 0) == 0),
        "overdue_items": func.coalesce(overdue, 0) > 0,
    }
    flag_count = sum((case((test, 1), else_=0) for test in flag_tests.values()), start=literal(0))
    states = query.states or tuple(s.value for s in OPEN_STATES)
    grouped = (
        select(
            ReleasePlan,
            col(Person.given_name),
            col(Person.family_name),
            col(Person.prison_number),
            col(Person.prison_code),
            total,
            finished,
            overdue,
            housed,
        )
        .join(Person, col(Person.id) == col(ReleasePlan.person_id))
        .outerjoin(ChecklistItem, col(ChecklistItem.plan_id) == col(ReleasePlan.id))
        .where(col(ReleasePlan.state).in_(states))
        .group_by(
            col(ReleasePlan.id),
            col(Person.given_name),
            col(Person.family_name),
            col(Person.prison_number),
            col(Person.prison_code),
        )
    )
    if officer_id is not None:
        grouped = grouped.where(col(ReleasePlan.probation_officer_id) == officer_id)
    if query.prisons:
        grouped = grouped.where(col(Person.prison_code).in_(query.prisons))
    if query.search:
        words = query.search.strip()
        full_name = func.lower(col(Person.given_name) + " " + col(Person.family_name))
        grouped = grouped.where(
            or_(
                full_name.contains(words.lower(), autoescape=True),
                col(Person.prison_number).contains(words.upper(), autoescape=True),
            )
        )
    wanted = [flag_tests[f] for f in query.flags if f in flag_tests]
    if wanted:
        grouped = grouped.having(or_(*wanted))
    stage = case(
        *((col(ReleasePlan.state) == s.value, index) for index, s in enumerate(STAGE_ORDER)),
        else_=len(STAGE_ORDER),
    )
    progress = case((total == 0, 0.0), else_=finished * 1.0 / total)
    keys: dict[str, list[Any]] = {
        "person": [func.lower(col(Person.family_name)), func.lower(col(Person.given_name))],
        "walk_out": [col(ReleasePlan.walk_out_date)],
        "stage": [stage],
        "checklist": [progress],
        "flags": [flag_count],
    }
    chosen = keys.get(query.sort, keys["walk_out"])
    order: list[Any] = []
    if query.sort not in keys or query.sort == "walk_out":
        # Plans with no date yet go last whichever way the dates run.
        order.append(col(ReleasePlan.walk_out_date).is_(None))
    order += [k.desc() if query.descending else k.asc() for k in chosen]
    order.append(col(ReleasePlan.id))
    counted = grouped.add_columns(func.count().over().label("matching"))
    return counted.order_by(*order), grouped


def _rows(session: Session, statement: Any, today: date) -> tuple[list[CaseloadRow], int | None]:
    total: int | None = None
    found = list(session.execute(statement))
    # Issues and risks partners flagged that the officer has not yet marked as seen: one more
    # query for the whole page.
    partner_flags = open_flags(session, [row[0].id for row in found])
    rows = []
    for plan, given, family, number, prison, count, done, late, housed, matching in found:
        total = int(matching)
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
        if partner_flags.get(plan.id):
            flags.append("partner_flag")
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
                total=int(count or 0),
                overdue=int(late or 0),
                flags=tuple(flags),
            )
        )
    return rows, total
