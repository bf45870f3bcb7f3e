"""The person's journey in a real browser: Debian's Chromium driven by Playwright against the
app served by uvicorn, with axe-core checking each page (WCAG 2.2 AA).

Needs /usr/bin/chromium (`apt-get install -y chromium`); never `playwright install`.
Select with `-m browser`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import vobject

from tests.pages.conftest import DECEMBER_PROBATION, JUNE_MENTAL_HEALTH

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 375, "height": 812}
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}

pytestmark = [
    pytest.mark.browser,
]


# The brief's phone: pages for the person are read at 390 px.
PHONE_390 = {"width": 390, "height": 844}


def _fits(page) -> None:
    # Nothing wider than the phone: no sideways scrolling at 390 px.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_390["width"]


def _no_axe_violations(page, name: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_OPTIONS)
    violations = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
    ]
    assert violations == [], f"axe found problems on {name}: {violations}"


def test_a_person_signs_in_reads_their_plan_in_welsh_gets_the_calendar_and_prints_it(
    live_server, chromium, published
):
    p = published()
    context = chromium.new_context(viewport=PHONE, accept_downloads=True)
    page = context.new_page()
    outside = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if not request.url.startswith((live_server, "data:"))
            else None
        ),
    )

    page.goto(live_server + p.path)
    assert page.locator("h1").inner_text() == "Enter your date of birth"
    _no_axe_violations(page, "the sign-in step")

    # A wrong date first: an error summary, and the count of tries left.
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("1")
    page.get_by_label("Year").fill("1950")
    page.get_by_role("button", name="Open my plan").click()
    assert "You can try 4 more times" in page.locator(".govuk-error-summary").inner_text()
    _no_axe_violations(page, "the sign-in step with an error")

    page.get_by_label("Day").fill(str(p.date_of_birth.day))
    page.get_by_label("Month").fill(str(p.date_of_birth.month))
    page.get_by_label("Year").fill(str(p.date_of_birth.year))
    page.get_by_role("button", name="Open my plan").click()
    page.wait_for_url(live_server + "/my-plan")
    assert page.locator("h1").inner_text().endswith("Your plan for your first 2 days")
    assert page.get_by_text("Friday 18 December, 10am").first.is_visible()
    # GOV.UK Frontend's stylesheet and fonts loaded under the page's policy.
    font = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert "GDS Transport" in font
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "plan-375.png"), full_page=True)
    page.screenshot(path=str(ARTIFACTS / "plan-375-first-screen.png"))
    page.locator("figure.app-route").screenshot(path=str(ARTIFACTS / "plan-375-map.png"))
    _no_axe_violations(page, "the plan")

    page.get_by_role("link", name="Cymraeg").click()
    page.wait_for_url(live_server + "/my-plan?lang=cy")
    assert page.locator("html").get_attribute("lang") == "cy"
    assert page.get_by_text("Dydd Gwener 18 Rhagfyr, 10yb").first.is_visible()
    page.screenshot(path=str(ARTIFACTS / "plan-375-cy.png"), full_page=True)
    _no_axe_violations(page, "the plan in Welsh")
    page.goto(live_server + "/my-plan?lang=en")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Add your appointments to your phone's calendar").click()
    calendar = vobject.readOne(Path(download_info.value.path()).read_text())
    # Appointments have times; the walk-out day is an all-day event.
    starts = {
        event.dtstart.value.astimezone(UTC)
        for event in calendar.vevent_list
        if isinstance(event.dtstart.value, datetime)
    }
    assert {DECEMBER_PROBATION, JUNE_MENTAL_HEALTH} <= starts

    page.goto(live_server + "/my-plan/print")
    qr = page.locator("img.app-qr")
    assert qr.is_visible()
    assert qr.evaluate("image => image.complete && image.naturalWidth > 0")
    _no_axe_violations(page, "the print view")
    page.emulate_media(media="print")
    assert not page.locator(".govuk-header").is_visible()
    pdf = page.pdf(format="A4")
    pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    assert 1 <= pages <= 3, pages
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 794, "height": 1123})
    page.screenshot(path=str(ARTIFACTS / "print-a4.png"), full_page=True)

    assert outside == [], f"the pages called outside services: {outside}"
    context.close()


def test_a_revoked_link_fails_safely_in_the_browser(live_server, chromium, session, published):
    from resettlement import leaver_access
    from tests.pages.conftest import OFFICER

    p = published()
    leaver_access.revoke_link(session=session, actor=OFFICER, link_id=p.link.id)
    page = chromium.new_page(viewport=PHONE)
    page.goto(live_server + p.path)
    assert page.locator("h1").inner_text() == "This link does not work"
    assert page.get_by_text("Call your probation officer.").is_visible()
    assert p.given_name not in page.content()
    _no_axe_violations(page, "the link that does not work")
    page.close()
