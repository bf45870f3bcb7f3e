"""A plan and everything shown with it, read in one SQL statement.

Reading a plan is the commonest thing staff do, and every read is audited, so its cost is
mostly round trips to the database and the work of turning rows into objects. One statement
returns the plan, the person and each list that belongs to the plan (checklist, early-release
requests, goals, appointments, contacts) as JSON built by the database: `json_build_object`
and `json_agg` on PostgreSQL, `json_object` and `json_group_array` on SQLite. Seven JSON
values cost the driver far less than the plan and person's forty-odd columns would. They come
back as model objects, detached and read-only, as the ORM would have loaded them, in the same
order the plan page has always shown them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Select,
    Table,
    bindparam,
    func,
    literal_column,
    select,
    type_coerce,
)
from sqlalchemy.orm import class_mapper
from sqlalchemy.orm.attributes import instance_state
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, SQLModel

from resettlement.actors import Actor, Role
from resettlement.errors import NotFound
from resettlement.models import (
    Appointment,
    ChecklistItem,
    EarlyReleaseRequest,
    Goal,
    Person,
    ReleasePlan,
    SupportContact,
    UTCDateTime,
)

M = TypeVar("M", bound=SQLModel)


@dataclass(frozen=True)
class PlanView:
    plan: ReleasePlan
    person: Person
    checklist: list[ChecklistItem]
    requests: list[EarlyReleaseRequest]
    goals: list[Goal]
    appointments: list[Appointment]
    contacts: list[SupportContact]


# Each list, and the order it is shown in (the last key, the id, makes the order total).
LISTS: dict[str, tuple[type[SQLModel], Callable[[Any], tuple[Any, ...]]]] = {
    "checklist": (ChecklistItem, lambda i: (i.due_date is None, i.due_date, i.id)),
    "requests": (EarlyReleaseRequest, lambda r: (r.id,)),
    "goals": (Goal, lambda g: (g.position, g.id)),
    "appointments": (Appointment, lambda a: (a.starts_at, a.id)),
    "contacts": (SupportContact, lambda c: (c.id,)),
}


def readable_by(actor: Actor, plan: ReleasePlan, person: Person) -> bool:
    """A probation officer reads the plans they are named on; a governor, the plans of people
    in their prison. Nobody else reads a whole plan."""
    if actor.role == Role.PROBATION_OFFICER:
        return plan.probation_officer_id == actor.user_id
    return actor.role == Role.GOVERNOR and person.prison_code == actor.prison_code


def no_such_plan(plan_id: int) -> NotFound:
    """Worded the same whether the plan does not exist or is not the caller's to see."""
    return NotFound(f"There is no plan with id {plan_id}.")


def read_plan_view(session: Session, plan_id: int) -> PlanView:
    """The plan as staff see it. Raises NotFound; the caller checks access and audits."""
    # Core, not the ORM: the ORM's loader would only hand the JSON through.
    connection = session.connection()
    row = connection.execute(_statement(connection.dialect.name), {"plan_id": plan_id}).first()
    if row is None:
        raise no_such_plan(plan_id)
    plan, person, *arrays = row
    lists: dict[str, Any] = {
        name: sorted((_detached(model, values) for values in array or ()), key=order)
        for (name, (model, order)), array in zip(LISTS.items(), arrays, strict=True)
    }
    return PlanView(plan=_detached(ReleasePlan, plan), person=_detached(Person, person), **lists)


@cache
def _statement(dialect: str) -> Select[Any]:
    plans, people = ReleasePlan.__table__, Person.__table__  # type: ignore[attr-defined]
    arrays = [_rows_as_json(model, dialect).label(name) for name, (model, _) in LISTS.items()]
    return (
        select(
            type_coerce(_as_json(plans, dialect), JSON).label("plan"),
            type_coerce(_as_json(people, dialect), JSON).label("person"),
            *arrays,
        )
        .select_from(plans.join(people, people.c.id == plans.c.person_id))
        .where(plans.c.id == bindparam("plan_id"))
    )


def _as_json(table: Table, dialect: str) -> ColumnElement[Any]:
    """One row of the table as a JSON object, keyed by column name."""
    pairs: list[Any] = []
    for column in table.columns:
        value: Any = column
        if dialect == "sqlite" and isinstance(column.type, JSON):
            # SQLite keeps JSON as text: json() embeds it as JSON, not as a quoted string.
            value = func.json(column)
        # Column names are the schema's own, never input: safe to write into the SQL.
        pairs += [literal_column(f"'{column.name}'"), value]
    if dialect == "postgresql":
        return func.json_build_object(*pairs)
    return func.json_object(*pairs)


def _rows_as_json(model: type[SQLModel], dialect: str) -> ColumnElement[Any]:
    """A correlated subquery: the model's rows for this plan as one JSON array."""
    table = model.__table__  # type: ignore[attr-defined]
    aggregate = func.json_agg if dialect == "postgresql" else func.json_group_array
    subquery = (
        select(aggregate(_as_json(table, dialect)))
        .where(table.c.plan_id == ReleasePlan.__table__.c.id)  # type: ignore[attr-defined]
        .scalar_subquery()
    )
    # Typed as JSON so SQLite's text is parsed; psycopg parses PostgreSQL's json itself.
    return type_coerce(subquery, JSON)


@cache
def _converters(model: type[SQLModel]) -> dict[str, Callable[[Any], Any]]:
    """How a JSON value becomes the Python value the ORM would have loaded."""
    found: dict[str, Callable[[Any], Any]] = {}
    for column in model.__table__.columns:  # type: ignore[attr-defined]
        if isinstance(column.type, UTCDateTime):
            found[column.name] = _instant
        elif isinstance(column.type, Date):
            found[column.name] = date.fromisoformat
        elif isinstance(column.type, Boolean):
            found[column.name] = bool  # SQLite gives 0 and 1
    return found


def _instant(value: str) -> datetime:
    # PostgreSQL writes the session's offset; SQLite writes what was stored, always UTC.
    return UTCDateTime().process_result_value(datetime.fromisoformat(value), None)  # type: ignore[return-value]


def _detached(model: type[M], values: dict[str, Any]) -> M:
    """An object as the ORM's loader builds one, without re-validating what the database holds.

    Detached, with its identity, like an object loaded by a session that has since closed.
    Every column is loaded, so this is `make_transient_to_detached` without its bookkeeping
    for unloaded and changed attributes, which costs several times the rest.
    """
    for name, convert in _converters(model).items():
        if values.get(name) is not None:
            values[name] = convert(values[name])
    mapper = class_mapper(model)  # configures the mappers, if no query has yet
    obj: M = mapper.class_manager.new_instance()
    obj.__dict__.update(values)
    instance_state(obj).key = mapper.identity_key_from_instance(obj)
    return obj
