"""Notifications: the outbox. Every message is written to the outbox table first, once per
idempotency key; when a GOV.UK Notify API key is set, resettlement/delivery/ sends the ones with
a known address through Notify and follows each until it arrives or fails.

The outbox is the record of what the service told whom, and the source the API reads.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import Integer, Text, bindparam, func
from sqlalchemy import select as core_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, Session, SQLModel, col, select

from resettlement import clock
from resettlement.actors import Role
from resettlement.config import Settings, get_settings
from resettlement.models import UTCDateTime

log = logging.getLogger(__name__)


class NotificationKind(StrEnum):
    # To the probation officer.
    STAGE_BLOCKED = "stage_blocked"
    CHECKLIST_DUE = "checklist_due"
    NO_ACCOMMODATION = "no_accommodation"
    EARLY_RELEASE_ASSESSMENT = "early_release_assessment"
    NOT_READY = "not_ready"
    FOLLOWUP_DUE = "followup_due"
    MESSAGE_FAILED = "message_failed"
    REFERRAL_UNANSWERED = "referral_unanswered"
    # To the governor of the prison.
    DECISION_DUE = "decision_due"
    # To the prison leaver.
    PLAN_READY = "plan_ready"
    SIGN_IN_LINK_TEXT = "sign_in_link_text"


class Channel(StrEnum):
    OUTBOX = "outbox"
    GOVUK_NOTIFY = "govuk_notify"


class MessageState(StrEnum):
    """Where a message is on its way (resettlement/delivery/ moves it on)."""

    # In the outbox, waiting to go through Notify (or, without Notify, kept there to be read).
    QUEUED = "queued"
    # An attempt was recorded and may have reached Notify: the next one asks Notify first.
    SENDING = "sending"
    # Notify took it.
    SENT = "sent"
    # Notify says it arrived.
    DELIVERED = "delivered"
    # It will not arrive: a permanent refusal, the attempts used up, or Notify's own failure.
    FAILED = "failed"
    # Notify is set up but has no address (or template) for this recipient: outbox only.
    HELD = "held"


UNSENT_STATES = (MessageState.QUEUED.value, MessageState.SENDING.value)


class Notification(SQLModel, table=True):
    __tablename__ = "notification"
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    recipient_role: str = Field(max_length=30)
    # The officer's id, the governor's prison code, or the plan id for a prison leaver.
    recipient_id: str = Field(index=True, max_length=100)
    plan_id: int | None = Field(default=None, foreign_key="release_plan.id", index=True)
    request_id: int | None = Field(default=None, foreign_key="early_release_request.id")
    kind: str = Field(max_length=40)
    language: str = Field(default="en", max_length=2)
    subject: str = Field(max_length=200)
    body: str = Field(sa_type=Text)
    # One message per key, ever: a re-run of a workflow for the same day sends nothing twice.
    idempotency_key: str = Field(unique=True, max_length=200)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    channel: str = Field(default=Channel.OUTBOX.value, max_length=20)
    status: str = Field(
        default=MessageState.QUEUED.value,
        max_length=20,
        index=True,
        sa_column_kwargs={"server_default": MessageState.QUEUED.value},
    )
    # Requests made to Notify for this message, each recorded before it was made.
    attempts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    last_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Why the last attempt failed, in words with no personal data ("HTTP 429", "timed out").
    last_error: str | None = Field(default=None, max_length=200)
    notify_id: str | None = Field(default=None, max_length=40)
    # Notify's own word for it ("delivered", "permanent-failure"), and when it was read.
    notify_status: str | None = Field(default=None, max_length=40)
    status_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class NotificationPublic(SQLModel):
    id: int
    created_at: datetime
    recipient_role: str
    recipient_id: str
    plan_id: int | None
    request_id: int | None
    kind: str
    language: str
    subject: str
    body: str
    sent_at: datetime | None
    channel: str
    status: str
    attempts: int
    last_attempt_at: datetime | None
    last_error: str | None
    notify_status: str | None
    status_at: datetime | None


@dataclass(frozen=True)
class Message:
    recipient_role: Role
    recipient_id: str
    kind: NotificationKind
    subject: str
    body: str
    idempotency_key: str
    plan_id: int | None = None
    request_id: int | None = None
    language: str = "en"


def enqueue(session: Session, messages: Sequence[Message]) -> list[int]:
    """Adds the messages not already in the outbox, in one statement, inside the caller's
    transaction. Returns the ids of the rows added (the ones to deliver after commit)."""
    if not messages:
        return []
    now = clock.now()
    rows = {
        m.idempotency_key: {
            "created_at": now,
            "recipient_role": m.recipient_role.value,
            "recipient_id": m.recipient_id,
            "plan_id": m.plan_id,
            "request_id": m.request_id,
            "kind": m.kind.value,
            "language": m.language,
            "subject": m.subject[:200],
            "body": m.body,
            "idempotency_key": m.idempotency_key,
            "sent_at": None,
            "channel": Channel.OUTBOX.value,
            "status": MessageState.QUEUED.value,
            "attempts": 0,
        }
        for m in messages
    }
    table = Notification.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return _enqueue_postgresql(session, table, list(rows.values()))
    # executemany, which SQLAlchemy sends as a few multi-row INSERTs from one cached compiled
    # statement; a multi-row .values() would compile afresh for every batch.
    statement = (
        sqlite.insert(table)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(table.c.id)
    )
    return sorted(row[0] for row in session.execute(statement, list(rows.values())))


# The columns that differ from message to message; the rest are the same for a whole batch.
_PER_MESSAGE = ["recipient_role", "recipient_id", "plan_id", "request_id", "kind", "language",
                "subject", "body", "idempotency_key"]  # fmt: skip


def _unsized(column: Any) -> Any:
    return Integer() if isinstance(column.type, Integer) else Text()


def _enqueue_postgresql(session: Session, table: Any, rows: list[dict[str, Any]]) -> list[int]:
    """One INSERT ... SELECT FROM unnest(arrays), whatever the batch holds: a statement of a
    fixed, short text that psycopg converts once and caches, where a multi-row VALUES of a
    batch (twelve placeholders a message) was parsed afresh on every execution."""
    columns = [table.c[name] for name in _PER_MESSAGE]
    arrays = [
        # Unsized element types: a cast to varchar(n)[] would cut a long value silently, where
        # the insert's own conversion refuses it, as the row-by-row form did.
        bindparam(name, [row[name] for row in rows], type_=postgresql.ARRAY(_unsized(column)))
        for name, column in zip(_PER_MESSAGE, columns, strict=True)
    ]
    unnested = func.unnest(*arrays).table_valued(*_PER_MESSAGE).render_derived()
    source = core_select(
        *(unnested.c[name] for name in _PER_MESSAGE),
        bindparam("created_at", rows[0]["created_at"], type_=table.c.created_at.type),
        bindparam("channel", Channel.OUTBOX.value, type_=table.c.channel.type),
        bindparam("status", MessageState.QUEUED.value, type_=table.c.status.type),
        bindparam("attempts", 0, type_=table.c.attempts.type),
    )
    statement = (
        postgresql.insert(table)
        .from_select([*_PER_MESSAGE, "created_at", "channel", "status", "attempts"], source)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(table.c.id)
    )
    return sorted(row[0] for row in session.execute(statement))


# --- GOV.UK Notify ------------------------------------------------------------------------


class NotifyClient(Protocol):
    def send_email_notification(
        self,
        email_address: str,
        template_id: str,
        personalisation: dict[str, str] | None = None,
        reference: str | None = None,
    ) -> Any: ...

    def send_sms_notification(
        self,
        phone_number: str,
        template_id: str,
        personalisation: dict[str, str] | None = None,
        reference: str | None = None,
    ) -> Any: ...

    def get_notification_by_id(self, id: str) -> Any: ...

    def get_all_notifications(
        self,
        status: str | None = None,
        template_type: str | None = None,
        reference: str | None = None,
        older_than: str | None = None,
        include_jobs: bool | None = None,
    ) -> Any: ...


def _notify_client(api_key: str) -> NotifyClient:
    from notifications_python_client.notifications import NotificationsAPIClient

    settings = get_settings()
    client: NotifyClient = NotificationsAPIClient(
        api_key, base_url=settings.notify_base_url, timeout=settings.notify_timeout_seconds
    )
    return client


# Tests replace this to record what would be sent.
client_factory: Callable[[str], NotifyClient] = _notify_client


def texts_available(settings: Settings) -> bool:
    """Whether text messages can be sent from here: a Notify key and an SMS template."""
    return settings.notify_api_key is not None and bool(settings.notify_sms_template_id)


def send_text(settings: Settings, *, phone_number: str, body: str, reference: str) -> str | None:
    """One text message through GOV.UK Notify, now, trying a transient failure again (a few
    quick tries: someone is waiting). Returns Notify's id for it; raises whatever Notify or the
    network raised last; the caller decides what that undoes."""
    from resettlement.delivery.notify_api import quick_tries

    assert settings.notify_api_key is not None and settings.notify_sms_template_id
    template_id = settings.notify_sms_template_id
    client = client_factory(settings.notify_api_key.get_secret_value())
    sent_before: list[str] = []

    def attempt() -> Any:
        # A try after a timeout may follow one that reached Notify: ask before sending again.
        if sent_before:
            from resettlement.delivery.notify_api import find_by_reference

            found = find_by_reference(client, reference)
            if found is not None:
                return found
        sent_before.append(reference)
        return client.send_sms_notification(
            phone_number=phone_number,
            template_id=template_id,
            personalisation={"body": body},
            reference=reference,
        )

    response = quick_tries(settings)(attempt)
    return response.get("id") if isinstance(response, dict) else None


# --- reading ------------------------------------------------------------------------------


def count_failed(session: Session, *, plan_id: int) -> int:
    """Messages about the plan that will not arrive (the plan page warns of them)."""
    return int(
        session.exec(
            select(func.count())
            .select_from(Notification)
            .where(
                Notification.plan_id == plan_id,
                Notification.status == MessageState.FAILED.value,
            )
        ).one()
    )


def list_notifications(
    session: Session,
    *,
    recipient_role: str | None = None,
    recipient_id: str | None = None,
    plan_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Notification]:
    """The outbox, newest first, optionally for one recipient or one plan."""
    statement = select(Notification)
    if recipient_role is not None:
        statement = statement.where(Notification.recipient_role == str(recipient_role))
    if recipient_id is not None:
        statement = statement.where(Notification.recipient_id == recipient_id)
    if plan_id is not None:
        statement = statement.where(Notification.plan_id == plan_id)
    statement = statement.order_by(col(Notification.id).desc()).limit(limit).offset(offset)
    return list(session.exec(statement).all())
