"""Staff addresses answer as pages: a mistyped address or a page the role may not use keeps
the menu and sign-out; a form sent after the session ended asks the person to sign in and
returns them to it with what they typed."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from api.auth import Claims
from api.staff import officer
from api.staff.identity import COOKIE, COOKIE_PATH, StaffSession, encode_session
from resettlement import plans
from resettlement.actors import Role
from resettlement.errors import Unavailable
from resettlement.models import ReleasePlan
from tests.staff.conftest import OFFICER_ID, Browser, csrf_of

SignedIn = Callable[[str], Browser]


def test_a_mistyped_staff_address_is_a_page_with_the_menu(signed_in: SignedIn) -> None:
    officer = signed_in("officer")
    for path in ("/staff/audti", "/staff/plans/1/nonsense", "/staff/caseload/extra"):
        page = officer.get(path)
        assert page.status_code == 404, path
        assert page.headers["content-type"].startswith("text/html")
        assert "Page not found" in page.text
        assert 'href="/staff/caseload"' in page.text  # the menu
        assert 'action="/staff/sign-out"' in page.text and csrf_of(page.text)
    wrong_method = officer.get("/staff/sign-out")
    assert wrong_method.status_code == 405 and "Page not found" in wrong_method.text
    assert "POST" in wrong_method.headers["allow"]


def test_a_stranger_gets_the_page_with_a_way_to_sign_in(client: TestClient) -> None:
    page = client.get("/staff/nowhere")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert 'href="/staff/sign-in"' in page.text
    assert "sign-out" not in page.text


def test_the_api_still_answers_problems_as_json(client: TestClient) -> None:
    response = client.get("/api/v1/nowhere")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_a_page_the_role_may_not_use_keeps_the_menu_and_sign_out(signed_in: SignedIn) -> None:
    governor = signed_in("governor")
    page = governor.get("/staff/caseload")
    assert page.status_code == 403
    assert "You cannot use this page" in page.text
    assert 'href="/staff/early-release"' in page.text
    assert 'action="/staff/sign-out"' in page.text
    assert "Signed in as" in page.text
    audit = governor.get("/staff/audit")
    assert audit.status_code == 403 and 'action="/staff/sign-out"' in audit.text


def _ended_session(client: TestClient, csrf: str) -> None:
    """The officer's session as it is a day after they signed in: the session has ended."""
    hours_ago = int(time.time()) - 24 * 3600
    identity = Claims(sub=OFFICER_ID, role=Role.PROBATION_OFFICER)
    ended = StaffSession(csrf=csrf, identity=identity, issued=hours_ago, name="Tess Officerton")
    # In place of the cookie the server set, so the jar holds one, as a browser's would.
    domain = next(c.domain for c in client.cookies.jar if c.name == COOKIE)
    client.cookies.set(COOKIE, encode_session(ended), domain=domain, path=COOKIE_PATH)


def test_a_form_sent_after_the_session_ended_returns_after_sign_in_with_what_was_typed(
    browser: Browser, session: Session, new_plan: Callable[..., ReleasePlan]
) -> None:
    plan = new_plan(probation_officer_id="po-ashworth")
    browser.sign_in("po-ashworth")
    form = browser.get(f"/staff/plans/{plan.id}/night-one")
    csrf = csrf_of(form.text)
    _ended_session(browser.client, csrf)
    typed = {
        "accommodation_address": "Flat 9, 3 Imaginary Street, Leeds LS2 2BB",
        "accommodation_contact": "The warden",
        "accommodation_from": "3pm",
        "travel_arrangements": "Bus 14 from the gate.",
        "expected_version": str(plan.version),
        "csrf_token": csrf,
    }
    sent = browser.post(f"/staff/plans/{plan.id}/night-one", typed)
    assert sent.status_code == 303 and sent.headers["location"] == "/staff/sign-in"
    session.refresh(plan)
    assert plan.accommodation_address is None  # nothing was saved
    sign_in = browser.get("/staff/sign-in")
    assert "Your session ended before your form was saved" in sign_in.text
    back = browser.sign_in("po-ashworth")
    assert back.headers["location"] == f"/staff/plans/{plan.id}/night-one"
    again = browser.get(back.headers["location"])
    assert again.status_code == 200
    assert "Flat 9, 3 Imaginary Street, Leeds LS2 2BB</textarea>" in again.text
    assert 'value="The warden"' in again.text
    assert "Bus 14 from the gate.</textarea>" in again.text
    assert "Your session had ended, so nothing was saved." in again.text
    # Shown once: the kept answers are forgotten once the form has them back.
    assert "Flat 9" not in browser.get(f"/staff/plans/{plan.id}/night-one").text
    saved = browser.post(
        f"/staff/plans/{plan.id}/night-one", {k: v for k, v in typed.items() if k != "csrf_token"}
    )
    assert saved.status_code == 303
    session.refresh(plan)
    assert plan.accommodation_address == "Flat 9, 3 Imaginary Street, Leeds LS2 2BB"


def test_a_step_button_sent_after_the_session_ended_returns_to_the_plan_page(
    browser: Browser, new_plan: Callable[..., ReleasePlan]
) -> None:
    plan = new_plan(probation_officer_id="po-ashworth")
    browser.sign_in("po-ashworth")
    page = browser.get(f"/staff/plans/{plan.id}")
    _ended_session(browser.client, csrf_of(page.text))
    sent = browser.post(
        f"/staff/plans/{plan.id}/transition",
        {"event": "start_resettlement_planning", "expected_version": str(plan.version)},
    )
    assert sent.headers["location"] == "/staff/sign-in"
    assert browser.sign_in("po-ashworth").headers["location"] == f"/staff/plans/{plan.id}"


def test_a_forged_form_after_the_session_ended_is_refused_not_kept(
    browser: Browser, new_plan: Callable[..., ReleasePlan]
) -> None:
    plan = new_plan(probation_officer_id="po-ashworth")
    browser.sign_in("po-ashworth")
    browser.get(f"/staff/plans/{plan.id}/night-one")
    _ended_session(browser.client, "the-real-token")
    forged = browser.post(
        f"/staff/plans/{plan.id}/night-one",
        {"accommodation_address": "Planted", "csrf_token": "a-guess"},
    )
    assert forged.status_code == 403
    assert COOKIE not in "".join(forged.headers.get_list("set-cookie"))
    assert json.dumps("Planted") not in browser.get("/staff/sign-in").text


def test_staff_pages_wear_the_moj_look_without_the_gov_uk_crown_or_title(
    signed_in: SignedIn, client: TestClient
) -> None:
    for page in (
        signed_in("officer").get("/staff/caseload"),
        signed_in("admin").get("/staff/audit"),
        client.get("/staff/sign-in"),
        client.get("/staff/nowhere"),
    ):
        title = page.text.split("<title>")[1].split("</title>")[0]
        assert title.endswith("\N{EN DASH} Resettlement") and "GOV.UK" not in title, title
        assert 'class="moj-header' in page.text and "moj-header__logotype-crest" in page.text
        assert "govuk-header" not in page.text and "logotype-crown" not in page.text
        assert 'href="/static/moj/moj-frontend.min.css"' in page.text
        assert 'src="/staff/static/moj-init.js"' in page.text
    assert client.get("/assets/images/icon-tag-remove-cross.svg").status_code == 200


def test_a_database_out_of_reach_is_the_briefly_unavailable_page_not_json_or_a_conflict(
    browser: Browser,
    session: Session,
    new_plan: Callable[..., ReleasePlan],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plan = new_plan(probation_officer_id="po-ashworth")
    browser.sign_in("po-ashworth")
    browser.get(f"/staff/plans/{plan.id}/night-one")

    def lost(**_: object) -> ReleasePlan:
        raise Unavailable("The database could not be reached. Nothing was changed.")

    monkeypatch.setattr(plans, "set_night_one", lost)
    sent = browser.post(
        f"/staff/plans/{plan.id}/night-one",
        {"accommodation_address": "Flat 2, 1 Made Up Road, Leeds", "expected_version": "1"},
    )
    assert sent.status_code == 503, sent.text
    assert sent.headers["content-type"].startswith("text/html")
    assert sent.headers["retry-after"] == "1"
    assert "briefly unavailable" in sent.text and "Nothing was changed" in sent.text

    def unreachable(*_: object, **__: object) -> ReleasePlan:
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    monkeypatch.setattr(officer, "officers_plan", unreachable)
    page = browser.get(f"/staff/plans/{plan.id}")
    assert page.status_code == 503 and page.headers["content-type"].startswith("text/html")
    assert "briefly unavailable" in page.text
