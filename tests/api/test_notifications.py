"""The notification outbox through the API: each reader sees their own messages, audited."""

from __future__ import annotations

from sqlmodel import Session, select

from resettlement.actors import Role
from resettlement.models import AuditEvent
from resettlement.notifications import Message, NotificationKind, enqueue
from tests.api.conftest import OTHER_OFFICER_ID, OWN_PRISON, bearer


def _seed(session: Session, plan_id: int) -> None:
    enqueue(
        session,
        [
            Message(
                recipient_role=Role.PROBATION_OFFICER,
                recipient_id="po-test",
                kind=NotificationKind.PLAN_READY,
                subject="For the officer",
                body="Plan 1 needs you.",
                idempotency_key="one",
                plan_id=plan_id,
            ),
            Message(
                recipient_role=Role.PROBATION_OFFICER,
                recipient_id=OTHER_OFFICER_ID,
                kind=NotificationKind.PLAN_READY,
                subject="For another officer",
                body="Not yours.",
                idempotency_key="two",
                plan_id=plan_id,
            ),
            Message(
                recipient_role=Role.GOVERNOR,
                recipient_id=OWN_PRISON,
                kind=NotificationKind.PLAN_READY,
                subject="For the governor",
                body="A decision is due.",
                idempotency_key="three",
                plan_id=plan_id,
            ),
            Message(
                recipient_role=Role.PRISON_LEAVER,
                recipient_id=str(plan_id),
                kind=NotificationKind.PLAN_READY,
                subject="Your plan",
                body="Open your plan: http://127.0.0.1:8000/plan-link/s3cret-value\nThanks.",
                idempotency_key="four",
                plan_id=plan_id,
            ),
        ],
    )
    session.commit()


def test_each_reader_sees_only_their_own_messages(client, session, new_plan, officer, governor):
    _seed(session, new_plan().id)
    mine = client.get("/api/v1/notifications", headers=officer).json()
    assert [n["subject"] for n in mine] == ["For the officer"]
    prison = client.get("/api/v1/notifications", headers=governor).json()
    assert [n["subject"] for n in prison] == ["For the governor"]


def test_an_admin_sees_all_with_sign_in_secrets_hidden(client, session, new_plan, admin):
    _seed(session, new_plan().id)
    everything = client.get("/api/v1/notifications", headers=admin).json()
    assert len(everything) == 4
    leaver = next(n for n in everything if n["recipient_role"] == "prison_leaver")
    assert "s3cret" not in leaver["body"] and "/plan-link/[link hidden]" in leaver["body"]
    shown = session.exec(select(AuditEvent).where(AuditEvent.object_type == "notification")).all()
    assert len(shown) == 4 and {a.actor for a in shown} == {"admin-test"}


def test_a_prison_leaver_cannot_read_the_outbox(client, session, new_plan):
    plan = new_plan()
    leaver = bearer(Role.PRISON_LEAVER, "leaver", plan=plan.id)
    response = client.get("/api/v1/notifications", headers=leaver)
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
