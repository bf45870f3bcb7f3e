"""A report's figures as rows and cells, with small counts suppressed.

Suppression, so nobody can be picked out of a small group: a total from 1 to 4 is never shown,
and then nothing else in its row is either (not even a zero, which would say "none of these
few"). Within a shown row, a count is hidden when it, or the rest of the row (total minus
count), is from 1 to 4: "6 of 8 slept where planned" says just as much about the other 2. Rates
are hidden with their counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

SUPPRESS_BELOW = 5


def _small(count: int) -> bool:
    return 0 < count < SUPPRESS_BELOW


@dataclass(frozen=True)
class Cell:
    count: int
    total: int | None = None
    """The row's total this cell is part of; None for the total itself."""

    @property
    def suppressed(self) -> bool:
        if self.total is None:
            return _small(self.count)
        return _small(self.total) or _small(self.count) or _small(self.total - self.count)

    @property
    def shown(self) -> int | None:
        return None if self.suppressed else self.count

    def rate(self) -> float | None:
        if self.suppressed or not self.total:
            return None
        return round(100 * self.count / self.total, 1)


@dataclass
class Row:
    group: str
    denominator: Cell
    cells: dict[str, Cell] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "total": self.denominator.shown,
            "suppressed": self.denominator.suppressed,
            "measures": {
                key: {
                    "count": cell.shown,
                    "suppressed": cell.suppressed,
                    "percent": cell.rate(),
                }
                for key, cell in self.cells.items()
            },
        }


@dataclass
class Report:
    title: str
    start: date
    end: date
    prison_code: str | None
    breakdown: str
    measures: dict[str, str]
    rows: list[Row]

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "prison": self.prison_code or "national",
            "breakdown": str(self.breakdown),
            "suppressed_below": SUPPRESS_BELOW,
            "measures": self.measures,
            "rows": [r.as_dict() for r in self.rows],
        }

    def csv_rows(self) -> Iterable[list[str]]:
        yield [
            "group",
            "total",
            *[f"{label} (count)" for label in self.measures.values()],
            *[f"{label} (%)" for label in self.measures.values()],
        ]
        for row in self.rows:
            counts = [figure_text(row.cells[k].shown) for k in self.measures]
            rates = [figure_text(row.cells[k].rate()) for k in self.measures]
            yield [row.group, figure_text(row.denominator.shown), *counts, *rates]


def figure_text(value: float | int | None) -> str:
    # "[c]" is the Government Statistical Service's shorthand for a confidential, suppressed cell.
    return "[c]" if value is None else str(value)
