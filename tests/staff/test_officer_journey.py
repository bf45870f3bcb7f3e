"""A probation officer's whole job with one plan, in Chromium against a real server, from the
pages alone: open a plan for someone just sentenced, take it through resettlement planning
and pre-release, fix a wrong appointment, change the release date after a new sentence
calculation, publish, issue the person's sign-in link, record the release and the follow-up,
and find each step in the plan's history. axe-core checks every page visited."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from faker import Faker
from sqlmodel import Session

from resettlement import clock, demo
from rules.checklists import CORE_KEYS
from rules.release_dates import assess

pytestmark = pytest.mark.browser

OFFICER_ID = "po-ashworth"  # a demo officer: the sign-in page offers only the demo's staff


@pytest.fixture
def checked() -> Callable[[Any, str], None]:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page: Any, what: str) -> None:
        page.wait_for_load_state("load")
        page.locator("main").first.wait_for()
        results = axe.run(page)
        assert results.violations_count == 0, f"{what}:\n{results.generate_report()}"

    return check


def _plain_day(start: date, step: int) -> date:
    """The first day from `start`, going by `step`, that the rules leave as it is and do not
    flag: a release on it opens no early-release request."""
    day = start
    while True:
        found = assess(day, "england-and-wales", term_days=900, served_days=400)
        if found.release_date == day and not found.flagged:
            return day
        day += timedelta(days=step)


def _date(page: Any, legend: str, value: date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(value.day))
    group.get_by_label("Month").fill(str(value.month))
    group.get_by_label("Year").fill(str(value.year))


def test_an_officer_takes_a_new_plan_from_sentence_to_completion(
    live_server: str,
    chromium: Any,
    checked: Callable[[Any, str], None],
    session: Session,
    fake: Faker,
) -> None:
    demo.seed(session)
    today = clock.today()
    sentenced = today - timedelta(days=400)
    first_release = _plain_day(today + timedelta(days=120), 1)
    # The new calculation brings the release to a day already reached, so it can be recorded.
    new_release = _plain_day(today, -1)
    # The first probation appointment is after today: one already past (say 2:30pm today, in
    # a run after 2:30pm) would rightly stop the plan being published.
    appointment_day = _plain_day(today + timedelta(days=1), 1)
    given, family = fake.first_name(), fake.last_name()
    prison_number = fake.bothify("?####??", letters="ABCDEFGHJKLMNPRSTUVWXYZ")

    page = chromium.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{live_server}/staff/sign-in")
    page.get_by_label(f"{OFFICER_ID} (probation officer)").check()
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/caseload")

    # A new plan, with a mistake caught by the form, then checked before it is saved.
    page.get_by_role("button", name="Open a new plan").click()
    page.wait_for_url("**/staff/plans/new")
    checked(page, "new plan")
    page.get_by_label("First name").fill(given)
    page.get_by_label("Last name").fill(family)
    _date(page, "Date of birth", date(1988, 4, 2))
    page.get_by_label("Prison number").fill(prison_number)
    page.get_by_label("Case reference number (CRN)").fill(
        fake.bothify("?######", letters="ABCDEFGHJKLMNPRSTUVWXYZ")
    )
    page.get_by_label("Prison", exact=True).select_option("MDI")
    page.get_by_label("England and Wales").check()
    page.get_by_label("A care leaver").check()
    sentence_kind = page.get_by_role("group", name="Kind of sentence")
    sentence_kind.get_by_label("Determinate", exact=True).check()
    _date(page, "Sentence date", sentenced)
    _date(page, "Release date from the sentence calculation (if known)", first_release)
    page.get_by_label("Length of the sentence in days (if known)").fill("900")
    # Monitoring answers without consent are refused.
    page.get_by_label("Sex (optional)").select_option("female")
    page.get_by_role("group", name="Did they agree to give monitoring information?").get_by_label(
        "No"
    ).check()
    page.get_by_role("button", name="Continue").click()
    page.locator(".govuk-error-summary").wait_for()
    assert "consent" in page.locator(".govuk-error-summary").inner_text()
    checked(page, "new plan with errors")
    page.get_by_role("group", name="Did they agree to give monitoring information?").get_by_label(
        "Yes"
    ).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Check your answers before opening the plan").wait_for()
    checked(page, "check your answers")
    assert f"{given} {family}" in page.locator("main").inner_text()
    page.get_by_role("button", name="Open the plan").click()
    page.wait_for_url("**/staff/plans/*?done=opened")
    checked(page, "new plan opened")
    plan_url = page.url.split("?")[0]
    assert "Sentence planning" in (page.locator(".app-badges").text_content() or "")

    # Resettlement planning, the core checklist, pre-release.
    page.get_by_role("button", name="Start resettlement planning").click()
    page.wait_for_url("**?done=transition")
    page.get_by_role("link", name="Checklist", exact=True).click()
    page.wait_for_url("**/checklist")
    checked(page, "checklist tab")
    for key in sorted(CORE_KEYS):
        page.locator(f'a[href$="/checklist/{key}"]').click()
        page.wait_for_url(f"**/checklist/{key}")
        page.get_by_label("In progress").check()
        page.get_by_role("button", name="Save").click()
        page.wait_for_url("**?done=checklist")
    page.get_by_role("button", name="Start pre-release").click()
    page.wait_for_url("**?done=transition")
    assert "Pre-release" in (page.locator(".app-badges").text_content() or "")

    # Night one, and an appointment typed with the wrong time, then fixed.
    page.get_by_role("link", name="48-hour plan", exact=True).click()
    page.wait_for_url("**/48-hour-plan")
    checked(page, "48-hour plan tab")
    page.get_by_role("link", name="Change accommodation and travel for night one").click()
    page.get_by_label("Address for the first night").fill(
        f"{fake.building_number()} {fake.street_name()}, Leeds LS1 1AA"
    )
    page.get_by_role("button", name="Save night one").click()
    page.wait_for_url("**?done=night-one")
    page.get_by_role("link", name="Add an appointment").click()
    page.get_by_label("Probation").check()
    _date(page, "Date", appointment_day)
    page.get_by_label("Time").fill("9:00")
    page.get_by_label("Where").fill("Probation office, 1 Made Up Street, Leeds")
    page.get_by_label("Who they will see").fill(fake.name())
    page.get_by_role("button", name="Add the appointment").click()
    page.wait_for_url("**?done=appointment")
    page.get_by_role("link", name=re.compile("Change or remove the Probation appointment")).click()
    page.wait_for_url("**/appointments/*")
    checked(page, "change an appointment")
    assert page.get_by_label("Time").input_value() == "09:00"
    page.get_by_label("Time").fill("14:30")
    page.get_by_role("button", name="Save the appointment").click()
    page.wait_for_url("**?done=appointment-changed")
    assert "2:30pm" in page.locator("main").inner_text()
    # Saving it again unchanged is not a change.
    page.get_by_role("link", name=re.compile("Change or remove the Probation appointment")).click()
    page.get_by_role("button", name="Save the appointment").click()
    page.wait_for_url("**?done=unchanged")
    assert "Nothing was changed" in page.locator(".govuk-notification-banner").inner_text()

    # A new sentence calculation brings the release date forward.
    page.goto(plan_url)
    page.get_by_role("link", name="Change the release date").click()
    page.wait_for_url("**/release-date")
    checked(page, "release date")
    _date(page, "New release date", new_release)
    page.get_by_label("What changed").fill("New sentence calculation: remand time credited.")
    page.get_by_role("button", name="Change the release date").click()
    page.wait_for_url("**?done=release-date")
    assert (
        f"{new_release.day} {new_release:%B %Y}"
        in page.locator(".govuk-summary-list").first.inner_text()
    )

    # Publish, through its check page; the person has no link yet and the page says so.
    page.get_by_role("button", name="Publish the 48-hour plan").click()
    page.get_by_role("heading", name="Publish the 48-hour plan").wait_for()
    checked(page, "check before publishing")
    page.get_by_role("button", name="Yes, publish it").click()
    page.wait_for_url("**?done=published-no-link")
    banner = page.locator(".govuk-notification-banner").inner_text()
    assert "no working sign-in link" in banner and "can now see it" not in banner

    # The person's link: shown once, to print, and it opens the person's sign-in page.
    page.get_by_role("button", name="Issue a sign-in link").click()
    page.get_by_role("heading", name=f"Your plan for leaving prison, {given}").wait_for()
    checked(page, "sign-in link to print")
    assert page.locator("img.app-qr").count() == 1
    assert page.locator("img.app-qr").evaluate("image => image.naturalWidth") > 0
    url = page.locator("#sign-in-link").inner_text().strip()
    assert "/plan-link/" in url
    person = chromium.new_context().new_page()
    person.goto(url.replace("http://testserver", live_server))
    assert "This link does not work" not in person.content()
    assert person.get_by_role("group", name=re.compile("date of birth", re.I)).count() == 1
    page.goto(plan_url)
    assert "Person has a working link" in (page.locator(".app-badges").text_content() or "")

    # Record the release through its check page, then the follow-up.
    page.get_by_role("button", name="Record release").click()
    page.get_by_role("heading", name="Record the release").wait_for()
    checked(page, "check before the release")
    page.get_by_role("button", name="Yes, record the release").click()
    page.wait_for_url("**?done=released")
    assert "Released" in (page.locator(".app-badges").text_content() or "")
    page.get_by_role("link", name="Record how the first 48 hours went").click()
    page.wait_for_url("**/follow-up")
    page.get_by_role("heading", name="How the first 48 hours went").wait_for()
    for group in page.locator("fieldset").all():
        group.get_by_label("Yes").check()
    page.get_by_role("button", name="Record the follow-up").click()
    page.get_by_role("heading", name="Check the 48-hour follow-up").wait_for()
    checked(page, "check the follow-up")
    page.get_by_role("button", name="Record the follow-up and complete the plan").click()
    page.wait_for_url("**?done=follow-up")
    checked(page, "completed plan")

    # A completed plan is a record: nothing on it offers a change.
    main = page.locator("main")
    assert "Closed: read only" in (page.locator(".app-badges").text_content() or "")
    for offer in ("Change or remove", "Add an appointment", "Publish the 48-hour plan", "Update"):
        assert main.get_by_text(offer).count() == 0, offer
    assert main.get_by_role("button").count() == 0

    # Every step is in the history, newest first, in words.
    page.get_by_role("link", name="History").click()
    page.wait_for_url("**/history")
    checked(page, "history")
    titles = page.locator(".moj-timeline__title").all_inner_texts()
    expected = [
        "Plan completed",
        "48-hour follow-up recorded",
        "Release recorded",
        "Sign-in link issued to the person",
        "48-hour plan published (version 1)",
        "Release date changed",
        "Probation appointment changed",
        "Probation appointment added",
        "Night one changed",
        "Moved to pre-release",
        "Moved to resettlement planning",
        "Plan opened",
    ]
    positions = [titles.index(title) for title in expected]
    assert positions == sorted(positions), titles
    assert titles.count("Probation appointment changed") == 1  # the unchanged save wrote none
    history = page.locator(".moj-timeline").inner_text()
    assert "New sentence calculation: remand time credited." in history
    # Staff are named, not shown by their user ids.
    assert "Ann Ashworth (probation officer)" in history and OFFICER_ID not in history
