"""The person's pages over HTTP: signing in, and every way in that must fail safely, saying what
to do next and showing nothing of the plan."""

from __future__ import annotations

from datetime import date, timedelta

from resettlement import clock, leaver_access
from resettlement.leaver_access import LeaverLink
from tests.pages.conftest import OFFICER, dob_form, sign_in

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
    assert 'href="tel:01134960000"' in page
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
    response = client.post(p.path, data=dob_form(wrong))
    assert response.status_code == 422
    assert "The date of birth does not match. You can try 4 more times." in response.text
    assert "leaver_session" not in response.headers.get("set-cookie", "")
    _nothing_of(p, response.text)
    assert client.get("/my-plan").status_code == 401


def test_a_date_that_is_not_real_is_explained_without_counting_a_try(client, session, published):
    p = published()
    response = client.post(p.path, data={"day": "31", "month": "2", "year": "1990"})
    assert response.status_code == 422
    assert "Your date of birth must be a real date" in response.text
    empty = client.post(p.path, data={})
    assert "Enter your date of birth" in empty.text
    session.refresh(p.link)
    assert p.link.failed_attempts == 0


def test_too_many_tries_lock_the_link_and_say_who_to_call(client, published):
    p = published()
    for _ in range(4):
        client.post(p.path, data=dob_form(date(1950, 1, 1)))
    locked = client.post(p.path, data=dob_form(date(1950, 1, 1)))
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
    response = client.post(theirs.path, data=dob_form(mine.date_of_birth))
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
        session=session, actor=OFFICER, plan_id=p.plan.id, expected_version=p.plan.version
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
