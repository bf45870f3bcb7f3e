"""The directory in Chromium against a real server: a coordinator starts their prison's
directory, loads a made-up council file (and sees a bad one refused record by record); the
officer sees who is open over a Friday release; the person sees who is open on their first
weekend. axe-core checks every page visited."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from faker import Faker
from sqlmodel import Session

from resettlement import demo, plans, staff
from resettlement.partners.sample_directory import made_up_directory
from tests.pages.conftest import publish_plan
from tests.staff.test_browser import OFFICER, OFFICER_ID

pytestmark = pytest.mark.browser


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


def test_a_coordinator_loads_a_directory_and_people_see_who_is_open(
    live_server: str,
    chromium: Any,
    checked: Callable[[Any, str], None],
    session: Session,
    plan_data: Callable[..., plans.PlanCreate],
    tmp_path: Path,
) -> None:
    staff.add_missing(session=session, members=demo.demo_staff())
    good = tmp_path / "doncaster.json"
    good.write_text(json.dumps(made_up_directory("Doncaster", 31)))
    bad_services = made_up_directory("Doncaster", 32)
    bad_services[4]["regular_schedules"][0]["opens_at"] = "half nine"
    bad = tmp_path / "broken.json"
    bad.write_text(json.dumps(bad_services))

    # The coordinator signs in and starts HMP Moorland's directory for Doncaster.
    page = chromium.new_page()
    page.goto(f"{live_server}/staff/sign-in")
    page.get_by_label("coord-mdi (directory coordinator, HMP Moorland)").check()
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/directory")
    checked(page, "directories, none yet")
    page.get_by_label("Release area").fill("Doncaster")
    page.get_by_label("England and Wales").check()
    page.get_by_role("button", name="Start the directory").click()
    page.wait_for_url("**/staff/directory/*")
    checked(page, "an empty directory")

    # A broken file: nothing loads, each bad record is named.
    page.get_by_label("Open Referral UK file").set_input_files(str(bad))
    page.get_by_role("button", name="Load the directory").click()
    page.get_by_role("heading", name="Problems in the file").wait_for()
    assert "half nine" in page.locator("#main-content").inner_text()
    assert page.locator("#services").count() == 0
    checked(page, "a refused file")

    # The council's file as published: loaded, with its report.
    page.get_by_label("Open Referral UK file").set_input_files(str(good))
    page.get_by_role("button", name="Load the directory").click()
    page.get_by_role("heading", name="The directory was loaded").wait_for()
    assert "10 services from 10 organisations" in page.locator("#import-report").inner_text()
    assert page.locator("#services tbody tr").count() == 10
    checked(page, "a loaded directory")
    page.get_by_role("link", name="Add a service").click()
    checked(page, "the add-a-service form")

    # The officer's Friday 18 December 2026 release: who is open over the weekend.
    plan = plans.open_plan(
        session=session,
        actor=OFFICER,
        data=plan_data(
            probation_officer_id=OFFICER_ID,
            person={"prison_code": "MDI", "given_name": "Robin", "family_name": "Testfield"},
            requested_release_date=date(2026, 12, 18),
        ),
    )
    officer = chromium.new_context().new_page()
    officer.goto(f"{live_server}/staff/sign-in")
    officer.get_by_label(f"{OFFICER_ID} (probation officer)").check()
    officer.get_by_role("button", name="Sign in").click()
    officer.wait_for_url("**/staff/caseload")
    officer.goto(f"{live_server}/staff/plans/{plan.id}")
    section = officer.locator(".app-who-is-open")
    section.wait_for()
    text = section.inner_text()
    assert "Open on Friday 9am to 5pm, then closed until Monday" in text
    assert "Open on Saturday 10am to 2pm" in text
    checked(officer, "the officer's plan page")

    # The person, signed in with their link, sees who is open in their first 2 days.
    fake = Faker("en_GB")
    fake.seed_instance(33)
    published = publish_plan(session, plan_data, fake)
    person = chromium.new_context().new_page()
    person.goto(live_server + published.path)
    person.get_by_label("Day").fill(str(published.date_of_birth.day))
    person.get_by_label("Month").fill(str(published.date_of_birth.month))
    person.get_by_label("Year").fill(str(published.date_of_birth.year))
    person.get_by_role("button", name="Open my plan").click()
    person.get_by_role("heading", name="Who is open in your first 2 days").wait_for()
    assert "Open 24 hours" in person.locator("#main-content").inner_text()
    checked(person, "the person's plan")
    person.goto(live_server + "/my-plan?lang=cy")
    person.get_by_role("heading", name="Pwy sydd ar agor yn eich 2 ddiwrnod cyntaf").wait_for()
    checked(person, "the person's plan in Welsh")
