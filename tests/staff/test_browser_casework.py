"""Casework pages in Chromium against a real server: the caseload's search, filters, sorting
and paging; a governor opening the plan behind a request and deciding it through the check
step; an admin reading the audit trail. axe-core checks every page visited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import Session

from resettlement import demo, plans
from resettlement.actors import Actor, Role
from resettlement.models import Person
from tests.staff.conftest import FRIDAY, OWN_PRISON

pytestmark = pytest.mark.browser

OFFICER_ID = "po-ashworth"  # a demo officer: the sign-in page offers only the demo's staff
OFFICER = Actor(user_id=OFFICER_ID, role=Role.PROBATION_OFFICER)
Check = Callable[[Any, str], None]


@pytest.fixture
def checked() -> Check:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page: Any, what: str) -> None:
        page.wait_for_load_state("load")
        page.locator("main").first.wait_for()
        results = axe.run(page)
        assert results.violations_count == 0, f"{what}:\n{results.generate_report()}"

    return check


def _sign_in(page: Any, server: str, label: str) -> None:
    page.goto(f"{server}/staff/sign-in")
    page.get_by_label(label).check()
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")


def _names(page: Any) -> list[str]:
    return [
        text.strip() for text in page.locator("table.app-caseload tbody th a").all_inner_texts()
    ]


def test_officer_searches_filters_sorts_and_pages_the_caseload(
    live_server: str,
    chromium: Any,
    checked: Check,
    session: Session,
    plan_data: Callable[..., plans.PlanCreate],
) -> None:
    demo.seed(session)
    start = date(2027, 4, 7)  # a Wednesday
    for n in range(20):
        plans.open_plan(
            session=session,
            actor=OFFICER,
            data=plan_data(
                probation_officer_id=OFFICER_ID,
                person={"prison_code": OWN_PRISON, "family_name": f"Pagefield{n:02d}"},
                requested_release_date=start + timedelta(days=7 * n),
            ),
        )
    page = chromium.new_page()
    _sign_in(page, live_server, f"{OFFICER_ID} (probation officer)")
    page.wait_for_url("**/staff/caseload")
    checked(page, "caseload")
    assert len(_names(page)) == 25
    results = page.locator(".moj-pagination__results").inner_text()
    assert results.startswith("Showing 1 to 25 of ")

    page.get_by_role("link", name="Next").first.click()
    page.wait_for_url("**page=2**")
    checked(page, "caseload page 2")
    assert "Showing 26 to" in page.locator(".moj-pagination__results").inner_text()

    page.get_by_label("Name or prison number").fill("pagefield0")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**q=pagefield0**")
    checked(page, "caseload searched")
    assert len(_names(page)) == 10 and all("Pagefield0" in n for n in _names(page))

    page.get_by_role("link", name="Person").click()
    page.wait_for_url("**sort=person**")
    page.get_by_role("link", name="Person").click()
    page.wait_for_url("**order=descending**")
    checked(page, "caseload sorted")
    assert _names(page)[0].endswith("Pagefield09")
    assert page.locator('th[aria-sort="descending"]').inner_text().startswith("Person")

    page.get_by_role("link", name="Clear filters").click()
    page.get_by_label("Friday release").check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**flag=friday**")
    checked(page, "caseload filtered")
    flags = page.locator("table.app-caseload tbody tr").all_inner_texts()
    assert flags and all("Friday release" in row for row in flags)

    page.get_by_role("link", name="Show completed and cancelled plans").click()
    page.wait_for_url("**stage=completed**")
    checked(page, "closed plans")
    stages = page.locator("table.app-caseload tbody td:nth-child(3)").all_inner_texts()
    assert stages and set(stages) <= {"Completed", "Cancelled"}

    # A mistyped address and a page for another role: pages with the menu and sign-out.
    for path, status in (("/staff/caseloda", 404), ("/staff/audit", 403)):
        response = page.goto(f"{live_server}{path}")
        assert response is not None and response.status == status
        checked(page, f"{status} page")
        assert page.get_by_role("link", name="Caseload").count() == 1
        assert page.get_by_role("button", name="Sign out").count() == 1


def test_governor_reads_the_plan_decides_through_the_check_step_and_finds_the_decision(
    live_server: str,
    chromium: Any,
    checked: Check,
    session: Session,
    plan_data: Callable[..., plans.PlanCreate],
) -> None:
    from tests.staff.test_pages import _submitted

    demo.seed(session)
    plan = plans.open_plan(
        session=session,
        actor=OFFICER,
        data=plan_data(
            probation_officer_id=OFFICER_ID,
            person={"prison_code": OWN_PRISON, "given_name": "Rowan", "family_name": "Checkley"},
            requested_release_date=FRIDAY,
        ),
    )
    _submitted(session, plan)

    page = chromium.new_page()
    _sign_in(page, live_server, "governor-mdi (governor, HMP Moorland)")
    page.wait_for_url("**/staff/early-release")
    card = page.locator(".govuk-summary-card", has_text="Rowan Checkley")
    card.get_by_role("link", name="Decide").click()
    page.wait_for_url("**/staff/early-release/*")
    checked(page, "decision")
    page.get_by_role("link", name="Open the plan for Rowan Checkley").click()
    page.wait_for_url("**/plan")
    checked(page, "plan behind the request")
    assert "Only the probation officer named on it can change it." in page.content()
    assert page.get_by_role("button").all_inner_texts() == ["Sign out"]
    page.get_by_role("link", name="Back to the request").click()

    page.get_by_label("Refuse").check()
    page.get_by_label("Reasons").fill("The approved premises can take them on the Friday.")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Check your decision").wait_for()
    checked(page, "check the decision")
    page.get_by_role("button", name="Change your decision").click()
    page.get_by_role("heading", name="Decide on the early release").wait_for()
    assert page.get_by_label("Refuse").is_checked()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_url("**/staff/early-release?done=decided")
    checked(page, "queue after deciding")

    page.get_by_role("link", name="Decided requests").first.click()
    page.wait_for_url("**/staff/early-release/decided")
    checked(page, "decided requests")
    row = page.locator("table.app-decided tbody tr", has_text="Rowan Checkley")
    assert "refused" in row.inner_text().lower()  # the badge shows it in capitals
    assert "The approved premises can take them on the Friday." in row.inner_text()
    row.get_by_role("link", name="Rowan Checkley").click()
    page.wait_for_url("**/staff/early-release/*")
    checked(page, "decided request")
    assert page.get_by_role("heading", level=1).inner_text() == "Early-release decision"

    # An admin finds those reads in the audit trail.
    prison_number = session.get(Person, plan.person_id).prison_number  # type: ignore[union-attr]
    admin = chromium.new_context().new_page()
    _sign_in(admin, live_server, "admin-demo (administrator)")
    admin.get_by_role("link", name="Audit trail").click()
    admin.wait_for_url("**/staff/audit")
    checked(admin, "audit trail")
    admin.get_by_label("Who (user id)").fill("governor-mdi")
    admin.get_by_label("Person or plan").fill(prison_number)
    admin.get_by_label("Action").fill("read")
    admin.get_by_role("button", name="Apply filters").click()
    admin.wait_for_url("**action=read**")
    checked(admin, "audit trail filtered")
    rows = admin.locator("table.app-audit tbody tr").all_inner_texts()
    assert any(f"Plan\t{plan.id}" in r or f"Plan {plan.id}" in r for r in rows), rows
    assert all("governor-mdi" in r and "read" in r for r in rows), rows
    assert len(rows) >= 3  # the decision page, the plan behind it, the decided request
