"""The admin's intake page: upload an extract, read the report of every row, download it as
CSV; only admins; a file that is not an extract is refused on the page and changes nothing."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import Engine, event
from sqlmodel import Session, func, select

from resettlement.intake import importer, made_up
from resettlement.intake.extract import read_extract
from resettlement.intake.models import IntakeRowOutcome, RunState
from resettlement.models import AuditEvent, ReleasePlan
from tests.intake.conftest import ADMIN, OFFICERS, PRISONS, known_staff  # noqa: F401  (the fixture)
from tests.staff.conftest import Browser, csrf_of

SignedIn = Callable[[str], Browser]
pytestmark = pytest.mark.usefixtures("known_staff")


def upload(browser: Browser, name: str, content: bytes) -> object:
    page = browser.get("/staff/intake")
    assert page.status_code == 200
    return browser.client.post(
        "/staff/intake",
        data={"csrf_token": csrf_of(page.text)},
        files={"extract": (name, content, "text/csv")},
    )


def test_an_admin_uploads_an_extract_and_reads_every_row(
    signed_in: SignedIn, session: Session
) -> None:
    rows = made_up.made_up_rows(30, today=date.today(), prisons=PRISONS, officers=OFFICERS)
    rows[4]["prison_code"] = "ZZZ"
    admin = signed_in("admin")

    sent = upload(admin, "records.csv", made_up.as_csv(rows))

    assert sent.status_code == 303  # type: ignore[attr-defined]
    where = sent.headers["location"]  # type: ignore[attr-defined]
    page = admin.get(where)
    assert page.status_code == 200
    assert "records.csv" in page.text and "intake-run-" in page.text
    refused = admin.get(where + "?outcome=refused")
    assert "No prison with the code ZZZ" in refused.text
    assert rows[4]["prison_number"] in refused.text
    assert rows[0]["prison_number"] not in refused.text
    assert session.exec(select(func.count()).select_from(ReleasePlan)).one() == 29
    report = admin.get(where + "/report.csv")
    assert report.headers["content-type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(report.text)))
    assert len(lines) == 30
    assert [ln["outcome"] for ln in lines].count("refused") == 1
    assert next(ln for ln in lines if ln["outcome"] == "refused")["field"] == "prison_code"
    # Reading the report is audited: it names people.
    reads = session.exec(
        select(AuditEvent).where(
            AuditEvent.actor == "admin-test", AuditEvent.object_type == "intake_run"
        )
    ).all()
    assert {e.action for e in reads} == {"import", "read"}
    listing = admin.get("/staff/intake")
    assert "records.csv" in listing.text


def test_a_file_that_is_not_an_extract_is_refused_on_the_page(
    signed_in: SignedIn, session: Session
) -> None:
    admin = signed_in("admin")
    # A binary file is refused at the edge (api/nul_characters.py) before any route runs.
    binary = upload(admin, "photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00")
    assert binary.status_code == 422  # type: ignore[attr-defined]
    sent = upload(admin, "budget.csv", b"name,amount\nrent,450\n")
    assert sent.status_code == 422  # type: ignore[attr-defined]
    assert "was not imported" in sent.text  # type: ignore[attr-defined]
    assert 'href="#extract"' in sent.text  # type: ignore[attr-defined]
    assert "no prison_number" in sent.text  # type: ignore[attr-defined]
    assert session.exec(select(func.count()).select_from(ReleasePlan)).one() == 0
    nothing = upload(admin, "", b"")
    assert nothing.status_code == 422  # type: ignore[attr-defined]


def test_only_admins_import(signed_in: SignedIn) -> None:
    for who in ("officer", "governor"):
        assert signed_in(who).get("/staff/intake").status_code == 403
    assert signed_in("admin").get("/staff/intake/999").status_code == 404


def test_an_upload_while_another_import_runs_is_refused_on_the_page(
    signed_in: SignedIn, session: Session
) -> None:
    rows = made_up.made_up_rows(4, today=date.today(), prisons=PRISONS, officers=OFFICERS)
    running = importer.start_run(
        session=session, actor=ADMIN, extract=read_extract("nightly.csv", made_up.as_csv(rows))
    )
    admin = signed_in("admin")

    sent = upload(admin, "records.csv", made_up.as_csv(rows))

    assert sent.status_code == 409  # type: ignore[attr-defined]
    text = sent.text  # type: ignore[attr-defined]
    assert 'href="#extract"' in text
    assert f"Import run {running.id} (nightly.csv" in text and "0 of 4 rows done" in text
    assert session.exec(select(func.count()).select_from(ReleasePlan)).one() == 0
    # The running run's page says so, and shows its progress; the list tags it.
    page = admin.get(f"/staff/intake/{running.id}")
    assert "This import is running: 0 of 4 rows done" in page.text
    assert "Running</strong>" in admin.get("/staff/intake").text


def test_a_stopped_run_says_what_to_do(signed_in: SignedIn, session: Session) -> None:
    rows = made_up.made_up_rows(4, today=date.today(), prisons=PRISONS, officers=OFFICERS)
    run = importer.start_run(
        session=session, actor=ADMIN, extract=read_extract("nightly.csv", made_up.as_csv(rows))
    )
    run.state = RunState.STOPPED.value
    session.add(run)
    session.commit()

    page = signed_in("admin").get(f"/staff/intake/{run.id}")

    assert "This import stopped after 0 of 4 rows" in page.text
    assert "Import the same file again to finish" in page.text


def test_a_long_report_is_read_a_page_at_a_time(
    signed_in: SignedIn, session: Session, engine: Engine
) -> None:
    rows = made_up.made_up_rows(250, today=date.today(), prisons=PRISONS, officers=OFFICERS)
    for bad in (10, 120, 240):
        rows[bad]["prison_code"] = "ZZZ"
    admin = signed_in("admin")
    where = upload(admin, "records.csv", made_up.as_csv(rows)).headers["location"]  # type: ignore[attr-defined]
    loaded: list[int] = []

    def seen(row: IntakeRowOutcome, _context: object) -> None:
        loaded.append(row.line)

    event.listen(IntakeRowOutcome, "load", seen)
    try:
        third = admin.get(where + "?page=3")
        refused = admin.get(where + "?outcome=refused")
        past_the_end = admin.get(where + "?page=99")
    finally:
        event.remove(IntakeRowOutcome, "load", seen)
    # Only the rows shown are read from the database, not the run's whole report.
    assert loaded[:50] == list(range(202, 252))  # line 1 is the header
    assert loaded[50:53] == [12, 122, 242]
    assert "250 rows, page 3 of 3" in third.text
    assert "3 rows" in refused.text and "No prison with the code ZZZ" in refused.text
    assert "page 3 of 3" in past_the_end.text
    assert third.text.count('<tr class="govuk-table__row">') == 1 + 50
