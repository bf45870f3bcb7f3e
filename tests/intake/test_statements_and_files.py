"""Statements grow with batches, not rows; a file that is not an extract changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import Engine, event, func
from sqlmodel import Session, select

from resettlement.intake import made_up
from resettlement.intake.extract import NotAnExtract, read_extract
from resettlement.intake.importer import import_extract
from resettlement.intake.models import IntakeRun, Outcome
from resettlement.models import AuditEvent, Person, ReleasePlan
from tests.intake.conftest import ADMIN, OFFICERS, PRISONS

BATCH = 50


@contextmanager
def counted(engine: Engine) -> Iterator[list[int]]:
    seen = [0]

    def count(*_: object) -> None:
        seen[0] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def statements(session: Session, engine: Engine, rows: int, first: int) -> tuple[int, int]:
    """Statements to import `rows` new people, then to import the same file again."""
    made = made_up.made_up_rows(
        rows, today=date.today(), prisons=PRISONS, officers=OFFICERS, first=first
    )
    content = made_up.as_csv(made)
    with counted(engine) as creating:
        report = import_extract(
            session=session, actor=ADMIN, extract=read_extract("a.csv", content), batch_size=BATCH
        )
    assert report.count(Outcome.CREATED) == rows
    with counted(engine) as checking:
        report = import_extract(
            session=session, actor=ADMIN, extract=read_extract("a.csv", content), batch_size=BATCH
        )
    assert report.count(Outcome.UNCHANGED) == rows
    return creating[0], checking[0]


def test_statements_grow_with_batches_not_rows(
    session: Session, engine: Engine, known_staff: None
) -> None:
    small = statements(session, engine, 2 * BATCH, first=0)
    large = statements(session, engine, 8 * BATCH, first=10_000)
    for few, many in zip(small, large, strict=True):
        per_batch = (many - few) / 6
        # Each batch costs the same handful of statements, however many rows it has.
        assert per_batch <= 16, (small, large)
        assert many < 8 * BATCH / 2, (small, large)


NOT_EXTRACTS = {
    "binary": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "empty": b"",
    "a CSV of something else": b"name,amount\nrent,450\n",
    "a JSON array": b'[{"prison_number": "A1234BC"}]',
    "JSON Lines missing columns": b'{"prison_number": "A1234BC"}\n',
    "latin-1 text": "caf\xe9,prix\n".encode("latin-1"),
}


@pytest.mark.parametrize("case", NOT_EXTRACTS)
def test_a_file_that_is_not_an_extract_changes_nothing(
    session: Session, known_staff: None, case: str
) -> None:
    audit_before = session.exec(select(func.count()).select_from(AuditEvent)).one()
    with pytest.raises(NotAnExtract) as refused:
        read_extract("upload.csv", NOT_EXTRACTS[case])
    assert "extract" in refused.value.detail or "text" in refused.value.detail
    for model in (IntakeRun, Person, ReleasePlan):
        assert session.exec(select(func.count()).select_from(model)).one() == 0
    assert session.exec(select(func.count()).select_from(AuditEvent)).one() == audit_before
