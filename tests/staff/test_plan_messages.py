"""The plan's Messages tab: where each message about the plan is on its way (queued, sending,
sent, delivered, failed permanently, with its attempts), and a warning on every tab while a
message about the plan could not be sent."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlmodel import Session, select

from resettlement.actors import Role
from resettlement.models import AuditEvent
from resettlement.notifications import Message, Notification, NotificationKind, enqueue
from tests.staff.conftest import OFFICER_ID, Browser


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _message(session: Session, plan_id: int, key: str, status: str, attempts: int) -> int:
    [row_id] = enqueue(
        session,
        [
            Message(
                recipient_role=Role.PROBATION_OFFICER,
                recipient_id=OFFICER_ID,
                kind=NotificationKind.CHECKLIST_DUE,
                subject=f"Subject {key}",
                body="Items due.",
                idempotency_key=key,
                plan_id=plan_id,
            )
        ],
    )
    row = session.get(Notification, row_id)
    assert row is not None
    row.status, row.attempts = status, attempts
    if status == "failed":
        row.last_error = "GOV.UK Notify answered HTTP 400"
    session.add(row)
    session.commit()
    return row_id


def test_the_messages_tab_shows_each_state_and_every_tab_warns_of_a_failed_one(
    session: Session, new_plan, signed_in: Callable[[str], Browser]
):
    plan = new_plan()
    officer = signed_in("officer")
    overview = _text(officer.get(f"/staff/plans/{plan.id}").text)
    assert "could not be sent" not in overview

    for key, status, attempts in [
        ("a", "queued", 0),
        ("b", "sending", 1),
        ("c", "sent", 1),
        ("d", "delivered", 2),
        ("e", "failed", 8),
    ]:
        _message(session, plan.id, key, status, attempts)

    for tab in ("", "/checklist", "/history"):
        page = _text(officer.get(f"/staff/plans/{plan.id}{tab}").text)
        assert "1 message about this plan could not be sent." in page, tab

    answer = officer.get(f"/staff/plans/{plan.id}/messages")
    assert answer.status_code == 200
    rows = re.findall(
        r'<tr class="govuk-table__row" data-message="\d+">(.*?)</tr>', answer.text, re.S
    )
    shown = [_text(r).strip() for r in rows]
    # Newest first: e, d, c, b, a.
    assert "Subject e" in shown[0] and "Failed permanently" in shown[0]
    assert "GOV.UK Notify answered HTTP 400" in shown[0] and shown[0].endswith("8")
    assert "Delivered" in shown[1] and shown[1].endswith("2")
    assert "Sent" in shown[2] and "Sending" in shown[3] and "Queued" in shown[4]
    assert shown[4].endswith("0")
    # Reading them is audited, one row per message.
    reads = session.exec(
        select(AuditEvent).where(
            AuditEvent.object_type == "notification", AuditEvent.action == "read"
        )
    ).all()
    assert len(reads) == 5


def test_another_officer_cannot_read_the_plans_messages(
    session: Session, new_plan, signed_in: Callable[[str], Browser]
):
    plan = new_plan()
    _message(session, plan.id, "a", "failed", 1)
    other = signed_in("other_officer")
    answer = other.get(f"/staff/plans/{plan.id}/messages")
    assert answer.status_code == 404
    assert "Subject a" not in answer.text
