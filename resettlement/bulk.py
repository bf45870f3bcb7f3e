"""Many new rows of one table in one statement, whatever the batch holds; and many rows of a
versioned table changed in one statement that checks each row's version.

On PostgreSQL: one INSERT ... SELECT FROM json_populate_recordset(the table's row type, one JSON
text of every row), a statement of a fixed, short text. psycopg's executemany would otherwise
send a row at a time through its pipeline (one server-side INSERT a row), and a multi-row VALUES
is parsed afresh for every batch: both cost far more than the rows themselves
(resettlement/notifications.py found the same). One array per column (unnest) was the first
way here, but the driver builds each array value by value in Python, escaping each text with a
regular expression: for the intake's 100,000 rows that cost more than the server's work. On
SQLite, in-process, executemany is already the fast way.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from enum import Enum
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Integer,
    Table,
    Text,
    TypeDecorator,
    any_,
    bindparam,
    cast,
    func,
    insert,
    text,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlmodel import Session, col


def insert_rows(
    session: Session, table: Table, rows: Sequence[dict[str, Any]], *, returning: str | None = None
) -> list[tuple[Any, Any]]:
    """Inserts `rows` (each the same columns) in the session's transaction. With `returning`,
    gives back (id, that column) for each new row, in no particular order."""
    if not rows:
        return []
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        statement: Any = insert(table)
        if returning is None:
            connection.execute(statement, list(rows))
            return []
        statement = statement.returning(table.c.id, table.c[returning])
        return [(r[0], r[1]) for r in connection.execute(statement, list(rows)).all()]
    # The columns' own Python-side defaults, as the ORM or a Core insert would fill them in.
    missing = {
        c.name: _python_default(c.default)
        for c in table.columns
        if c.default is not None and c.name not in rows[0] and c.name != "id"
    }
    if missing:
        rows = [missing | row for row in rows]
    names = list(rows[0])
    quote = connection.dialect.identifier_preparer.quote
    listed = ", ".join(quote(name) for name in names)
    sql = (
        f"INSERT INTO {quote(table.name)} ({listed}) SELECT {listed} "
        f"FROM json_populate_recordset(NULL::{quote(table.name)}, CAST(:rows AS json))"
    )
    if returning is not None:
        sql += f" RETURNING id, {quote(returning)}"
    # One JSON text for the whole batch, read by the server into the table's own row type:
    # the encoder is C, where a list per column goes through the driver value by value.
    found = connection.execute(text(sql), {"rows": _json(rows)})
    return [] if returning is None else [(r[0], r[1]) for r in found.all()]


def _python_default(default: Any) -> Any:
    return default.arg if default.is_scalar else default.arg(None)


def _json(rows: Any) -> str:
    # orjson writes dates, times and enums itself, in C (ISO 8601, which the server reads into
    # its date and timestamp columns): json.dumps called back into Python for each of the
    # half a million dates a 100,000-row import holds. Anything else is written as its text,
    # as the JSON columns always were here (json.dumps(default=str)).
    return orjson.dumps(rows, default=str).decode()


def insert_shared(
    session: Session,
    table: Table,
    owner_column: str,
    owners: Sequence[tuple[Any, int]],
    shared: Sequence[Sequence[dict[str, Any]]],
) -> None:
    """Rows that many owners share but for the owner's own id (a checklist is the same for
    every plan with the same needs and walk-out date): for each (owner, n), the rows of
    `shared[n]` with `owner_column` set to the owner, in that order.

    On PostgreSQL each shared set travels once and is joined to its owners in the server, in
    one statement: what crosses the wire grows with the owners, not with their rows."""
    if not owners:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(
            insert(table),
            [{owner_column: owner, **row} for owner, n in owners for row in shared[n]],
        )
        return
    quote = connection.dialect.identifier_preparer.quote
    names = [quote(name) for name in next(rows for rows in shared if rows)[0]]
    listed = ", ".join(names)
    # Each set's rows are read into the table's own row type with the set's number standing
    # in for the owner, then joined to the owners: the owner's column carries the set's
    # number only inside this statement.
    sql = (
        f"INSERT INTO {quote(table.name)} ({quote(owner_column)}, {listed}) "
        f"SELECT o.owner, {', '.join(f's.{name}' for name in names)} "
        "FROM unnest(CAST(:owners AS integer[]), CAST(:sets AS integer[])) "
        "WITH ORDINALITY AS o(owner, set_no, owner_no) "
        f"JOIN ROWS FROM (json_populate_recordset(NULL::{quote(table.name)}, "
        "CAST(:rows AS json))) WITH ORDINALITY AS s "
        f"ON s.{quote(owner_column)} = o.set_no "
        # Ids in the order each owner's own rows would have been written, owner by owner.
        "ORDER BY o.owner_no, s.ordinality"
    )
    flat = [{owner_column: n, **row} for n, rows in enumerate(shared) for row in rows]
    connection.execute(
        text(sql),
        {
            "owners": [o for o, _ in owners],
            "sets": [n for _, n in owners],
            "rows": _json(flat),
        },
    )


def among(session: Session, column: Any, values: Iterable[Any]) -> Any:
    """`column IN values`; on PostgreSQL `column = ANY(:values)` with one array parameter, so a
    batch's statement has a fixed, short text that psycopg converts once and caches, where a
    2,000-placeholder IN list is rendered, converted and parsed afresh on every execution."""
    listed = list(values)
    if session.get_bind().dialect.name == "postgresql":
        kind = postgresql.ARRAY(_element_type(column))
        return col(column) == any_(bindparam(None, listed, type_=kind))
    return col(column).in_(listed)


def column_defaults(model: Any) -> dict[str, Any]:
    """A table model's own defaults for every column but its id, as a row built without the
    model would need them (a default made by a function is made once, here)."""
    table: Table = model.__table__
    defaults: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if name == "id" or name not in table.c:
            continue
        if info.default_factory is not None:
            defaults[name] = info.default_factory()
        elif not info.is_required():
            defaults[name] = info.default
    return defaults


def update_versioned(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> int:
    """Sets new values on rows of a table with a `version` column, each row only if its version
    is still the one read: every row is a dict of `b_id`, `b_version`, `version` (the new one)
    and the same other columns. Returns how many rows were changed; fewer than given means
    someone changed one of them meanwhile. On PostgreSQL one UPDATE ... FROM unnest(...), where
    an executemany sends, and the server runs, an UPDATE a row. (Arrays per column here, not
    insert_rows' one JSON text: a scan's batch is a few hundred rows, where the driver's
    per-value work does not show, and the rows carry the two keys the table has no column for.)"""
    if not rows:
        return 0
    connection = session.connection()
    names = [name for name in rows[0] if name not in ("b_id", "b_version")]
    if connection.dialect.name != "postgresql":
        statement: Any = update(table).where(
            table.c.id == bindparam("b_id"), table.c.version == bindparam("b_version")
        )
        return int(connection.execute(statement, list(rows)).rowcount)
    keys = ["b_id", "b_version", *names]
    columns = [table.c.id, table.c.version, *(table.c[name] for name in names)]
    arrays = [
        bindparam(
            f"bulk_{key}",
            [_plain(row[key], column) for row in rows],
            type_=postgresql.ARRAY(_element_type(column)),
        )
        for key, column in zip(keys, columns, strict=True)
    ]
    given = func.unnest(*arrays).table_valued(*keys).render_derived()
    statement = (
        update(table)
        .where(table.c.id == given.c.b_id, table.c.version == given.c.b_version)
        .values(
            {
                name: cast(given.c[name], column.type)
                if isinstance(column.type, JSON)
                else given.c[name]
                for name, column in zip(names, columns[2:], strict=True)
            }
        )
    )
    return int(connection.execute(statement).rowcount)


def _element_type(column: Any) -> Any:
    kind = column.type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl
    if isinstance(kind, Boolean):
        return Boolean()
    if isinstance(kind, Integer):
        return Integer()
    if isinstance(kind, DateTime):
        return DateTime(timezone=True)
    if isinstance(kind, Date):
        return Date()
    # Unsized text: a cast to varchar(n)[] would cut a long value silently, where the insert's
    # own conversion refuses it.
    return Text()


def _plain(value: Any, column: Any) -> Any:
    if isinstance(column.type, JSON):
        return None if value is None else json.dumps(value, default=str)
    if isinstance(value, Enum):
        return value.value
    return value
