"""The person's own page lists the people who can see their plan and lets them stop one (a
form with its token), in English and Welsh; a supporter's pages follow the plan's language,
or the supporter's own choice."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from resettlement.models import AuditEvent
from resettlement.partners import supporters
from resettlement.partners.supporters import SupporterLink
from resettlement.privacy import consents
from tests.pages.conftest import OFFICER, Published, sign_in


def _name(session: Session, p: Published, name: str = "Sam Made-Up") -> tuple[SupporterLink, str]:
    return supporters.name_supporter(
        session=session,
        actor=OFFICER,
        plan_id=p.plan.id,
        request=supporters.SupporterRequest(
            name=name,
            relationship="Sister",
            contact="07700 900123",
            check_question="The name of our first dog",
            answer="Biscuit",
            sections=("first_night_address", "appointments"),
        ),
    )


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form token"
    return found.group(1)


def test_the_person_sees_their_supporters_and_stops_one_at_once(client, app, published, session):
    p = published()
    link, path = _name(session, p)
    _name(session, p, "Kit Made-Up")
    sign_in(client, p)
    page = client.get("/my-plan")
    section = page.text.split('id="your-supporters"', 1)[1]
    assert "People who can see your plan" in page.text
    assert "Sam Made-Up" in section and "Kit Made-Up" in section
    assert "Can see your plan" in section and "Stop their link" in section
    # Without the page's token nothing changes.
    refused = client.post(f"/my-plan/supporters/{link.id}/revoke", data={}, follow_redirects=False)
    assert refused.status_code == 303 and "stopped" not in refused.headers["location"]
    session.expire_all()
    assert session.get(SupporterLink, link.id).revoked_at is None
    with TestClient(app) as supporter:
        assert supporter.get(path).status_code == 200
        stopped = client.post(
            f"/my-plan/supporters/{link.id}/revoke",
            data={"csrf_token": _token(page.text)},
            follow_redirects=False,
        )
        assert stopped.status_code == 303
        assert stopped.headers["location"] == "/my-plan?stopped=1#your-supporters"
        gone = supporter.get(path)
        assert gone.status_code == 404 and "This link does not work" in gone.text
    after = client.get("/my-plan?stopped=1").text.split('id="your-supporters"', 1)[1]
    assert "Their link has stopped" in after
    sam = after.split("Sam Made-Up", 1)[1].split("</div>", 1)[0]
    assert "Stopped" in sam and "Stop their link" not in sam
    session.expire_all()
    revoked = session.get(SupporterLink, link.id)
    assert revoked.revoked_by == f"leaver-link:{p.link.id}"
    assert [c.with_whom_name for c in consents.live_consents(session, p.plan.person_id)] == [
        "Kit Made-Up"
    ]
    assert session.exec(
        select(AuditEvent).where(
            AuditEvent.action == "supporter_revoked",
            AuditEvent.actor == f"leaver-link:{p.link.id}",
        )
    ).first()


def test_the_person_cannot_stop_someone_elses_supporter(client, published, session):
    mine, theirs = published(), published()
    link, _ = _name(session, theirs)
    sign_in(client, mine)
    page = client.get("/my-plan")
    assert "Sam Made-Up" not in page.text and "You have not chosen anyone" in page.text
    token = client.cookies.get("leaver_plan_form")
    assert token
    for target in (str(link.id), "nonsense", "99999999999"):
        response = client.post(
            f"/my-plan/supporters/{target}/revoke",
            data={"csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code == 404, target
    session.expire_all()
    assert session.get(SupporterLink, link.id).revoked_at is None


def test_a_welsh_speakers_page_lists_their_supporters_in_welsh(client, published, session):
    p = published(language="cy")
    _name(session, p)
    sign_in(client, p)
    page = client.get("/my-plan")
    assert '<html lang="cy"' in page.text
    section = page.text.split('id="your-supporters"', 1)[1]
    assert "Pobl sy'n gallu gweld eich cynllun" in page.text
    assert "Yn gallu gweld eich cynllun" in section and "Stopio eu dolen" in section
    assert "Can see your plan" not in section


def test_a_welsh_speakers_supporter_reads_the_plan_in_welsh(client, published, session):
    p = published(language="cy")
    _link, path = _name(session, p)
    question = client.get(path)
    assert question.headers["content-language"] == "cy"
    assert "Atebwch y cwestiwn gwirio" in question.text
    wrong = client.post(path, data={"answer": "Rex", "csrf_token": _token(question.text)})
    assert wrong.status_code == 422 and "Gallwch chi drio 4 gwaith eto" in wrong.text
    right = client.post(path, data={"answer": "biscuit", "csrf_token": _token(question.text)})
    assert right.status_code == 200 and right.url.path == "/supporter"
    assert '<html lang="cy"' in right.text
    assert "Wedi'i rannu gyda Sam Made-Up" in right.text
    assert "Ble maen nhw'n cysgu ar eu noson gyntaf" in right.text
    assert "Where they sleep on their first night" not in right.text


def test_a_supporter_may_choose_welsh_for_an_english_plan(client, published, session):
    p = published(language="en")
    _link, path = _name(session, p)
    assert "Answer the check question" in client.get(path).text
    chosen = client.get(path + "?lang=cy")
    assert '<html lang="cy"' in chosen.text and "Atebwch y cwestiwn gwirio" in chosen.text
    # The choice is kept for the pages after.
    assert '<html lang="cy"' in client.get(path).text
