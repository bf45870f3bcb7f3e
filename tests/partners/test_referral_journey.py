"""The referral journey in Chromium against a real server: the officer records the person's
consent and refers them, the partner accepts with an appointment and flags a risk, the officer
sees the flag on the caseload and the referrals page, and the person sees the accepted
appointment in their published plan. axe-core checks every page on the way."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlparse

import pytest
from sqlmodel import Session, select

from api.auth import Claims
from api.staff.identity import COOKIE, COOKIE_PATH, encode_session, new_session
from resettlement import forty_eight_hours, leaver_access, plans
from resettlement.actors import Role
from resettlement.models import Person, ReleasePlan
from resettlement.partners.referrals import Referral
from tests.partners.conftest import OFFICER, Directory

pytestmark = pytest.mark.browser

Check = Callable[[Any, str], None]
PLACE = "Made Up Housing Trust, 4 Example Lane, Leeds"


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


def _as(chromium: Any, server: str, role: Role, user: str, **claims: Any) -> Any:
    """A browser of its own, signed in as if through the identity provider."""
    context = chromium.new_context()
    identity = Claims(sub=user, role=role, **claims)
    context.add_cookies(
        [
            {
                "name": COOKIE,
                "value": encode_session(new_session(identity)),
                "domain": urlparse(server).hostname,
                "path": COOKIE_PATH,
            }
        ]
    )
    return context.new_page()


def test_officer_refers_partner_accepts_and_flags_officer_and_person_see_it(
    live_server: str,
    chromium: Any,
    checked: Check,
    session: Session,
    new_plan: Callable[..., ReleasePlan],
    directory: Directory,
) -> None:
    plan = new_plan()
    assert plan.id is not None and plan.walk_out_date is not None
    plan = plans.set_night_one(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        data=plans.NightOne(accommodation_address="Flat 1, 2 Made Up Road, Leeds"),
    )
    person = session.get(Person, plan.person_id)
    assert person is not None
    walk_out = plan.walk_out_date

    # The officer records the person's consent and refers them, then sends the referral.
    officer = _as(chromium, live_server, Role.PROBATION_OFFICER, OFFICER.user_id)
    officer.goto(f"{live_server}/staff/plans/{plan.id}")
    officer.get_by_role("link", name="See referrals, flags from partners, or refer").click()
    checked(officer, "the referrals page")
    officer.get_by_label("Night shelter referrals").check()
    officer.get_by_label("What the referral is for").select_option("accommodation")
    officer.get_by_label("What they want help with, in their words").fill(
        "A bed from the first night, near my sister."
    )
    officer.get_by_label("Where they sleep on the first night").check()
    officer.get_by_label("Appointments", exact=True).check()
    until = walk_out + timedelta(days=90)
    officer.get_by_label("Day").fill(str(until.day))
    officer.get_by_label("Month").fill(str(until.month))
    officer.get_by_label("Year").fill(str(until.year))
    officer.get_by_role("button", name="Record their consent and the referral").click()
    checked(officer, "the referral recorded")
    officer.get_by_role("button", name="Send the referral to Night shelter referrals").click()
    officer.wait_for_load_state("load")
    assert "Sent: waiting for an answer" in officer.locator("#referrals").inner_text()

    # The partner sees the person, only what was shared, accepts with an appointment, flags.
    partner = _as(
        chromium,
        live_server,
        Role.PARTNER,
        "partner-housing",
        organisation=directory.housing_org,
    )
    partner.goto(f"{live_server}/staff/partner")
    checked(partner, "the partner's referrals")
    partner.get_by_role("link", name=f"{person.given_name} {person.family_name}").click()
    checked(partner, "the partner's referral")
    assert "Flat 1, 2 Made Up Road, Leeds" in partner.locator("#shared-address").inner_text()
    assert partner.locator("#shared-health").count() == 0
    partner.get_by_label("Day").fill(str(walk_out.day))
    partner.get_by_label("Month").fill(str(walk_out.month))
    partner.get_by_label("Year").fill(str(walk_out.year))
    partner.get_by_label("Time").fill("15:30")
    partner.get_by_label("Where").fill(PLACE)
    partner.get_by_role("button", name="Accept the referral").click()
    checked(partner, "the referral accepted")
    partner.get_by_label("A risk").check()
    partner.get_by_label("What the officer needs to know").fill(
        "He told us he may not stay at the shelter because of someone who lives there."
    )
    partner.get_by_role("button", name="Flag it to the probation officer").click()
    checked(partner, "the risk flagged")
    assert "Risk flagged" in partner.locator("#referral-history").inner_text()

    # The officer's caseload shows the flag; the referrals page says what it is.
    officer.goto(f"{live_server}/staff/caseload")
    checked(officer, "the caseload with a partner's flag")
    assert "Partner flagged an issue or risk" in officer.locator("main").inner_text()
    officer.goto(f"{live_server}/staff/plans/{plan.id}/referrals")
    assert "someone who lives there" in officer.locator("#flag-list").inner_text()
    assert "Accepted" in officer.locator("#referrals").inner_text()

    # Published, the person's plan shows the accepted appointment.
    session.expire_all()
    current = session.get(ReleasePlan, plan.id)
    assert current is not None
    forty_eight_hours.publish(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=current.version,
        accept_warnings_reason="Checked with the person",
    )
    _, path = leaver_access.issue_link(session=session, actor=OFFICER, plan_id=plan.id)
    leaver = chromium.new_context().new_page()
    leaver.goto(f"{live_server}{path}")
    born = person.date_of_birth
    leaver.get_by_label("Day").fill(str(born.day))
    leaver.get_by_label("Month").fill(str(born.month))
    leaver.get_by_label("Year").fill(str(born.year))
    leaver.get_by_role("button", name="Open my plan").click()
    leaver.wait_for_url("**/my-plan")
    checked(leaver, "the person's plan")
    appointments = leaver.locator("main").inner_text()
    assert PLACE in appointments
    assert "Night shelter referrals, Made Up Housing Trust" in appointments
    referral = session.exec(select(Referral)).one()
    assert referral.state == "accepted"
