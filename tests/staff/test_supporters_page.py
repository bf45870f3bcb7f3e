"""The officer's supporters page (MoJ style): name a supporter with the person's consent (the
link shown once, never stored), see each link's state, stop one after a check; the link then
opens nothing, at once. Another officer, or a supporter of another plan, is a 404."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from resettlement import clock
from resettlement.models import AuditEvent
from resettlement.partners import supporters
from resettlement.partners.supporters import SupporterLink
from resettlement.privacy import consents
from resettlement.privacy.consents import ConsentKind
from tests.partners.conftest import OFFICER

FORM = {
    "name": "Sam Made-Up",
    "relationship": "Sister",
    "contact": "07700 900123",
    "sections": ["first_night_address", "appointments"],
    "check_question": "The name of our first dog",
    "answer": "Biscuit",
    "weeks_after_release": "4",
    "consent": "yes",
}


def _named(officer, plan_id: int, **changes) -> tuple[str, object]:
    officer.get(f"/staff/plans/{plan_id}/supporters")
    page = officer.post(f"/staff/plans/{plan_id}/supporters", {**FORM, **changes})
    assert page.status_code == 200, page.text
    found = re.search(r'id="supporter-link">([^<]+)<', page.text)
    assert found, page.text
    return found.group(1), page


def _actions(session: Session, action: str) -> list[AuditEvent]:
    session.expire_all()
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def test_the_officer_names_a_supporter_and_sees_the_link_once(signed_in, new_plan, session):
    plan = new_plan()
    officer = signed_in("officer")
    assert f"/staff/plans/{plan.id}/supporters" in officer.get(f"/staff/plans/{plan.id}").text
    url, page = _named(officer, plan.id)
    assert page.headers["cache-control"] == "no-store"
    assert "Sam Made-Up is named as a supporter" in page.text
    assert "07700 900123" in page.text and "The name of our first dog" in page.text
    secret = url.rsplit("/", 1)[1]
    [link] = session.exec(select(SupporterLink)).all()
    # Only hashes are kept: neither the secret nor the answer is anywhere in the row.
    assert link.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    row = " ".join(str(v) for v in link.model_dump().values())
    assert secret not in row and "Biscuit" not in row
    assert (link.name, link.relationship, link.contact) == ("Sam Made-Up", "Sister", "07700 900123")
    [consent] = consents.live_consents(session, plan.person_id, ConsentKind.SHARING_WITH_SUPPORTER)
    assert consent.scope == ["appointments", "first_night_address"]
    assert consent.given_how == "in_person"
    assert _actions(session, "supporter_named")
    # Listed after, with its state, but the link is never shown again.
    listed = officer.get(f"/staff/plans/{plan.id}/supporters")
    assert "Sam Made-Up" in listed.text and ">Active<" in listed.text
    assert secret not in listed.text
    assert _actions(session, "read_supporters")


def test_naming_without_consent_or_a_way_to_reach_them_changes_nothing(
    signed_in, new_plan, session
):
    plan = new_plan()
    officer = signed_in("officer")
    officer.get(f"/staff/plans/{plan.id}/supporters")
    refused = officer.post(
        f"/staff/plans/{plan.id}/supporters", {**FORM, "consent": "", "contact": ""}
    )
    assert refused.status_code == 422
    assert "Confirm that the person agrees" in refused.text
    assert "Enter how to reach them" in refused.text
    assert 'href="#consent"' in refused.text and 'href="#contact"' in refused.text
    # The answer is a secret: never put back in the form.
    assert 'value="Biscuit"' not in refused.text
    bad_sections = officer.post(
        f"/staff/plans/{plan.id}/supporters", {**FORM, "sections": ["health"]}
    )
    assert bad_sections.status_code == 422 and 'href="#sections"' in bad_sections.text
    assert session.exec(select(SupporterLink)).all() == []
    assert consents.live_consents(session, plan.person_id) == []


def test_each_link_shows_what_it_does_now(signed_in, new_plan, session):
    plan = new_plan()
    officer = signed_in("officer")
    for name in ("Ana Active", "Lee Locked", "Eve Expired", "Rob Revoked"):
        _named(officer, plan.id, name=name)
    links = {link.name: link for link in session.exec(select(SupporterLink)).all()}
    now = clock.now()
    links["Lee Locked"].locked_until = now + timedelta(minutes=10)
    links["Eve Expired"].expires_at = now - timedelta(minutes=1)
    session.add_all(links.values())
    session.commit()
    supporters.revoke_supporter(session=session, actor=OFFICER, link_id=links["Rob Revoked"].id)
    page = officer.get(f"/staff/plans/{plan.id}/supporters").text
    rows = {
        name: page.split(name, 1)[1].split("</tr>", 1)[0]
        for name in ("Ana Active", "Lee Locked", "Eve Expired", "Rob Revoked")
    }
    assert ">Active<" in rows["Ana Active"] and "Stop link" in rows["Ana Active"]
    assert "Locked: too many wrong answers" in rows["Lee Locked"]
    assert "Stop link" in rows["Lee Locked"]
    assert ">Expired<" in rows["Eve Expired"] and "Stop link" not in rows["Eve Expired"]
    assert ">Stopped<" in rows["Rob Revoked"] and "Stop link" not in rows["Rob Revoked"]
    assert "moj-badge" in rows["Ana Active"]


def test_stopping_a_link_asks_first_then_cuts_the_supporter_off_at_once(
    signed_in, new_plan, session, app
):
    plan = new_plan()
    officer = signed_in("officer")
    url, _ = _named(officer, plan.id)
    path = "/" + url.split("/", 3)[3]
    with TestClient(app) as supporter:
        assert supporter.get(path).status_code == 200
        [link] = session.exec(select(SupporterLink)).all()
        officer.get(f"/staff/plans/{plan.id}/supporters")
        check = officer.post(f"/staff/plans/{plan.id}/supporters/{link.id}/revoke", {})
        assert check.status_code == 200
        assert "Stop Sam Made-Up&#39;s link" in check.text and "cannot start this link" in (
            check.text
        )
        session.expire_all()
        assert session.get(SupporterLink, link.id).revoked_at is None
        done = officer.post(
            f"/staff/plans/{plan.id}/supporters/{link.id}/revoke", {"confirmed": "yes"}
        )
        assert done.status_code == 303
        assert done.headers["location"].endswith("?done=revoked")
        assert "Their link is stopped" in officer.get(done.headers["location"]).text
        # At once: the next request with the link is the page that says it no longer works.
        gone = supporter.get(path)
        assert gone.status_code == 404 and "This link does not work" in gone.text
    session.expire_all()
    assert session.get(SupporterLink, link.id).revoked_by == "po-test"
    assert consents.live_consents(session, plan.person_id) == []
    assert _actions(session, "supporter_revoked")
    denied = _actions(session, "denied")
    assert any(a.actor == f"supporter-link:{link.id}" for a in denied)


def test_another_officer_and_another_plans_supporter_are_not_found(signed_in, new_plan, session):
    plan, other_plan = new_plan(), new_plan()
    officer = signed_in("officer")
    _named(officer, plan.id)
    _named(officer, other_plan.id, name="Kit Made-Up")
    theirs = session.exec(select(SupporterLink).where(SupporterLink.name == "Kit Made-Up")).one()
    stranger = signed_in("other_officer")
    assert stranger.get(f"/staff/plans/{plan.id}/supporters").status_code == 404
    # With a good token of their own (from their caseload's forms): still the plan's 404.
    stranger.get("/staff/caseload")
    for path in (
        f"/staff/plans/{plan.id}/supporters",
        f"/staff/plans/{other_plan.id}/supporters/{theirs.id}/revoke",
    ):
        response = stranger.post(path, {**FORM, "confirmed": "yes"})
        assert response.status_code == 404, path
    # A supporter of one plan cannot be stopped through another plan's page.
    officer.get(f"/staff/plans/{plan.id}/supporters")
    crossed = officer.post(
        f"/staff/plans/{plan.id}/supporters/{theirs.id}/revoke", {"confirmed": "yes"}
    )
    assert crossed.status_code == 404
    for nonsense in ("abc", "99999999999", "0"):
        assert (
            officer.post(
                f"/staff/plans/{plan.id}/supporters/{nonsense}/revoke", {"confirmed": "yes"}
            ).status_code
            == 404
        )
    session.expire_all()
    assert session.get(SupporterLink, theirs.id).revoked_at is None
    assert len(session.exec(select(SupporterLink)).all()) == 2
    assert session.exec(select(AuditEvent).where(col(AuditEvent.action) == "denied")).first()


def test_other_roles_cannot_use_the_supporters_page(signed_in, new_plan):
    plan = new_plan()
    for who in ("governor", "admin"):
        assert signed_in(who).get(f"/staff/plans/{plan.id}/supporters").status_code == 403


def test_the_supporter_pages_answer_each_kind_of_user_as_the_matrix_says(
    app, client, signed_in, new_plan, session
):
    """Staff pages: a stranger is sent to sign in, other roles are refused (403), another
    officer finds nothing (404). The person's own revoke form needs the person's session."""
    from tests.staff.conftest import Browser

    plan = new_plan()
    officer = signed_in("officer")
    _named(officer, plan.id)
    [link] = session.exec(select(SupporterLink)).all()
    page = f"/staff/plans/{plan.id}/supporters"
    revoke = f"{page}/{link.id}/revoke"
    expected = {
        "officer": 200,
        "other_officer": 404,
        "governor": 403,
        "other_governor": 403,
        "admin": 403,
        "leaver": 403,
    }
    got = {who: signed_in(who).get(page).status_code for who in expected}
    assert got == expected
    for role, user, claims in (
        ("coordinator", "coord-mdi", {"prison": "MDI"}),
        ("partner", "partner-test", {"organisation": 1}),
    ):
        with TestClient(app, follow_redirects=False) as other:
            assert Browser(other).use_token(role, user, **claims).get(page).status_code == 403
    assert client.get(page, follow_redirects=False).status_code == 303
    assert client.post(revoke, data={"confirmed": "yes"}).status_code in (303, 403)
    # The person's form: no session is the sign-in page, a supporter's own session is too.
    with TestClient(app, follow_redirects=False) as nobody:
        assert nobody.post(f"/my-plan/supporters/{link.id}/revoke").status_code == 401
    session.expire_all()
    assert session.get(SupporterLink, link.id).revoked_at is None
