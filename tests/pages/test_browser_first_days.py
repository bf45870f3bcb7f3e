"""In Chromium at 390 px: a Welsh speaker answers the questions about their first days on their
plan's pages; their officer sees the answers on the plan page. axe-core checks every page."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from resettlement import demo, staff
from resettlement.models import ReleasePlan
from tests.pages.test_browser import PHONE_390, _fits, _no_axe_violations

pytestmark = pytest.mark.browser

OFFICER_ID = "po-ashworth"  # a demo officer: the sign-in page offers only the demo's staff


def test_a_welsh_speaker_answers_at_390px_and_the_officer_sees_the_answers(
    live_server: str, chromium: Any, published: Any, session: Session
) -> None:
    person = published(language="cy")
    plan = session.get(ReleasePlan, person.plan.id)
    plan.state = "released"  # as the release-day workflow leaves it
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
    page.get_by_role("link", name="Dywedwch wrthym sut aeth eich diwrnodau cyntaf").click()
    page.wait_for_url(live_server + "/my-plan/first-days")
    assert page.locator("h1").inner_text() == "Eich diwrnodau cyntaf allan"
    _no_axe_violations(page, "the questions in Welsh")
    _fits(page)

    page.get_by_role("button", name="Anfon fy atebion").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "Dewiswch ble wnaethoch chi gysgu ar eich noson gyntaf" in summary.inner_text()
    _no_axe_violations(page, "the questions with errors")
    _fits(page)

    page.get_by_label("Gyda theulu neu ffrindiau").check()
    page.get_by_label("Rhai ohonyn nhw").check()
    page.get_by_role("group", name="Oedd gennych chi ddogfen adnabod?").get_by_label(
        "Oedd", exact=True
    ).check()
    page.get_by_role("group", name="Oedd gennych chi arian?").get_by_label(
        "Nac oedd", exact=True
    ).check()
    page.get_by_label("Doedd dim angen dim arna i").check()
    page.get_by_label("Doedd gen i ddim gwely am y noson").check()
    page.get_by_label("Help gyda theithio").check()
    page.get_by_role("button", name="Anfon fy atebion").click()
    page.wait_for_url("**/my-plan/first-days?sent=1")
    assert "Diolch. Mae gennym eich atebion." in page.locator("h1").inner_text()
    assert page.get_by_label("Gyda theulu neu ffrindiau").is_checked()
    _no_axe_violations(page, "the answers sent")
    _fits(page)

    officer = chromium.new_context().new_page()
    officer.goto(f"{live_server}/staff/sign-in")
    officer.get_by_label(f"{OFFICER_ID} (probation officer)").check()
    officer.get_by_role("button", name="Sign in").click()
    officer.wait_for_url("**/staff/caseload")
    officer.goto(f"{live_server}/staff/plans/{plan.id}")
    section = officer.locator("main").inner_text()
    assert f"What {person.given_name} said of their first days" in section
    assert "themselves" in section
    assert "With family or friends" in section and "Help with travel" in section
    _no_axe_violations(officer, "the officer's plan page with the answers")
