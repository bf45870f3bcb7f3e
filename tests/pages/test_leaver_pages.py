"""The person's pages over HTTP: signing in, and every way in that must fail safely, saying what
to do next and showing nothing of the plan."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from resettlement import clock, leaver_access
from resettlement.leaver_access import LeaverLink
from tests.pages.conftest import ACCEPTED, OFFICER, dob_form, form_post, sign_in

WHO_TO_CALL = "Call your probation officer."


def _nothing_of(published, text: str) -> None:
    snapshot_words = [published.given_name, "Probation appointment", "Where you sleep tonight"]
    for word in snapshot_words:
        assert word not in text


def test_signing_in_shows_the_plan_in_order_with_everything_the_person_needs(client, published):
    p = published()
    form = client.get(p.path)
    assert form.status_code == 200
    assert "Enter your date of birth" in form.text
    _nothing_of(p, form.text)

    response = sign_in(client, p)
    assert response.status_code == 200
    assert response.url.path == "/my-plan"
    cookie = response.history[0].headers["set-cookie"]
    for flag in ("HttpOnly", "SameSite=strict", "Max-Age="):
        assert flag.lower() in cookie.lower()
    page = response.text
    order = [
        "Where you sleep tonight",
        "Your appointments",
        "Getting there",
        "Who to call",
        "Documents and money",
        "Your health",
        "Your licence: the rules you must follow",
        "Your goals",
    ]
    positions = [
        page.index(f'id="{anchor}"')
        for anchor in (
            "tonight",
            "appointments",
            "getting-there",
            "who-to-call",
            "money",
            "health",
            "licence",
            "goals",
        )
    ]
    assert positions == sorted(positions)
    for heading in order:
        assert heading in page
    assert page.index("Probation appointment") < page.index("GP appointment")
    assert "Friday 18 December, 10am" in page
    assert 'href="tel:+441134960000"' in page
    assert "See my kids every weekend." in page
    assert "Your Universal Credit claim has been started." in page
    assert "Your first Universal Credit payment should come by" in page
    assert "Do not break the law." in page
    assert 'role="img"' in page and "Map of the places in your first 2 days" in page
    csp = response.headers["content-security-policy"]
    assert "form-action 'self'" in csp and "default-src 'self'" in csp
    assert "nonce-" in csp and response.headers["cache-control"] == "no-store"


def test_the_print_view_carries_a_qr_code_of_the_sign_in_link(client, published):
    p = published()
    sign_in(client, p)
    page = client.get("/my-plan/print")
    assert page.status_code == 200
    assert "app-qr" in page.text and "QR code: scan it to open your plan" in page.text
    assert p.path in page.text


def test_a_wrong_date_of_birth_says_so_and_shows_nothing(client, published):
    p = published()
    wrong = p.date_of_birth - timedelta(days=3)
    response = form_post(client, p.path, dob_form(wrong))
    assert response.status_code == 422
    assert "The date of birth does not match. You can try 4 more times." in response.text
    assert "leaver_session" not in response.headers.get("set-cookie", "")
    _nothing_of(p, response.text)
    assert client.get("/my-plan").status_code == 401


def test_a_date_that_is_not_real_is_explained_without_counting_a_try(client, session, published):
    p = published()
    response = form_post(client, p.path, {"day": "31", "month": "2", "year": "1990"})
    assert response.status_code == 422
    assert "Your date of birth must be a real date" in response.text
    empty = form_post(client, p.path, {})
    assert "Enter your date of birth" in empty.text
    session.refresh(p.link)
    assert p.link.failed_attempts == 0


def test_too_many_tries_lock_the_link_and_say_who_to_call(client, published):
    p = published()
    for _ in range(4):
        form_post(client, p.path, dob_form(date(1950, 1, 1)))
    locked = form_post(client, p.path, dob_form(date(1950, 1, 1)))
    assert locked.status_code == 429
    assert "Too many tries" in locked.text and WHO_TO_CALL in locked.text
    right = sign_in(client, p)
    assert right.status_code == 429
    _nothing_of(p, right.text)
    assert client.get(p.path).status_code == 429


def test_an_expired_link_fails_safely(client, session, published):
    p = published()
    link = session.get(LeaverLink, p.link.id)
    link.expires_at = clock.now() - timedelta(minutes=1)
    session.add(link)
    session.commit()
    for response in (client.get(p.path), sign_in(client, p)):
        assert response.status_code == 404
        assert "This link does not work" in response.text and WHO_TO_CALL in response.text
        _nothing_of(p, response.text)


def test_revoking_a_link_ends_a_session_that_is_already_open(client, session, published):
    p = published()
    assert sign_in(client, p).status_code == 200
    leaver_access.revoke_link(session=session, actor=OFFICER, link_id=p.link.id)
    for path in ("/my-plan", "/my-plan/print", "/my-plan.ics"):
        response = client.get(path)
        assert response.status_code == 403
        assert "This link does not work" in response.text and WHO_TO_CALL in response.text
        _nothing_of(p, response.text)


def test_one_persons_date_of_birth_does_not_open_another_persons_link(client, published):
    mine, theirs = published(), published()
    response = form_post(client, theirs.path, dob_form(mine.date_of_birth))
    assert response.status_code == 422
    _nothing_of(theirs, response.text)
    sign_in(client, mine)
    page = client.get("/my-plan").text
    assert mine.given_name in page and theirs.given_name not in page


def test_a_tampered_session_cookie_is_refused(client, published):
    p = published()
    sign_in(client, p)
    value = client.cookies.get("leaver_session")
    client.cookies.set("leaver_session", value[:-2] + ("AA" if value[-2:] != "AA" else "BB"))
    response = client.get("/my-plan")
    assert response.status_code == 401
    assert "Open your plan with your link" in response.text


def test_signing_out_clears_the_session(client, published):
    p = published()
    sign_in(client, p)
    assert client.post("/my-plan/sign-out").status_code == 200
    assert client.get("/my-plan").status_code == 401


def test_a_cancelled_plan_is_no_longer_shown(client, session, published):
    from resettlement import plans
    from resettlement.models import CancelReason

    p = published()
    sign_in(client, p)
    session.refresh(p.plan)
    plans.transition(
        session=session,
        actor=OFFICER,
        plan_id=p.plan.id,
        event="cancel",
        expected_version=p.plan.version,
        reason="Recalled",
        cancel_reason=CancelReason.RECALL,
    )
    response = client.get("/my-plan")
    assert response.status_code == 403
    _nothing_of(p, response.text)


def test_a_leavers_bearer_token_gets_nothing_of_a_cancelled_plan(client, session, published):
    from api.auth import mint_token
    from resettlement import plans
    from resettlement.actors import Role
    from resettlement.models import CancelReason

    p = published()
    token = mint_token(role=Role.PRISON_LEAVER, user="leaver-1", plan=p.plan.id)
    headers = {"Authorization": f"Bearer {token}"}
    paths = ("/api/v1/me/plan", "/api/v1/me/plan.ics")
    assert [client.get(path, headers=headers).status_code for path in paths] == [200, 200]
    sign_in(client, p)
    session.refresh(p.plan)
    plans.transition(
        session=session,
        actor=OFFICER,
        plan_id=p.plan.id,
        event="cancel",
        expected_version=p.plan.version,
        reason="Transferred",
        cancel_reason=CancelReason.TRANSFER,
    )
    assert client.get("/my-plan").status_code == 403
    for path in paths:
        response = client.get(path, headers=headers)
        assert response.status_code == 403, path
        assert response.headers["content-type"] == "application/problem+json"
        assert "BEGIN:VCALENDAR" not in response.text
        _nothing_of(p, response.text)


def test_a_page_elsewhere_cannot_sign_a_browser_into_someone_elses_plan(client, published):
    """Login CSRF: another site posts its own link and date of birth from the victim's
    browser. The SameSite=Strict token cookie does not travel with it, and the site cannot
    read it to put it in the form."""
    p = published()
    form = client.get(p.path)
    assert 'name="csrf_token"' in form.text
    # The browser keeps its SameSite=Strict cookie to itself on a post from another site.
    client.cookies.clear()
    cross_site = client.post(
        p.path,
        data=dob_form(p.date_of_birth),
        headers={"Origin": "https://elsewhere.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert cross_site.status_code == 403
    assert "leaver_session" not in cross_site.headers.get("set-cookie", "")
    assert client.get("/my-plan").status_code == 401
    guessed = client.post(p.path, data={**dob_form(p.date_of_birth), "csrf_token": "x" * 43})
    assert guessed.status_code == 403
    assert client.get("/my-plan").status_code == 401
    assert sign_in(client, p).url.path == "/my-plan"


def test_ask_at_the_gate_is_not_said_beneath_written_travel_instructions(
    client, session, published
):
    from resettlement import forty_eight_hours, leaver_plan, plans

    p = published()
    # The fixture's plan has written travel instructions and no travel pass yet.
    sign_in(client, p)
    page = client.get("/my-plan").text
    assert "Travel warrant for the train from the prison gate." in page
    assert "Ask at the gate how you will travel." not in page

    session.refresh(p.plan)
    plans.set_night_one(
        session=session,
        actor=OFFICER,
        plan_id=p.plan.id,
        expected_version=p.plan.version,
        data=plans.NightOne(travel_arrangements=None),
    )
    session.refresh(p.plan)
    forty_eight_hours.publish(
        session=session,
        actor=OFFICER,
        plan_id=p.plan.id,
        expected_version=p.plan.version,
        accept_warnings_reason=ACCEPTED,
    )
    # With nothing written, the person is told to ask.
    assert "Ask at the gate how you will travel." in client.get("/my-plan").text
    snapshot = {
        "travel": "Bus 42 from the gate",
        "checklist": [{"key": "travel_pass", "status": "done"}],
    }
    assert [line.key for line in leaver_plan.from_snapshot(snapshot).travel_items] == [
        "travel_pass"
    ]


@pytest.mark.parametrize("year", ["9999999999", "10000", "0", "-1"])
def test_a_huge_year_of_birth_on_a_real_link_is_the_form_again_and_no_try_is_counted(
    client, session, published, year
):
    p = published()
    response = form_post(client, p.path, {"day": "1", "month": "1", "year": year})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "date of birth must be a real date" in response.text
    session.refresh(p.link)
    assert p.link.failed_attempts == 0


def _cookie_flags(response, name: str) -> list[str]:
    [cookie] = [c for c in response.headers.get_list("set-cookie") if c.startswith(name + "=")]
    return [part.strip().lower() for part in cookie.split(";")]


def test_leaver_cookies_are_secure_outside_local_mode_whatever_scheme_the_server_sees(
    client, published, monkeypatch
):
    from api.pages.leaver_session import COOKIE, CSRF_COOKIE, get_page_settings
    from api.settings import get_api_settings

    p = published()
    # Local mode serves plain http on 127.0.0.1: a Secure cookie would never come back.
    assert "secure" not in _cookie_flags(client.get(p.path), CSRF_COOKIE)
    client.cookies.clear()

    # Behind a TLS-terminating proxy the server itself sees http.
    monkeypatch.setenv("RESETTLEMENT_OIDC_ISSUER", "https://identity.example")
    monkeypatch.setenv("RESETTLEMENT_OIDC_JWKS_URL", "https://identity.example/jwks")
    monkeypatch.setenv("RESETTLEMENT_COOKIE_KEYS", '["a cookie key of at least 32 characters"]')
    get_api_settings.cache_clear()
    form = client.get(p.path)
    assert form.url.scheme == "http"
    assert "secure" in _cookie_flags(form, CSRF_COOKIE)
    token = form.cookies[CSRF_COOKIE]
    signed_in = client.post(
        p.path,
        data={**dob_form(p.date_of_birth), "csrf_token": token},
        headers={"Cookie": f"{CSRF_COOKIE}={token}"},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303
    assert "secure" in _cookie_flags(signed_in, COOKIE)

    monkeypatch.setenv("RESETTLEMENT_LEAVER_COOKIE_SECURE", "false")
    get_page_settings.cache_clear()
    client.cookies.clear()
    assert "secure" not in _cookie_flags(client.get(p.path), CSRF_COOKIE)


def test_a_leaver_cookie_copied_before_sign_out_is_refused_after_it(app, client, published):
    from fastapi.testclient import TestClient

    from api.pages.leaver_session import COOKIE

    p = published()
    assert sign_in(client, p).url.path == "/my-plan"
    copied = client.cookies[COOKIE]
    assert client.post("/my-plan/sign-out").status_code == 200

    with TestClient(app) as thief:
        thief.cookies.set(COOKIE, copied)
        for path in ("/my-plan", "/my-plan.ics", "/my-plan/print"):
            refused = thief.get(path)
            assert refused.status_code == 401, path
            _nothing_of(p, refused.text)
    # The link itself still works with the date of birth.
    assert sign_in(client, p).url.path == "/my-plan"
    assert client.get("/my-plan").status_code == 200


@pytest.mark.parametrize("field", ["day", "month", "year"])
def test_a_leaver_form_field_over_ten_characters_is_the_page_with_an_error(
    client, session, published, field
):
    p = published()
    form = {"day": "1", "month": "1", "year": "1980", field: "9" * 20}
    response = form_post(client, p.path, form)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "date of birth must be a real date" in response.text
    assert "9" * 11 not in response.text
    session.refresh(p.link)
    assert p.link.failed_attempts == 0
