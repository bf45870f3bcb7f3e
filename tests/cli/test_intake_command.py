"""`resettlement intake import FILE`: the report as a table and as CSV, from the real command
on the test's database; a file that is not an extract is refused and changes nothing."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from cli.main import app
from resettlement import staff
from resettlement.actors import Actor, Role
from resettlement.config import get_settings
from resettlement.database import engine_for
from resettlement.intake import made_up
from resettlement.intake.extract import read_extract
from resettlement.intake.importer import start_run
from resettlement.models import ReleasePlan
from resettlement.staff import StaffMember

PRISONS = ("MDI", "BWI")
OFFICERS = ("po-intake-a",)


@pytest.fixture
def command_db(engine: Engine, session: Session, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    members = [
        StaffMember(user_id=f"governor-{p.lower()}", name=p, role="governor", prison_code=p)
        for p in PRISONS
    ] + [StaffMember(user_id=o, name=o, role="probation_officer") for o in OFFICERS]
    staff.add_missing(session=session, members=members)
    yield
    engine_for(get_settings().sqlalchemy_url).dispose()


def test_import_shows_the_report_as_a_table_and_writes_it_as_csv(
    command_db: None, session: Session, tmp_path: Path
) -> None:
    rows = made_up.made_up_rows(8, today=date.today(), prisons=PRISONS, officers=OFFICERS)
    rows[2]["date_of_birth"] = "1980-13-01"
    extract = tmp_path / "records.csv"
    extract.write_bytes(made_up.as_csv(rows))

    result = CliRunner().invoke(
        app, ["intake", "import", str(extract), "--by", "ops-test"], terminal_width=200
    )

    assert result.exit_code == 0, result.output
    assert "Importing records.csv" in result.output
    assert "7 created" in result.output and "1 refused" in result.output
    assert rows[2]["prison_number"] in result.output and "date_of_birth" in result.output
    written = (tmp_path / "records.csv.report.csv").read_text()
    lines = list(csv.DictReader(io.StringIO(written)))
    assert [ln["outcome"] for ln in lines].count("created") == 7
    refused = next(ln for ln in lines if ln["outcome"] == "refused")
    assert (refused["line"], refused["field"]) == ("4", "date_of_birth")
    assert session.exec(select(func.count()).select_from(ReleasePlan)).one() == 7

    again = CliRunner().invoke(app, ["intake", "import", str(extract), "--report",
                                     str(tmp_path / "again.csv")])  # fmt: skip
    assert again.exit_code == 0 and "7 unchanged" in again.output
    assert session.exec(select(func.count()).select_from(ReleasePlan)).one() == 7


def test_a_file_that_is_not_an_extract_is_refused(command_db: None, tmp_path: Path) -> None:
    photo = tmp_path / "photo.csv"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    result = CliRunner().invoke(app, ["intake", "import", str(photo)])
    assert result.exit_code == 2
    assert "Nothing imported" in result.output
    assert not (tmp_path / "photo.csv.report.csv").exists()


def test_while_another_import_runs_nothing_is_imported_and_the_exit_says_try_later(
    command_db: None, session: Session, tmp_path: Path
) -> None:
    rows = made_up.made_up_rows(3, today=date.today(), prisons=PRISONS, officers=OFFICERS)
    content = made_up.as_csv(rows)
    running = start_run(
        session=session, actor=Actor(user_id="ops-a", role=Role.ADMIN),
        extract=read_extract("nightly.csv", content),
    )  # fmt: skip
    extract = tmp_path / "records.csv"
    extract.write_bytes(content)

    result = CliRunner().invoke(app, ["intake", "import", str(extract)], terminal_width=200)

    assert result.exit_code == 75, result.output
    assert "Nothing imported" in result.output and f"Import run {running.id}" in result.output
    assert session.exec(select(func.count()).select_from(ReleasePlan)).one() == 0
    assert not (tmp_path / "records.csv.report.csv").exists()
