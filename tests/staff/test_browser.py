"""The staff journey in Chromium against a real server: an officer takes a plan from
resettlement planning to a published 48-hour plan, assessing a Friday release on the way; the
governor approves an earlier day inside the window; the officer sees the new walk-out date.
axe-core checks every page visited."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from resettlement import demo, plans
from resettlement.actors import Actor, Role
from resettlement.models import ReleasePlan
from rules.checklists import CORE_KEYS
from tests.staff.conftest import FRIDAY, OWN_PRISON

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
OFFICER_ID = "po-ashworth"  # a demo officer: the sign-in page offers only the demo's staff
OFFICER = Actor(user_id=OFFICER_ID, role=Role.PROBATION_OFFICER)


@pytest.fixture
def checked() -> Callable[[Any, str], None]:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    seen: list[str] = []

    def check(page: Any, what: str) -> None:
        # A click starts a navigation without waiting for it: check the page that arrives.
        page.wait_for_load_state("load")
        page.locator("main").first.wait_for()
        results = axe.run(page)
        seen.append(what)
        assert results.violations_count == 0, f"{what}:\n{results.generate_report()}"

    return check


def _officers_plan(
    session: Session,
    plan_data: Callable[..., plans.PlanCreate],
    given_name: str,
    family_name: str,
    **facts: Any,
) -> ReleasePlan:
    """A plan of the demo officer's, beside the demo data the sign-in page needs."""
    demo.seed(session)
    person = {"prison_code": OWN_PRISON, "given_name": given_name, "family_name": family_name}
    return plans.open_plan(
        session=session,
        actor=OFFICER,
        data=plan_data(probation_officer_id=OFFICER_ID, person=person, **facts),
    )


def _sign_in_as_officer(page: Any) -> None:
    """On the local sign-in page, as the demo officer."""
    page.get_by_label(f"{OFFICER_ID} (probation officer)").check()
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/caseload")


def test_officer_and_governor_journey(
    live_server: str,
    chromium: Any,
    checked: Callable[[Any, str], None],
    session: Session,
    plan_data: Callable[..., plans.PlanCreate],
) -> None:
    plan = _officers_plan(session, plan_data, "Robin", "Testfield", requested_release_date=FRIDAY)
    assert plan.id is not None
    plans.transition(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        event="start_resettlement_planning",
        expected_version=plan.version,
    )
    ARTIFACTS.mkdir(exist_ok=True)

    # The officer signs in and finds the plan on their caseload.
    page = chromium.new_page()
    page.goto(f"{live_server}/staff/caseload")
    assert page.url.endswith("/staff/sign-in")
    checked(page, "sign-in")
    _sign_in_as_officer(page)
    checked(page, "caseload")
    page.screenshot(path=str(ARTIFACTS / "staff-caseload.png"), full_page=True)
    page.get_by_role("link", name="Robin Testfield").click()
    page.wait_for_url("**/staff/plans/*")
    checked(page, "plan")

    # Pressing on too early shows what is missing.
    page.get_by_role("button", name="Start pre-release").click()
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "There is a problem" in summary and "Start these checklist items" in summary
    checked(page, "plan with errors")

    for key in sorted(CORE_KEYS):
        page.locator(f'a[href$="/checklist/{key}"]').click()
        page.wait_for_url(f"**/checklist/{key}")
        if key == "accommodation":
            checked(page, "checklist item")
        page.get_by_label("In progress").check()
        page.get_by_role("button", name="Save").click()
        page.wait_for_url("**/staff/plans/*?done=checklist")
    page.get_by_role("button", name="Start pre-release").click()
    page.wait_for_url("**?done=transition")
    assert "Pre-release" in page.locator(".govuk-summary-list").first.inner_text()

    # Night one, then publish.
    page.get_by_role("link", name="Change accommodation and travel for night one").click()
    page.wait_for_url("**/night-one")
    checked(page, "night one")
    page.get_by_label("Address for the first night").fill("Flat 2, 14 Made Up Row, Leeds LS1 1AA")
    page.get_by_label("Who to ask for").fill("The duty manager")
    page.get_by_label("They can arrive from").fill("2pm")
    page.get_by_label("How they will get there").fill("Travel warrant; the station is signed.")
    page.get_by_role("button", name="Save night one").click()
    page.wait_for_url("**?done=night-one")
    page.get_by_role("button", name="Publish the 48-hour plan").click()
    page.get_by_role("heading", name="Publish the 48-hour plan").wait_for()
    checked(page, "check before publishing")
    page.get_by_role("button", name="Yes, publish it").click()
    page.wait_for_url("**?done=published-no-link")
    assert "Version 1 was published" in page.content()
    checked(page, "plan after publishing")

    # The flagged Friday release: assess with needs and submit to the governor.
    page.get_by_role("link", name="Assess this release day").click()
    page.wait_for_url("**/early-release")
    checked(page, "assessment")
    page.get_by_label("Yes").check()
    page.get_by_label("Accommodation").check()
    page.get_by_label("A long journey home").check()
    page.get_by_label("Your assessment").fill(
        "The approved premises take no new arrivals at the weekend; the journey is 3 hours."
    )
    page.get_by_label("Submit it to the governor now").check()
    page.get_by_role("button", name="Save the assessment").click()
    page.wait_for_url("**?done=submitted")
    assert "Submitted to the governor" in page.content()

    # The governor approves an earlier day inside the window.
    governor = chromium.new_context().new_page()
    governor.goto(f"{live_server}/staff/sign-in")
    governor.get_by_label("governor-mdi (governor, HMP Moorland)").check()
    governor.get_by_role("button", name="Sign in").click()
    governor.wait_for_url("**/staff/early-release")
    checked(governor, "queue")
    governor.screenshot(path=str(ARTIFACTS / "staff-governor-queue.png"), full_page=True)
    card = governor.locator(".govuk-summary-card", has_text="Robin Testfield")
    assert "3 hours" in card.inner_text()
    card.get_by_role("link", name="Decide").click()
    governor.wait_for_url("**/staff/early-release/*")
    checked(governor, "decision")
    governor.get_by_label("Approve an earlier release").check()
    governor.get_by_label("Thursday 11 March 2027").check()
    governor.get_by_label("Reasons").fill("The premises confirmed a bed from Thursday.")
    governor.get_by_role("button", name="Continue").click()
    checked(governor, "check the decision")
    governor.get_by_role("button", name="Record the decision").click()
    governor.wait_for_url("**/staff/early-release?done=decided")
    checked(governor, "queue after deciding")

    # The officer sees the new walk-out date.
    page.reload()
    summary = page.locator(".govuk-summary-list").first.inner_text()
    assert "Thursday 11 March 2027" in summary
    assert "Approved: walks out on Thursday 11 March 2027" in page.content()
    checked(page, "plan after the decision")

    # Reports: the governor's own prison, with a chart and its table.
    governor.get_by_role("link", name="Reports").click()
    governor.get_by_role("link", name="Friday and pre-bank-holiday releases").click()
    checked(governor, "reports")
    # The demo's Friday releases are all ahead: widen the period with the form.
    governor.locator("#end-year").fill(str(FRIDAY.year))
    governor.locator("#end-day").fill("31")
    governor.locator("input[name=end-month]").fill("12")
    governor.get_by_label("Break down by").select_option("sex")
    governor.get_by_role("button", name="Show the figures").click()
    governor.wait_for_url("**breakdown=sex**")
    assert governor.locator("svg.app-chart").count() == 6
    checked(governor, "report with charts")
    governor.screenshot(path=str(ARTIFACTS / "staff-report.png"), full_page=True)


def test_officer_records_the_48_hour_follow_up(
    live_server: str,
    chromium: Any,
    checked: Callable[[Any, str], None],
    session: Session,
    plan_data: Callable[..., plans.PlanCreate],
) -> None:
    plan = _officers_plan(session, plan_data, "Sam", "Followfield")
    plan.state = "released"  # as the release-day workflow leaves it
    session.add(plan)
    session.commit()

    page = chromium.new_page()
    page.goto(f"{live_server}/staff/sign-in")
    _sign_in_as_officer(page)
    page.goto(f"{live_server}/staff/plans/{plan.id}")
    page.get_by_role("link", name="Record how the first 48 hours went").click()
    page.wait_for_url("**/follow-up")
    checked(page, "follow-up")
    page.get_by_role("button", name="Record the follow-up").click()
    page.locator(".govuk-error-summary").wait_for()
    checked(page, "follow-up with errors")
    for question in (
        "Did they go to their first probation appointment?",
        "Did they spend the first night in the planned place?",
        "Are they registered with a GP?",
        "Have they made a Universal Credit claim?",
        "Do they have ID?",
        "Do they have a bank account?",
    ):
        page.get_by_role("group", name=question).get_by_label("Yes").check()
    page.get_by_role("button", name="Record the follow-up").click()
    page.get_by_role("heading", name="Check the 48-hour follow-up").wait_for()
    checked(page, "check the follow-up")
    page.get_by_role("button", name="Record the follow-up and complete the plan").click()
    page.wait_for_url("**?done=follow-up")
    checked(page, "plan after the follow-up")
    assert "the plan is complete" in page.content()
