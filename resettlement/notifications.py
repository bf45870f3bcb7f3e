"""Notifications: one adapter. Every message is written to the outbox table first, once per
idempotency key; when a GOV.UK Notify API key is set, messages with a known address are also
sent through Notify and marked sent.

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

from resettlement import clock, leaver_access
from resettlement.actors import SYSTEM, Role
from resettlement.config import Settings, get_settings
from resettlement.errors import DomainError
from resettlement.models import UTCDateTime
from resettlement.transactions import commit

log = logging.getLogger(__name__)


class NotificationKind(StrEnum):
    # To the probation officer.
    STAGE_BLOCKED = "stage_blocked"
    CHECKLIST_DUE = "checklist_due"
    NO_ACCOMMODATION = "no_accommodation"
    EARLY_RELEASE_ASSESSMENT = "early_release_assessment"
    NOT_READY = "not_ready"
    FOLLOWUP_DUE = "followup_due"
    REFERRAL_UNANSWERED = "referral_unanswered"
    # To the governor of the prison.
    DECISION_DUE = "decision_due"
    # To the prison leaver.
    PLAN_READY = "plan_ready"
    SIGN_IN_LINK_TEXT = "sign_in_link_text"


class Channel(StrEnum):
    OUTBOX = "outbox"
    GOVUK_NOTIFY = "govuk_notify"


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
    )
    statement = (
        postgresql.insert(table)
        .from_select([*_PER_MESSAGE, "created_at", "channel"], source)
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


def _notify_client(api_key: str) -> NotifyClient:
    from notifications_python_client.notifications import NotificationsAPIClient

    client: NotifyClient = NotificationsAPIClient(api_key)
    return client


# Tests replace this to record what would be sent.
client_factory: Callable[[str], NotifyClient] = _notify_client


def _template_for(settings: Settings, kind: str) -> str | None:
    return settings.notify_template_ids.get(kind) or settings.notify_template_ids.get("default")


def deliver(session: Session, notification_ids: Sequence[int]) -> dict[str, int]:
    """Sends the given outbox rows through GOV.UK Notify when it is configured. Rows without a
    known address or template stay in the outbox. Commits the rows it marks sent."""
    settings = get_settings()
    if settings.notify_api_key is None or not notification_ids:
        return {}
    client = client_factory(settings.notify_api_key.get_secret_value())
    counts = {"notify_sent": 0, "notify_unaddressed": 0, "notify_failed": 0}
    rows = session.exec(
        select(Notification).where(
            col(Notification.id).in_(list(notification_ids)),
            col(Notification.sent_at).is_(None),
        )
    ).all()
    for row in rows:
        address = settings.notify_recipients.get(f"{row.recipient_role}:{row.recipient_id}")
        template = _template_for(settings, row.kind)
        if address is None or template is None:
            counts["notify_unaddressed"] += 1
            continue
        try:
            body = _with_sign_in_link(session, row, settings)
        except DomainError as exc:
            # The plan was cancelled or withdrawn since the message was written: nothing to send.
            log.warning("notification %s not sent: %s", row.id, exc.title)
            counts["notify_failed"] += 1
            continue
        try:
            client.send_email_notification(
                email_address=address,
                template_id=template,
                personalisation={"subject": row.subject, "body": body},
                # Notify shows the reference; it ties a sent email back to the outbox row.
                reference=row.idempotency_key,
            )
        except Exception as exc:  # Notify's HTTPError or a network failure: keep it queued.
            log.warning("GOV.UK Notify refused notification %s: %s", row.id, exc)
            counts["notify_failed"] += 1
            continue
        row.sent_at = clock.now()
        row.channel = Channel.GOVUK_NOTIFY.value
        session.add(row)
        session.commit()
        counts["notify_sent"] += 1
    return counts


def _with_sign_in_link(session: Session, row: Notification, settings: Settings) -> str:
    """The body to send. A message to a prison leaver gets its sign-in link now: a new link,
    committed before the message leaves (so the link works when it arrives), which stops any
    older one. The stored body keeps only the placeholder."""
    if leaver_access.SIGN_IN_LINK not in row.body or row.plan_id is None:
        return row.body
    _, path = leaver_access.add_link(session=session, actor=SYSTEM, plan_id=row.plan_id)
    commit(session, "leaver link")
    return row.body.replace(leaver_access.SIGN_IN_LINK, settings.link_base_url + path)


def texts_available(settings: Settings) -> bool:
    """Whether text messages can be sent from here: a Notify key and an SMS template."""
    return settings.notify_api_key is not None and bool(settings.notify_sms_template_id)


def send_text(settings: Settings, *, phone_number: str, body: str, reference: str) -> None:
    """One text message through GOV.UK Notify, now. Raises whatever Notify or the network
    raises; the caller decides what that undoes."""
    assert settings.notify_api_key is not None and settings.notify_sms_template_id
    client = client_factory(settings.notify_api_key.get_secret_value())
    client.send_sms_notification(
        phone_number=phone_number,
        template_id=settings.notify_sms_template_id,
        personalisation={"body": body},
        reference=reference,
    )


# --- reading ------------------------------------------------------------------------------


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
