"""The admin's audit page: filters by actor, person or plan, action and date range, pages, and
its own reading recorded in the trail it shows."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from sqlmodel import Session, select

from resettlement import clock
from resettlement.models import AuditEvent, Person, ReleasePlan
from tests.staff.conftest import FRIDAY, Browser
from tests.staff.test_pages import _submitted, _text

SignedIn = Callable[[str], Browser]


def _rows(html: str) -> list[str]:
    body = html.split('<tbody class="govuk-table__body">')[-1].split("</tbody>")[0]
    return [_text(row).strip() for row in re.findall(r"<tr.*?</tr>", body, re.S)]


def test_only_admins_see_the_audit_trail(signed_in: SignedIn) -> None:
    for who in ("officer", "governor"):
        assert signed_in(who).get("/staff/audit").status_code == 403
    assert signed_in("admin").get("/staff/audit").status_code == 200


def test_admin_finds_a_persons_reads_by_prison_number_plan_actor_action_and_day(
    signed_in: SignedIn, new_plan: Callable[..., ReleasePlan], session: Session
) -> None:
    plan = new_plan(requested_release_date=FRIDAY)
    other = new_plan()
    request_id = _submitted(session, plan)
    governor = signed_in("governor")
    governor.get(f"/staff/early-release/{request_id}")
    governor.get(f"/staff/early-release/{request_id}/plan")
    signed_in("officer").get(f"/staff/plans/{other.id}")
    person = session.get(Person, plan.person_id)
    assert person is not None
    admin = signed_in("admin")

    by_person = admin.get(f"/staff/audit?person={person.prison_number.lower()}")
    rows = _rows(by_person.text)
    assert rows and all(f"Plan {plan.id}" in r or f"request {request_id}" in r for r in rows)
    assert any("governor-mdi" in r and f"Plan {plan.id}" in r and "read" in r for r in rows)
    assert not any(f"Plan {other.id}" in r for r in rows)
    assert _rows(admin.get(f"/staff/audit?person={plan.id}").text) == rows

    reads = _rows(admin.get("/staff/audit?actor=governor-mdi&action=read").text)
    assert reads and all("governor-mdi" in r and " read " in f" {r} " for r in reads)
    today = clock.today()
    on_the_day = admin.get(
        "/staff/audit?actor=governor-mdi&action=read"
        f"&from-day={today.day}&from-month={today.month}&from-year={today.year}"
        f"&to-day={today.day}&to-month={today.month}&to-year={today.year}"
    )
    assert _rows(on_the_day.text) == reads
    tomorrow = today + timedelta(days=1)
    later = admin.get(
        f"/staff/audit?actor=governor-mdi&from-day={tomorrow.day}"
        f"&from-month={tomorrow.month}&from-year={tomorrow.year}"
    )
    assert _rows(later.text) == [] and "No events match." in later.text


def test_reading_the_trail_is_itself_in_the_trail(signed_in: SignedIn, session: Session) -> None:
    admin = signed_in("admin")
    admin.get("/staff/audit?actor=nobody")
    seen = session.exec(
        select(AuditEvent).where(
            AuditEvent.actor == "admin-test", AuditEvent.object_type == "audit_trail"
        )
    ).all()
    assert [(e.action, e.object_id) for e in seen] == [("read", "none")]
    page = admin.get("/staff/audit?actor=admin-test")
    assert "Audit trail none" in _text(page.text)


def test_the_trail_pages_newest_first(signed_in: SignedIn, session: Session) -> None:
    admin = signed_in("admin")
    for _ in range(30):
        admin.get("/staff/audit?actor=nobody")
    first = admin.get("/staff/audit?actor=admin-test")
    assert len(_rows(first.text)) == 25
    assert "Showing 1 to 25 of 30 total events" in first.text
    second = admin.get("/staff/audit?actor=admin-test&page=2")
    assert "Showing 26 to 31 of 31 total events" in second.text
    assert 'href="/staff/audit?actor=admin-test&amp;page=1"' in second.text
    ids = session.exec(
        select(AuditEvent.id).where(AuditEvent.actor == "admin-test").order_by(AuditEvent.id)
    ).all()
    assert len(ids) == 32


def test_a_wrong_date_is_named_and_nothing_is_shown(signed_in: SignedIn) -> None:
    page = signed_in("admin").get("/staff/audit?from-day=31&from-month=2&from-year=2026")
    assert page.status_code == 422
    assert 'href="#from-day"' in page.text
    assert "Enter the first day as a real date" in page.text
    assert 'value="31"' in page.text
