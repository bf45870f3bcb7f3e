"""The report of an import, one line per row (one per problem for a refused row), as CSV: the
same columns for the CLI's file, the admin page's download and the flow's artifact."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

COLUMNS = ("line", "prison_number", "outcome", "plan_id", "field", "detail")


def _problems(row: Any) -> list[tuple[str, str]]:
    found = getattr(row, "problems", None) or []
    return [
        (p["field"], p["reason"]) if isinstance(p, dict) else (p.field, p.reason) for p in found
    ]


def lines(rows: Iterable[Any]) -> list[dict[str, Any]]:
    """Each row as report lines: a refused row has a line per problem, with the column to fix
    and why; any other row one line, saying what it created or changed."""
    out: list[dict[str, Any]] = []
    for row in rows:
        outcome = str(getattr(row.outcome, "value", row.outcome))
        base = {
            "line": row.line,
            "prison_number": row.prison_number or "",
            "outcome": outcome,
            "plan_id": row.plan_id or "",
        }
        problems = _problems(row)
        if problems:
            out.extend({**base, "field": f, "detail": reason} for f, reason in problems)
        else:
            out.append({**base, "field": "", "detail": "; ".join(row.changes or [])})
    return out


def as_csv(rows: Iterable[Any]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    for line in lines(rows):
        # A cell that a spreadsheet would run as a formula is written as text.
        writer.writerow({k: _cell(v) for k, v in line.items()})
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
