"""The coordinator's pages: start a directory, load an Open Referral UK file and read its
report (or each bad record), add and change a service; nobody else's prison, nobody else."""

from __future__ import annotations

import json
from datetime import date

from resettlement.actors import Role
from resettlement.partners.sample_directory import made_up_directory

from .conftest import Browser, csrf_of


def _coordinator(client) -> Browser:
    return Browser(client).use_token(Role.COORDINATOR, "coord-mdi", prison="MDI")


def _start(browser: Browser) -> str:
    browser.get("/staff/directory")
    response = browser.post(
        "/staff/directory", {"area": "Doncaster", "nation": "england-and-wales"}
    )
    assert response.status_code == 303, response.text
    return response.headers["location"]


def _upload(browser: Browser, where: str, services) -> object:
    content = services if isinstance(services, bytes) else json.dumps(services).encode()
    page = browser.get(where)
    version = page.text.split('name="expected_version" value="')[1].split('"')[0]
    response = browser.client.post(
        where + "/import",
        data={"csrf_token": csrf_of(page.text), "expected_version": version},
        files={"file": ("doncaster.json", content, "application/json")},
    )
    browser.last = response.text
    return response


def test_a_coordinator_loads_a_directory_and_reads_its_report(client):
    browser = _coordinator(client)
    where = _start(browser)
    response = _upload(browser, where, made_up_directory("Doncaster", 11))
    assert response.status_code == 200, response.text
    assert "The directory was loaded" in response.text
    assert "10 services from 10 organisations" in response.text
    assert "Mon to Fri 9am to 5pm" in response.text
    assert "Every day all day" in response.text
    exported = browser.client.get(where + "/export")
    assert exported.headers["content-disposition"].endswith('-doncaster-open-referral.json"')
    assert len(json.loads(exported.text)["content"]) == 10


def test_a_bad_file_lists_each_problem_and_loads_nothing(client):
    browser = _coordinator(client)
    where = _start(browser)
    bad = made_up_directory("Doncaster", 12)
    bad[0]["regular_schedules"][0]["weekday"] = 0
    bad[9]["holiday_schedules"] = [{"id": "h", "closed": "perhaps", "start_date": "2026-12-25"}]
    response = _upload(browser, where, bad)
    assert response.status_code == 422
    assert "There is a problem" in response.text
    assert "Problems in the file" in response.text
    assert "regular_schedules[0].weekday" in response.text
    assert "holiday_schedules[0].end_date" in response.text
    assert "holiday_schedules[0].closed" in response.text
    assert "No services yet" in response.text
    nothing = _upload(browser, where, b"")
    assert nothing.status_code == 422


def test_a_coordinator_adds_and_changes_a_service_by_hand(client):
    browser = _coordinator(client)
    where = _start(browser)
    browser.get(where + "/services/new")
    form = {
        "organisation_name": "Doncaster Food Project",
        "name": "Saturday food bank",
        "needs": ["food"],
        "phone": "0114 496 0123",
        "day-6-opens": "10:00",
        "day-6-closes": "14:00",
        "holidays": "26 12 2026\n2 1 2027 10:00-12:00",
    }
    bad = browser.post(where + "/services/new", {**form, "day-6-closes": "late", "needs": []})
    assert bad.status_code == 422
    assert "Enter Saturday&#39;s opening and closing times" in bad.text
    assert "Select what the service helps with." in bad.text
    added = browser.post(where + "/services/new", form)
    assert added.status_code == 303, added.text
    page = browser.get(where)
    assert "Saturday food bank" in page.text and "Sat 10am to 2pm" in page.text
    link = page.text.split('href="/staff/directory/services/')[1].split('"')[0]
    edit = browser.get(f"/staff/directory/services/{link}")
    assert "2 1 2027 10:00-12:00" in edit.text
    version = edit.text.split('name="expected_version" value="')[1].split('"')[0]
    changed = browser.post(
        f"/staff/directory/services/{link}",
        {**form, "name": "Food bank", "expected_version": version},
    )
    assert changed.status_code == 303
    # The same stale form again: someone else's change is not overwritten.
    stale = browser.client.post(
        f"/staff/directory/services/{link}",
        data={**form, "csrf_token": csrf_of(edit.text), "expected_version": version},
    )
    assert stale.status_code == 409
    assert "Someone else changed this service" in stale.text


def test_other_prisons_and_other_roles_cannot_reach_the_directory(client, app):
    from fastapi.testclient import TestClient

    where = _start(_coordinator(client))
    with TestClient(app, follow_redirects=False) as other_client:
        other = Browser(other_client).use_token(Role.COORDINATOR, "coord-bwi", prison="BWI")
        assert other.get(where).status_code == 404
        assert other.get(where + "/export").status_code == 404
    with TestClient(app, follow_redirects=False) as officer_client:
        officer = Browser(officer_client).use_token(Role.PROBATION_OFFICER, "po-test")
        assert officer.get("/staff/directory").status_code == 403
        assert officer.get(where).status_code == 403


def test_the_officer_sees_who_is_open_on_the_plan_page(client, new_plan):
    coordinator = _coordinator(client)
    where = _start(coordinator)
    assert _upload(coordinator, where, made_up_directory("Doncaster", 13)).status_code == 200
    plan = new_plan(requested_release_date=date(2026, 12, 18))
    officer = Browser(client).use_token(Role.PROBATION_OFFICER, "po-test")
    page = officer.get(f"/staff/plans/{plan.id}")
    assert page.status_code == 200
    assert "Who is open in their first 48 hours" in page.text
    assert "Open on Friday 9am to 5pm, then closed until Monday" in page.text
    assert "Open on Saturday 10am to 2pm" in page.text
    assert "Out of hours: 0808 157 0" in page.text


def test_a_withdrawn_service_is_listed_under_its_tag_and_offered_to_no_one(
    client, session, new_plan
):
    from sqlmodel import select

    from resettlement.partners.models import DirectoryService
    from tests.partners.conftest import Directory, referrer

    coordinator = _coordinator(client)
    where = _start(coordinator)
    first = made_up_directory("Doncaster", 7)
    assert _upload(coordinator, where, first).status_code == 200
    line = "24-hour homelessness line, Doncaster"
    service = session.exec(select(DirectoryService).where(DirectoryService.name == line)).one()
    plan = new_plan(requested_release_date=date(2026, 12, 18))
    referrer(session, Directory(0, 0, 0, 0))(plan, service_id=service.id)
    # The council's next file no longer lists the line: it stays, for the referral to it.
    assert _upload(coordinator, where, [s for s in first if s["name"] != line]).status_code == 200

    page = coordinator.get(where)
    assert page.status_code == 200
    listed, withdrawn = page.text.split('id="withdrawn-services"')
    assert line not in listed.split('id="services"')[1]
    assert line in withdrawn and "moj-badge" in withdrawn and ">Withdrawn<" in withdrawn
    officer = Browser(client).use_token(Role.PROBATION_OFFICER, "po-test")
    form = officer.get(f"/staff/plans/{plan.id}/referrals")
    assert form.status_code == 200
    assert "Housing options, Doncaster" in form.text
    assert f'value="{service.id}"' not in form.text.split("Refer ")[-1]
