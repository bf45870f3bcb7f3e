"""The officer prints the person's published plan from the plan page: a PDF made on the
server, in English or Welsh, for their own plans only, each print audited."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from resettlement.forty_eight_hours import latest_published
from resettlement.models import AuditEvent
from tests.pages import printed_layout
from tests.pages.conftest import publish_plan
from tests.staff.conftest import OFFICER_ID, OTHER_OFFICER_ID

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _audited(session, actor: str, action: str, plan_id: int) -> int:
    return len(
        session.exec(
            select(AuditEvent).where(
                AuditEvent.actor == actor,
                AuditEvent.action == action,
                AuditEvent.object_id == str(plan_id),
            )
        ).all()
    )


def test_the_officer_prints_their_persons_plan_in_english_or_welsh(
    signed_in, session, plan_data, fake
):
    p = publish_plan(session, plan_data, fake, language="cy")
    officer = signed_in("officer")
    page = officer.get(f"/staff/plans/{p.plan.id}")
    assert f'href="/staff/plans/{p.plan.id}/plan.pdf?lang=en"' in page.text
    snapshot = latest_published(session, p.plan.id).snapshot

    welsh = officer.get(f"/staff/plans/{p.plan.id}/plan.pdf")
    assert welsh.status_code == 200 and welsh.headers["content-type"] == "application/pdf"
    assert welsh.headers["content-language"] == "cy", "the person's own language by default"
    english = officer.get(f"/staff/plans/{p.plan.id}/plan.pdf?lang=en")
    assert english.headers["content-language"] == "en"
    for pdf, heading in ((welsh, "Ble rydych chi'n cysgu heno"), (english, "Where you sleep")):
        printout = printed_layout.read(
            pdf.content, ARTIFACTS / f"officer-print-{pdf.headers['content-language']}.png"
        )
        text = " ".join(w.text for w in printout.words)
        assert heading in text
        assert snapshot["accommodation"]["address"] in text
        assert printed_layout.overlapping_words(printout) == []
        # No link to print: only its hash is kept, so there is no QR code.
        assert printout.images == []
        address = printed_layout.first_top(printout, snapshot["accommodation"]["address"])
        contact = printed_layout.first_top(printout, snapshot["contacts"][0]["name"])
        assert address < contact
    assert _audited(session, OFFICER_ID, "print", p.plan.id) == 2


def test_another_officer_cannot_print_the_plan_and_the_try_is_audited(
    signed_in, session, plan_data, fake
):
    p = publish_plan(session, plan_data, fake)
    other = signed_in("other_officer")
    response = other.get(f"/staff/plans/{p.plan.id}/plan.pdf")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert p.given_name not in response.text
    assert _audited(session, OTHER_OFFICER_ID, "denied", p.plan.id) == 1
    assert _audited(session, OTHER_OFFICER_ID, "print", p.plan.id) == 0
    governor = signed_in("governor")
    assert governor.get(f"/staff/plans/{p.plan.id}/plan.pdf").status_code in (403, 404)


def test_an_unpublished_plan_has_nothing_to_print(signed_in, session, new_plan):
    plan = new_plan()
    response = signed_in("officer").get(f"/staff/plans/{plan.id}/plan.pdf")
    assert response.status_code == 404
    assert "Publish the 48-hour plan before you print it." in response.text
    assert _audited(session, OFFICER_ID, "print", plan.id) == 0
