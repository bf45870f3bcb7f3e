"""The sweep: messages still unsent a few minutes after their last attempt are sent again (up
to `notify_max_attempts` in all, then failed and the officer told), and sent messages are
followed until Notify says they arrived or failed."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from resettlement import clock
from resettlement.config import get_settings
from resettlement.delivery.notify_api import DELIVERED, FAILED, describe
from resettlement.delivery.sending import fail, notify_client, template_for
from resettlement.notifications import UNSENT_STATES, MessageState, Notification

log = logging.getLogger(__name__)

# Notify answers status requests for seven days after a message was sent.
NOTIFY_KEEPS = timedelta(days=7)


def due_resend(session: Session, now: datetime | None = None) -> list[int]:
    """Unsent messages whose last attempt (or, never tried, whose writing) is older than
    `notify_resend_after_minutes`, and held messages whose recipient has an address now. None
    without Notify: then the outbox is where they live."""
    settings = get_settings()
    if settings.notify_api_key is None:
        return []
    cutoff = (now or clock.now()) - timedelta(minutes=settings.notify_resend_after_minutes)
    since = func.coalesce(col(Notification.last_attempt_at), col(Notification.created_at))
    unsent = session.exec(
        select(Notification.id).where(col(Notification.status).in_(UNSENT_STATES), since <= cutoff)
    ).all()
    return sorted([row_id for row_id in unsent if row_id is not None] + _now_addressed(session))


def _now_addressed(session: Session) -> list[int]:
    """Held messages that could go now: an address (and a template) was configured for their
    recipient after they were written. The addresses are settings, so this is where a newly
    added one is noticed, within one sweep."""
    settings = get_settings()
    keys = set(settings.notify_recipients)
    if not keys:
        return []
    held = session.exec(
        select(
            Notification.id,
            Notification.recipient_role,
            Notification.recipient_id,
            Notification.kind,
        ).where(Notification.status == MessageState.HELD.value)
    ).all()
    return [
        row_id
        for row_id, role, recipient, kind in held
        if row_id is not None
        and f"{role}:{recipient}" in keys
        and template_for(settings, kind) is not None
    ]


def due_status_check(session: Session, now: datetime | None = None) -> list[int]:
    """Sent messages Notify has not yet said arrived or failed, while it still keeps them."""
    if get_settings().notify_api_key is None:
        return []
    since = (now or clock.now()) - NOTIFY_KEEPS
    return list(
        session.exec(
            select(Notification.id)
            .where(
                Notification.status == MessageState.SENT.value,
                col(Notification.notify_id).is_not(None),
                col(Notification.sent_at) >= since,
            )
            .order_by(col(Notification.id))
        ).all()  # type: ignore[arg-type]
    )


def record_statuses(session: Session, notification_ids: Sequence[int]) -> dict[str, int]:
    """Asks Notify what became of each message and records it: delivered, failed (the officer
    is told, as for a message that could not be sent), or still on its way."""
    client = notify_client(get_settings())
    if client is None or not notification_ids:
        return {}
    counts: Counter[str] = Counter()
    rows = session.exec(
        select(Notification).where(
            col(Notification.id).in_(list(notification_ids)),
            Notification.status == MessageState.SENT.value,
        )
    ).all()
    for row in rows:
        assert row.notify_id is not None
        try:
            answer = client.get_notification_by_id(row.notify_id)
        except Exception as exc:  # asked again on the next sweep
            log.warning(
                "no status from GOV.UK Notify for notification %s: %s", row.id, describe(exc)
            )
            counts["status_unknown"] += 1
            continue
        status = str(answer.get("status", "")) if isinstance(answer, dict) else ""
        row.notify_status = status[:40] or None
        row.status_at = clock.now()
        if status in DELIVERED:
            row.status = MessageState.DELIVERED.value
            counts["delivered"] += 1
        elif status in FAILED:
            fail(session, row, f"GOV.UK Notify reported {status}")
            counts["failed"] += 1
            continue
        else:
            counts["on_its_way"] += 1
        session.add(row)
        session.commit()
    return dict(sorted(counts.items()))
