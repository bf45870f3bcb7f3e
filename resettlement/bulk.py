"""Many new rows of one table in one statement, whatever the batch holds; and many rows of a
versioned table changed in one statement that checks each row's version.

On PostgreSQL: one INSERT ... SELECT FROM unnest(one array per column), a statement of a fixed,
short text. psycopg's executemany would otherwise send a row at a time through its pipeline
(one server-side INSERT a row), and a multi-row VALUES is parsed afresh for every batch: both
cost far more than the rows themselves (resettlement/notifications.py found the same). On
SQLite, in-process, executemany is already the fast way.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from enum import Enum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Integer,
    Table,
    Text,
    TypeDecorator,
    bindparam,
    cast,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlmodel import Session


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
    names = list(rows[0])
    columns = [table.c[name] for name in names]
    arrays = [
        bindparam(
            f"bulk_{name}",
            [_plain(row[name], column) for row in rows],
            type_=postgresql.ARRAY(_element_type(column)),
        )
        for name, column in zip(names, columns, strict=True)
    ]
    unnested = func.unnest(*arrays).table_valued(*names).render_derived()
    source = select(
        *(
            cast(unnested.c[name], column.type)
            if isinstance(column.type, JSON)
            else unnested.c[name]
            for name, column in zip(names, columns, strict=True)
        )
    )
    statement = insert(table).from_select(names, source)
    if returning is None:
        connection.execute(statement)
        return []
    statement = statement.returning(table.c.id, table.c[returning])
    return [(r[0], r[1]) for r in connection.execute(statement).all()]


def update_versioned(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> int:
    """Sets new values on rows of a table with a `version` column, each row only if its version
    is still the one read: every row is a dict of `b_id`, `b_version`, `version` (the new one)
    and the same other columns. Returns how many rows were changed; fewer than given means
    someone changed one of them meanwhile. On PostgreSQL one UPDATE ... FROM unnest(...), where
    an executemany sends, and the server runs, an UPDATE a row."""
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
