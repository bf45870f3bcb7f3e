"""In Chromium at 390 px: a Welsh speaker adds a goal of their own on their plan page and then
changes it; their officer sees it written by the person, by name, and the plan's history says
the person did both. axe-core checks every page."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from resettlement import demo, staff
from resettlement.models import ReleasePlan
from tests.pages.test_browser import PHONE_390, _fits, _no_axe_violations

pytestmark = pytest.mark.browser

OFFICER_ID = "po-ashworth"  # a demo officer: the sign-in page offers only the demo's staff


def test_a_welsh_speaker_adds_and_changes_a_goal_and_the_officer_sees_who_wrote_it(
    live_server: str, chromium: Any, published: Any, session: Session
) -> None:
    person = published(language="cy")
    plan = session.get(ReleasePlan, person.plan.id)
    assert plan is not None
    plan.probation_officer_id = OFFICER_ID
    session.add(plan)
    session.commit()
    staff.add_missing(session=session, members=demo.demo_staff())

    page = chromium.new_context(viewport=PHONE_390).new_page()
    page.goto(live_server + person.path)
    assert page.locator("html").get_attribute("lang") == "cy"
    page.locator("input[name=day]").fill(str(person.date_of_birth.day))
    page.locator("input[name=month]").fill(str(person.date_of_birth.month))
    page.locator("input[name=year]").fill(str(person.date_of_birth.year))
    page.locator("main button.govuk-button").click()
    page.wait_for_url(live_server + "/my-plan")
    goals = page.locator("#goal-list")
    assert "Wedi'i ysgrifennu gan eich swyddog prawf" in goals.inner_text()

    page.get_by_role("button", name="Ychwanegu nod").click()
    page.wait_for_url(live_server + "/my-plan/goals/new")
    assert page.locator("h1").inner_text() == "Ychwanegu nod"
    _no_axe_violations(page, "adding a goal, in Welsh")
    _fits(page)

    # Sent empty: the error summary names both things to fix and links to the first.
    page.get_by_role("button", name="Cadw eich nod").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "Dewiswch beth yw pwnc eich nod" in summary.inner_text()
    assert "Ysgrifennwch eich nod" in summary.inner_text()
    _no_axe_violations(page, "the goal form with errors")
    _fits(page)

    page.get_by_label("Chwaraeon a chadw'n heini").check()
    page.get_by_label("Eich nod, yn eich geiriau eich hun").fill(
        "Mynd yn ôl i focsio yn y clwb ger tŷ fy mam."
    )
    page.get_by_role("button", name="Cadw eich nod").click()
    page.wait_for_url("**/my-plan?goal=added#goals")
    assert "Mae eich nod wedi cael ei ychwanegu." in page.locator("main").inner_text()
    mine = page.locator(".govuk-summary-list__row", has_text="Mynd yn ôl i focsio")
    assert "Wedi'i ysgrifennu gennych chi" in mine.inner_text()
    _no_axe_violations(page, "the plan with the new goal")
    _fits(page)

    mine.get_by_role("link", name="Newid").click()
    page.wait_for_url("**/my-plan/goals/*/change")
    assert page.locator("h1").inner_text() == "Newid eich nod"
    words = page.get_by_label("Eich nod, yn eich geiriau eich hun")
    assert words.input_value() == "Mynd yn ôl i focsio yn y clwb ger tŷ fy mam."
    _no_axe_violations(page, "changing a goal, in Welsh")
    _fits(page)
    words.fill("Mynd yn ôl i focsio ddwywaith yr wythnos.")
    page.get_by_role("button", name="Cadw eich nod").click()
    page.wait_for_url("**/my-plan?goal=changed#goals")
    assert "Mynd yn ôl i focsio ddwywaith yr wythnos." in page.locator("#goal-list").inner_text()
    _fits(page)

    officer = chromium.new_context().new_page()
    officer.goto(f"{live_server}/staff/sign-in")
    officer.get_by_label(f"{OFFICER_ID} (probation officer)").check()
    officer.get_by_role("button", name="Sign in").click()
    officer.wait_for_url("**/staff/caseload")
    officer.goto(f"{live_server}/staff/plans/{plan.id}")
    theirs = officer.locator(".app-goal", has_text="Mynd yn ôl i focsio ddwywaith yr wythnos.")
    tag = theirs.locator(".app-goal__by").inner_text()
    assert tag.startswith(f"Written by {person.given_name} ")
    staff_goal = officer.locator(".app-goal", has_text="See my kids every weekend.")
    assert staff_goal.locator(".app-goal__by").inner_text() == "Written by po-test"
    _no_axe_violations(officer, "the officer's plan page with who wrote each goal")

    officer.goto(f"{live_server}/staff/plans/{plan.id}/history")
    history = officer.locator(".moj-timeline").inner_text()
    assert "Sport goal added by the person" in history
    assert "Sport goal changed by the person" in history
    assert f"by {person.given_name} " in history and "(the person)" in history
    assert "Changed the words." in history
    _no_axe_violations(officer, "the plan's history with the person's changes")
