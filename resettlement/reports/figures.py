"""Counts for a report in one SQL statement, however many groups there are.

The rows to count are a SELECT with one column per breakdown part (the row's group in that
part, or NULL) and one 0/1 column per measure. On PostgreSQL one `GROUP BY GROUPING SETS`
counts every part's groups and the total in one pass over the rows; SQLite has no grouping
sets, so there the same statement is a `UNION ALL` of one `GROUP BY` per part (parts are fixed
by the breakdown, never by the data).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Integer, Select, func, literal, null, tuple_, union_all
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from resettlement.reports.breakdowns import Breakdown, sort_key
from resettlement.reports.tables import Cell, Row

ALL = "all"


def count_rows(
    session: Session,
    rows: Select[Any],
    breakdown: Breakdown,
    parts: Sequence[ColumnElement[Any]],
    measures: Mapping[str, ColumnElement[Any]],
) -> list[Row]:
    """`rows` is the FROM and WHERE of the people counted; its columns are replaced."""
    keys = list(measures)
    columns = [p.label(f"g{i}") for i, p in enumerate(parts)]
    flags = [measures[k].label(f"m{j}") for j, k in enumerate(keys)]
    base = rows.with_only_columns(*columns, *flags, maintain_column_froms=True)
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql" and parts:
        sub = base.subquery("counted")
        groups = [sub.c[f"g{i}"] for i in range(len(parts))]
        statement: Any = (
            Select(
                func.grouping(*groups).label("bits"),
                *groups,
                func.count().label("people"),
                *[func.coalesce(func.sum(sub.c[f"m{j}"]), 0) for j in range(len(keys))],
            )
            .select_from(sub)
            .group_by(func.grouping_sets(*[tuple_(g) for g in groups], tuple_()))
        )
        found = _from_grouping_sets(session.execute(statement).all(), len(parts))
    else:
        found = _from_union(session, base, len(parts), len(keys))
    totals = {(part, group): (people, hits) for part, group, people, hits in found}
    if not totals.get((-1, ALL), (0, []))[0]:
        return []
    ordered = sorted(
        (key for key in totals if key[0] >= 0 and key[1] is not None),
        key=lambda key: (key[0], *sort_key(breakdown, key[1])),
    )
    return [
        Row(
            group,
            Cell(totals[(part, group)][0]),
            {
                k: Cell(int(totals[(part, group)][1][j]), totals[(part, group)][0])
                for j, k in enumerate(keys)
            },
        )
        for part, group in [*ordered, (-1, ALL)]
    ]


def _from_grouping_sets(result: Sequence[Any], parts: int) -> list[tuple[int, str, int, list]]:
    everything = (1 << parts) - 1
    out = []
    for row in result:
        bits, groups, people, hits = row[0], row[1 : 1 + parts], row[1 + parts], row[2 + parts :]
        if bits == everything:
            out.append((-1, ALL, people, list(hits)))
            continue
        # GROUPING() sets a bit for each column not grouped in this row; the first is highest.
        part = next(i for i in range(parts) if not bits & (1 << (parts - 1 - i)))
        if groups[part] is not None:
            out.append((part, str(groups[part]), people, list(hits)))
    return out


def _from_union(
    session: Session, base: Select[Any], parts: int, measures: int
) -> list[tuple[int, str, int, list]]:
    counted = base.cte("counted")

    def sums() -> list[ColumnElement[Any]]:
        return [func.coalesce(func.sum(counted.c[f"m{j}"]), 0) for j in range(measures)]

    selects: list[Any] = [
        Select(
            literal(-1, Integer).label("part"),
            literal(ALL).label("grp"),
            func.count().label("people"),
            *sums(),
        ).select_from(counted)
    ]
    for i in range(parts):
        group = counted.c[f"g{i}"]
        selects.append(
            Select(literal(i, Integer), group, func.count(), *sums())
            .select_from(counted)
            .where(group.is_not(null()))
            .group_by(group)
        )
    statement: Any = union_all(*selects) if len(selects) > 1 else selects[0]
    return [
        (row[0], str(row[1]), row[2], list(row[3:])) for row in session.execute(statement).all()
    ]
