"""Sending outbox rows through GOV.UK Notify, one delivery round at a time."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from resettlement import clock, history, leaver_access, messages, notifications
from resettlement.actors import SYSTEM, Role
from resettlement.config import Settings, get_settings
from resettlement.delivery.notify_api import (
    answered,
    describe,
    find_by_reference,
    is_permanent,
    tries,
)
from resettlement.errors import DomainError
from resettlement.models import PlanState, ReleasePlan
from resettlement.notifications import (
    UNSENT_STATES,
    Channel,
    MessageState,
    Notification,
    NotifyClient,
)
from resettlement.transactions import commit

log = logging.getLogger(__name__)


def notify_client(settings: Settings) -> NotifyClient | None:
    if settings.notify_api_key is None:
        return None
    return notifications.client_factory(settings.notify_api_key.get_secret_value())


def template_for(settings: Settings, kind: str) -> str | None:
    return settings.notify_template_ids.get(kind) or settings.notify_template_ids.get("default")


def deliver(session: Session, notification_ids: Sequence[int]) -> dict[str, int]:
    """Sends the given unsent outbox rows through GOV.UK Notify when it is configured, each in
    one round of up to `notify_tries_per_round` tries. Rows without a known address or template
    are held in the outbox. Commits as it goes: each attempt before it is made, each outcome
    after it."""
    settings = get_settings()
    client = notify_client(settings)
    if client is None or not notification_ids:
        return {}
    counts: Counter[str] = Counter()
    rows = session.exec(
        select(Notification)
        .where(
            col(Notification.id).in_(list(notification_ids)),
            # Held rows too: the sweep hands them back once their recipient has an address.
            col(Notification.status).in_((*UNSENT_STATES, MessageState.HELD.value)),
        )
        .order_by(col(Notification.id))
    ).all()
    for row in rows:
        counts[_deliver_one(session, client, settings, row)] += 1
    return {f"notify_{outcome}": n for outcome, n in sorted(counts.items())}


def _deliver_one(
    session: Session, client: NotifyClient, settings: Settings, row: Notification
) -> str:
    address = settings.notify_recipients.get(f"{row.recipient_role}:{row.recipient_id}")
    template = template_for(settings, row.kind)
    if address is None or template is None:
        row.status = MessageState.HELD.value
        session.add(row)
        session.commit()
        return "unaddressed"
    if row.attempts >= settings.notify_max_attempts:
        fail(session, row, row.last_error or "every attempt failed")
        return "failed"
    # An earlier attempt may have reached Notify before its outcome was committed.
    if row.status == MessageState.SENDING.value and row.attempts > 0:
        try:
            found = find_by_reference(client, row.idempotency_key)
        except Exception as exc:
            return _not_this_time(session, settings, row, exc)
        if found is not None:
            mark_sent(session, row, found)
            return "sent"
        row.status = MessageState.QUEUED.value
    try:
        body = _with_sign_in_link(session, row, settings)
    except DomainError as exc:
        # The plan was cancelled, or its 48-hour plan not published, since the message was
        # written: no link can be issued, so nothing is sent (a cancelled plan's officer is
        # not troubled about it).
        fail(session, row, f"not sent: {exc.title}")
        return "failed"

    def attempt() -> Any:
        if row.status == MessageState.SENDING.value:
            found = find_by_reference(client, row.idempotency_key)
            if found is not None:
                return found
        _claim(session, row)
        try:
            return client.send_email_notification(
                email_address=address,
                template_id=template,
                personalisation={"subject": row.subject, "body": body},
                # Notify keeps the reference: it ties a sent email back to the outbox row, and
                # an attempt whose outcome was lost is found again by it.
                reference=row.idempotency_key,
            )
        except Exception as exc:
            if answered(exc):
                # Notify answered with an error: this attempt certainly did not send it.
                row.status = MessageState.QUEUED.value
            raise

    left = settings.notify_max_attempts - row.attempts
    try:
        response = tries(settings, min(settings.notify_tries_per_round, left))(attempt)
    except TakenElsewhere:
        session.rollback()
        return "busy"
    except Exception as exc:
        return _not_this_time(session, settings, row, exc)
    mark_sent(session, row, response)
    return "sent"


class TakenElsewhere(Exception):
    """Another process recorded an attempt at this message first: it is sending it."""


def _claim(session: Session, row: Notification) -> None:
    """Records the attempt, committed, before the request is made: a compare-and-set on the
    attempts counter, so of two processes (a flow's batch and the sweep) only one sends."""
    now, seen = clock.now(), row.attempts
    claimed = session.execute(
        update(Notification)
        .where(col(Notification.id) == row.id, col(Notification.attempts) == seen)
        .values(status=MessageState.SENDING.value, attempts=seen + 1, last_attempt_at=now)
        # The row in hand is brought up to date below, as committed.
        .execution_options(synchronize_session=False)
    )
    session.commit()
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise TakenElsewhere(row.id)
    for name, value in (
        ("status", MessageState.SENDING.value),
        ("attempts", seen + 1),
        ("last_attempt_at", now),
    ):
        set_committed_value(row, name, value)


def _not_this_time(
    session: Session, settings: Settings, row: Notification, exc: BaseException
) -> str:
    """A round that failed: permanently (a 4xx), for good (attempts used up), or for now."""
    reason = describe(exc)
    log.warning("GOV.UK Notify did not take notification %s: %s", row.id, reason)
    if is_permanent(exc) or row.attempts >= settings.notify_max_attempts:
        fail(session, row, reason)
        return "failed"
    row.last_error = reason
    session.add(row)
    session.commit()
    return "retry_later"


def mark_sent(session: Session, row: Notification, response: Any) -> None:
    row.status = MessageState.SENT.value
    row.channel = Channel.GOVUK_NOTIFY.value
    row.sent_at = clock.now()
    row.last_error = None
    if isinstance(response, dict) and response.get("id"):
        row.notify_id = str(response["id"])[:40]
        row.notify_status = str(response.get("status") or "created")[:40]
    session.add(row)
    session.commit()


def fail(session: Session, row: Notification, reason: str, *, tell_officer: bool = True) -> None:
    """The message will not arrive. In one transaction: the row is failed, the plan's history
    says so (the officer sees it on the plan page's timeline) and the officer gets an outbox
    message, unless the message was to the officer about their own failed message."""
    row.status = MessageState.FAILED.value
    row.last_error = reason[:200]
    row.status_at = clock.now()
    session.add(row)
    plan = session.get(ReleasePlan, row.plan_id) if row.plan_id is not None else None
    if plan is not None and plan.state == PlanState.CANCELLED.value:
        tell_officer = False
    if plan is not None and tell_officer:
        history.record(
            session,
            plan,
            SYSTEM,
            "message_failed",
            reason=f"{_recipient_words(row.recipient_role)}: {row.subject}. {reason}.",
            detail={"notification_id": row.id, "kind": row.kind},
        )
        if row.kind != notifications.NotificationKind.MESSAGE_FAILED.value:
            from resettlement.scheduling import plan_lines

            line = plan_lines(session, [plan.id])[plan.id]  # type: ignore[list-item,index]
            notifications.enqueue(
                session,
                [
                    messages.message_failed(
                        line, row.id, _recipient_words(row.recipient_role), row.subject, reason
                    )
                ],
            )
    commit(session, "notification")


def _recipient_words(role: str) -> str:
    return {
        Role.PRISON_LEAVER.value: "A message to the person",
        Role.PROBATION_OFFICER.value: "A message to the probation officer",
        Role.GOVERNOR.value: "A message to the governor",
    }.get(role, "A message")


def _with_sign_in_link(session: Session, row: Notification, settings: Settings) -> str:
    """The body to send. A message to a prison leaver gets its sign-in link now: a new link,
    committed before the message leaves (so the link works when it arrives), which stops any
    older one. The stored body keeps only the placeholder."""
    if leaver_access.SIGN_IN_LINK not in row.body or row.plan_id is None:
        return row.body
    _, path = leaver_access.add_link(session=session, actor=SYSTEM, plan_id=row.plan_id)
    commit(session, "leaver link")
    return row.body.replace(leaver_access.SIGN_IN_LINK, settings.link_base_url + path)
