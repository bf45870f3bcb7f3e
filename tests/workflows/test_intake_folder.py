"""The intake flow: each new extract in the folder imported once, its report an artifact; a
file already imported (by its contents) is skipped; a file that is not an extract changes
nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from sqlalchemy import Engine, update
from sqlmodel import Session, col, func, select

from resettlement import staff
from resettlement.actors import SYSTEM
from resettlement.intake import made_up
from resettlement.intake.extract import read_extract
from resettlement.intake.importer import start_run
from resettlement.intake.models import IntakeRun
from resettlement.models import ReleasePlan
from resettlement.staff import StaffMember
from workflows.intake import intake_folder

PRISONS = ("MDI", "BWI")
OFFICERS = ("po-intake-a",)


@pytest.fixture(autouse=True)
def known_staff(session: Session) -> None:
    members = [
        StaffMember(user_id=f"governor-{p.lower()}", name=p, role="governor", prison_code=p)
        for p in PRISONS
    ] + [StaffMember(user_id=o, name=o, role="probation_officer") for o in OFFICERS]
    staff.add_missing(session=session, members=members)


def test_each_new_file_is_imported_once_with_its_report_as_an_artifact(
    flow_db: Engine, session: Session, tmp_path: Path
) -> None:
    rows = made_up.made_up_rows(12, today=date.today(), prisons=PRISONS, officers=OFFICERS)
    rows[3]["prison_code"] = "ZZZ"
    (tmp_path / "2026-12-01.csv").write_bytes(made_up.as_csv(rows))
    (tmp_path / "notes.csv").write_bytes(b"name,amount\nrent,450\n")
    (tmp_path / "readme.txt").write_text("not looked at")

    first = intake_folder(str(tmp_path))

    by_file = {r["file"]: r for r in first}
    assert set(by_file) == {"2026-12-01.csv", "notes.csv"}
    assert by_file["notes.csv"]["outcome"] == "not an extract"
    done = by_file["2026-12-01.csv"]
    assert (done["outcome"], done["created"], done["refused"]) == ("imported", 11, 1)
    assert session.exec(select(func.count()).select_from(ReleasePlan)).one() == 11

    # The same contents under another name: imported before, so skipped.
    (tmp_path / "copy.csv").write_bytes(made_up.as_csv(rows))
    second = {r["file"]: r for r in intake_folder(str(tmp_path))}
    assert second["2026-12-01.csv"]["outcome"] == "imported before"
    assert second["copy.csv"] == {
        "file": "copy.csv",
        "outcome": "imported before",
        "run": done["run"],
    }
    assert session.exec(select(func.count()).select_from(IntakeRun)).one() == 1

    async def artifact() -> object:
        async with get_client() as client:
            found = await client.read_artifacts(
                artifact_filter=ArtifactFilter(
                    key=ArtifactFilterKey(any_=[f"intake-run-{done['run']}"])
                )
            )
            return found[0]

    import asyncio

    table = asyncio.run(artifact())
    assert "ZZZ" in str(table.data) and "refused" in str(table.data)  # type: ignore[attr-defined]
    assert "11 created" in (table.description or "")  # type: ignore[attr-defined]


def test_a_file_dropped_while_another_import_runs_waits_for_the_next_sweep(
    flow_db: Engine, session: Session, tmp_path: Path
) -> None:
    rows = made_up.made_up_rows(3, today=date.today(), prisons=PRISONS, officers=OFFICERS)
    content = made_up.as_csv(rows)
    (tmp_path / "2026-12-02.csv").write_bytes(content)
    other = made_up.made_up_rows(
        2, today=date.today(), prisons=PRISONS, officers=OFFICERS, first=100
    )
    running = start_run(
        session=session, actor=SYSTEM, extract=read_extract("other.csv", made_up.as_csv(other))
    )

    (waiting,) = intake_folder(str(tmp_path))

    assert waiting["outcome"] == "waiting" and f"Import run {running.id}" in waiting["detail"]
    assert session.exec(select(func.count()).select_from(ReleasePlan)).one() == 0
    session.execute(
        update(IntakeRun).where(col(IntakeRun.id) == running.id).values(state="finished")
    )
    session.commit()
    (done,) = intake_folder(str(tmp_path))
    assert (done["outcome"], done["created"]) == ("imported", 3)
