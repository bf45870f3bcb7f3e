"""Supporters in Chromium at 390 px against a real server, axe-core on every page: the
officer names two supporters for a Welsh speaker (each link shown once) and stops one after a
check; the supporter reads the plan in Welsh; the person stops the other from their own page,
and the supporter's next request finds the link no longer works."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from faker import Faker
from sqlmodel import Session, select

from api.auth import Claims
from api.staff.identity import COOKIE, COOKIE_PATH, encode_session, new_session
from resettlement import plans
from resettlement.actors import Role
from resettlement.models import AuditEvent
from resettlement.partners.supporters import SupporterLink
from tests.pages.conftest import OFFICER, publish_plan
from tests.pages.test_browser import _no_axe_violations

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _officer_page(chromium: Any, live_server: str) -> Any:
    context = chromium.new_context(viewport=PHONE)
    identity = Claims(sub=OFFICER.user_id, role=Role.PROBATION_OFFICER)
    context.add_cookies(
        [
            {
                "name": COOKIE,
                "value": encode_session(new_session(identity)),
                "url": live_server + COOKIE_PATH,
            }
        ]
    )
    return context.new_page()


def _name(page: Any, name: str, relationship: str, answer: str) -> str:
    page.get_by_label("Their name").fill(name)
    page.get_by_label("Who they are to").fill(relationship)
    page.get_by_label("How to reach them").fill("07700 900456")
    page.get_by_label("Where they sleep on the first night").check()
    page.get_by_label("Appointments").check()
    page.get_by_label("Check question").fill("Where did we go on holiday in 2019?")
    page.get_by_label("The answer").fill(answer)
    page.get_by_label("agrees to share these parts of their plan").check()
    page.get_by_role("button", name="Name the supporter").click()
    page.get_by_role("heading", name=f"{name} is named as a supporter").wait_for()
    return str(page.locator("#supporter-link").inner_text()).strip()


def test_officer_names_and_stops_the_person_stops_and_the_supporter_reads_in_welsh(
    live_server: str,
    chromium: Any,
    session: Session,
    plan_data: Callable[..., plans.PlanCreate],
    fake: Faker,
) -> None:
    p = publish_plan(session, plan_data, fake, language="cy")
    ARTIFACTS.mkdir(exist_ok=True)

    # The officer names two supporters with the person's consent, in MoJ style pages.
    officer = _officer_page(chromium, live_server)
    officer.goto(f"{live_server}/staff/plans/{p.plan.id}")
    officer.get_by_role("link", name="See their supporters, or name one").click()
    officer.wait_for_url("**/supporters")
    _no_axe_violations(officer, "the supporters page, none yet")
    officer.get_by_role("button", name="Name the supporter").click()
    officer.locator(".govuk-error-summary").wait_for()
    assert "Enter how to reach them" in officer.locator(".govuk-error-summary").inner_text()
    _no_axe_violations(officer, "the supporters page with errors")
    sam_link = _name(officer, "Sam Made-Up", "Brother", "Tenby")
    _no_axe_violations(officer, "the link, shown once")
    officer.screenshot(path=str(ARTIFACTS / "supporter-named-390.png"), full_page=True)
    officer.get_by_role("link", name="Back to their supporters").first.click()
    kit_link = _name(officer, "Kit Made-Up", "Friend", "Rhyl")
    assert kit_link != sam_link
    officer.get_by_role("link", name="Back to their supporters").first.click()
    officer.wait_for_url("**/supporters")
    assert officer.locator("#supporters").inner_text().lower().count("active") == 2
    assert sam_link not in officer.content() and kit_link not in officer.content()
    _no_axe_violations(officer, "the supporters list")

    # Sam opens his link: the person is a Welsh speaker, so the pages are in Welsh.
    sam = chromium.new_context(viewport=PHONE).new_page()
    sam.goto(sam_link)
    assert sam.locator("html").get_attribute("lang") == "cy"
    assert sam.locator("h1").inner_text().strip() == "Where did we go on holiday in 2019?"
    _no_axe_violations(sam, "the check question in Welsh")
    sam.locator("#answer").fill("Aberystwyth")
    sam.get_by_role("button", name="Parhau").click()
    assert "Gallwch chi drio 4 gwaith eto" in sam.locator(".govuk-error-summary").inner_text()
    _no_axe_violations(sam, "a wrong answer in Welsh")
    sam.locator("#answer").fill("  tenby ")
    sam.get_by_role("button", name="Parhau").click()
    sam.wait_for_url(f"{live_server}/supporter")
    assert "Wedi'i rannu gyda Sam Made-Up" in sam.locator("h1").inner_text()
    assert sam.get_by_role("heading", name="Ble maen nhw'n cysgu ar eu noson gyntaf").is_visible()
    sam.screenshot(path=str(ARTIFACTS / "supporter-plan-cy-390.png"), full_page=True)
    _no_axe_violations(sam, "the shared plan in Welsh")

    # The officer stops Kit's link, after a check page.
    officer.get_by_role("button", name="Stop Kit Made-Up's link").click()
    officer.get_by_role("heading", name="Stop Kit Made-Up's link").wait_for()
    _no_axe_violations(officer, "the check before stopping a link")
    officer.get_by_role("button", name="Stop their link").click()
    officer.wait_for_url("**/supporters?done=revoked")
    assert "Their link is stopped" in officer.locator(".govuk-notification-banner").inner_text()
    _no_axe_violations(officer, "the list after stopping")
    kit = chromium.new_context(viewport=PHONE).new_page()
    kit.goto(kit_link)
    # A stopped link tells nothing of the plan, its language included (as a person's own).
    assert kit.locator("h1").inner_text().strip() == "This link does not work"
    _no_axe_violations(kit, "a stopped link")
    kit.get_by_role("link", name="Cymraeg").click()
    assert kit.locator("h1").inner_text().strip() == "Dydy'r ddolen hon ddim yn gweithio"
    _no_axe_violations(kit, "a stopped link, in Welsh")

    # The person signs in and stops Sam's link from their own page, in Welsh.
    person = chromium.new_context(viewport=PHONE).new_page()
    person.goto(live_server + p.path)
    person.locator('input[name="day"]').fill(str(p.date_of_birth.day))
    person.locator('input[name="month"]').fill(str(p.date_of_birth.month))
    person.locator('input[name="year"]').fill(str(p.date_of_birth.year))
    person.locator("main form button").click()
    person.wait_for_url(live_server + "/my-plan")
    supporters_list = person.locator("#supporter-list")
    assert "Sam Made-Up" in supporters_list.inner_text()
    assert "Yn gallu gweld eich cynllun" in supporters_list.inner_text()
    _no_axe_violations(person, "the person's plan with their supporters, in Welsh")
    person.get_by_role("button", name=re.compile(r"Stopio eu dolen\W+Sam Made-Up")).click()
    person.wait_for_url("**/my-plan?stopped=1*")
    assert "Mae eu dolen wedi stopio" in person.locator(".govuk-notification-banner").inner_text()
    person.screenshot(path=str(ARTIFACTS / "my-plan-supporters-cy-390.png"), full_page=True)
    _no_axe_violations(person, "the person's page after stopping a link")

    # Sam's next request, already signed in, is refused at once.
    sam.reload()
    assert sam.locator("h1").inner_text().strip() == "This link does not work"
    _no_axe_violations(sam, "the stopped link for a signed-in supporter")
    session.expire_all()
    assert all(link.revoked_at for link in session.exec(select(SupporterLink)).all())
    revoked_by = {
        a.actor for a in session.exec(select(AuditEvent)).all() if a.action == "supporter_revoked"
    }
    assert revoked_by == {OFFICER.user_id, f"leaver-link:{p.link.id}"}
