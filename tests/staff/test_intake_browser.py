"""The admin's intake in Chromium against the real server: the file chosen and sent with the
page's own form, the run's page reached at once while the import goes on in the server's
background, then the finished report read and filtered, with axe's checks on each page."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, func, select

from resettlement.actors import Role
from resettlement.intake import made_up
from resettlement.models import ReleasePlan
from tests.intake.conftest import OFFICERS, PRISONS, known_staff  # noqa: F401  (the fixture)
from tests.pages.test_browser import _no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("known_staff")]


def test_an_admin_imports_a_file_in_the_browser_and_reads_the_report(
    live_server: str, chromium: Any, session: Session, tmp_path: Path
) -> None:
    from api.auth import Claims
    from api.staff.identity import COOKIE, COOKIE_PATH, encode_session, new_session

    rows = made_up.made_up_rows(3_000, today=date.today(), prisons=PRISONS, officers=OFFICERS)
    rows[7]["prison_code"] = "ZZZ"
    extract = tmp_path / "records.csv"
    extract.write_bytes(made_up.as_csv(rows))
    cookie = encode_session(new_session(Claims(sub="admin-test", role=Role.ADMIN)))
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [{"name": COOKIE, "value": cookie, "domain": "127.0.0.1", "path": COOKIE_PATH}]
    )
    page = context.new_page()
    page.goto(f"{live_server}/staff/intake")
    _no_axe_violations(page, "the intake page")

    page.get_by_label("Extract file").set_input_files(str(extract))
    page.get_by_role("button", name="Import the extract").click()
    page.wait_for_url("**/staff/intake/*")
    assert page.get_by_role("heading", name="records.csv").is_visible()
    # The answer came at once: the rows are imported in the server's background (3,000 new
    # plans take seconds), and the page says how far it has got until it has finished.
    assert "This import is running" in page.content()
    _no_axe_violations(page, "a running import's page")
    deadline = time.monotonic() + 60
    while "This import is running" in page.content() and time.monotonic() < deadline:
        time.sleep(0.5)
        page.reload()
    assert "Finished" in page.locator(".govuk-summary-list").inner_text()
    assert "3000 rows, page 1 of 30" in page.locator("caption").inner_text()
    _no_axe_violations(page, "an import run's report")

    page.get_by_role("link", name="Refused").click()
    page.wait_for_url("**outcome=refused**")
    refused = page.locator("table tbody tr")
    assert refused.count() == 1
    assert "No prison with the code ZZZ" in refused.inner_text()
    assert rows[7]["prison_number"] in refused.inner_text()
    page.goto(f"{live_server}/staff/intake")
    listed = page.locator("table tbody tr").first.inner_text()
    assert "records.csv" in listed and "Finished" in listed
    context.close()
    assert session.exec(select(func.count()).select_from(ReleasePlan)).one() == 2_999
