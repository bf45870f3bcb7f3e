"""In Chromium against a real server: the officer records the person's mobile with their
consent and texts them their sign-in link; the texted link opens the person's sign-in page.
axe-core checks each page on the way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session

from resettlement import forty_eight_hours, plans
from tests.staff.test_browser import OFFICER, _officers_plan, _sign_in_as_officer, checked
from tests.staff.test_sign_in_texts import E164, RecordingNotify, _secret_in, notify

pytestmark = pytest.mark.browser
__all__ = ["checked", "notify"]  # fixtures, used by name


def test_the_officer_texts_the_link_from_the_pages(
    live_server: str,
    chromium: Any,
    checked: Callable[[Any, str], None],
    session: Session,
    plan_data: Callable[..., plans.PlanCreate],
    notify: RecordingNotify,
) -> None:
    plan = _officers_plan(session, plan_data, "Robin", "Textfield")
    assert plan.id is not None
    plans.set_night_one(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        data=plans.NightOne(accommodation_address="Flat 1, 2 Made Up Road, Leeds"),
    )
    forty_eight_hours.publish(
        session=session, actor=OFFICER, plan_id=plan.id, expected_version=plan.version
    )

    page = chromium.new_page()
    page.goto(f"{live_server}/staff/caseload")
    _sign_in_as_officer(page)
    page.goto(f"{live_server}/staff/plans/{plan.id}/48-hour-plan")
    checked(page, "48-hour plan tab")
    page.get_by_role("link", name="Record their mobile number").click()
    page.wait_for_url("**/mobile-number")
    checked(page, "mobile number")
    page.get_by_label("Mobile number").fill("07700 900123")
    page.get_by_role("button", name="Save their number").click()
    assert "without their agreement" in page.locator(".govuk-error-summary").inner_text()
    checked(page, "mobile number without consent")
    page.get_by_label("Robin agrees to be sent their sign-in link").check()
    page.get_by_role("button", name="Save their number").click()
    page.wait_for_url("**/48-hour-plan?done=mobile-recorded")
    page.get_by_role("link", name="Send the sign-in link by text message").click()
    page.wait_for_url("**/sign-in-link/text")
    checked(page, "send by text")
    assert "07700 900123" in page.locator("#send-to").inner_text()
    page.get_by_role("button", name="Send the text message").click()
    page.wait_for_url("**/48-hour-plan?done=link-texted")
    assert "sent by text message to 07700 900123" in page.locator("#link-received").inner_text()
    checked(page, "48-hour plan tab after the text")

    [message] = notify.sent
    assert message["phone_number"] == E164
    phone = chromium.new_page()
    phone.goto(f"{live_server}/plan-link/{_secret_in(message)}")
    assert "Enter your date of birth" in phone.content()
