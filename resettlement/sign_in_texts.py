"""Sending the person their sign-in link by text message, through GOV.UK Notify, to the mobile
they agreed to be texted on.

A new link is issued (stopping older ones) and the text is sent inside the same transaction:
if Notify does not accept the text, nothing is committed and the person's old link still
works; once Notify has accepted it, the new link is committed so it works when it arrives.
Like release day's message, the outbox keeps the text with the [sign-in link] placeholder: the
link's secret exists only in the message Notify sends, never in a table.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlmodel import Session

from resettlement import audit, clock, history, leaver_access, notifications
from resettlement.actors import Actor, Role
from resettlement.config import get_settings
from resettlement.errors import GuardRefused, Unavailable, UnmetCondition
from resettlement.leaver_access import SIGN_IN_LINK, LeaverLink
from resettlement.models import Language, Person
from resettlement.notifications import Channel, MessageState, Notification, NotificationKind
from resettlement.person_mobile import mobile_of, officers_person
from resettlement.transactions import commit, service

log = logging.getLogger(__name__)

TEXTED = "text_message"
PRINTED = "printed"

NOT_SET_UP = (
    "Text messages cannot be sent from here: GOV.UK Notify is not set up for this service. "
    "Print the sign-in link and hand it to the person instead."
)


class TextNotSent(Unavailable):
    """Notify did not take the text (it refused it, or could not be reached): nothing changed."""

    title = "The text message was not sent"
    database_lost = False


@dataclass(frozen=True)
class SentText:
    link: LeaverLink
    national_number: str


def text_body(given_name: str, language: str, ttl_days: int) -> str:
    """The text as stored and sent, with the placeholder where the link goes."""
    if language == Language.CY.value:
        return (
            f"Helo {given_name}, dyma'r ddolen i'ch cynllun 48 awr gan eich swyddog prawf: "
            f"{SIGN_IN_LINK} Bydd angen eich dyddiad geni. Mae'n gweithio am {ttl_days} diwrnod."
        )
    return (
        f"Hello {given_name}, here is the link to your 48-hour plan from your probation "
        f"officer: {SIGN_IN_LINK} You will be asked for your date of birth. "
        f"It works for {ttl_days} days."
    )


@service
def text_sign_in_link(
    *, session: Session, actor: Actor, plan_id: int, ttl_days: int = 7
) -> SentText:
    """Issues a new sign-in link and texts it to the person's own mobile. Refused, with what
    to do instead, when Notify is not set up or the person has no number they agreed to."""
    plan, person = officers_person(session, actor, plan_id, open_only=False)
    settings = get_settings()
    if not notifications.texts_available(settings):
        raise GuardRefused("text_sign_in_link", [UnmetCondition("notify_set_up", NOT_SET_UP)])
    mobile = mobile_of(person)
    if mobile is None:
        raise GuardRefused(
            "text_sign_in_link",
            [
                UnmetCondition(
                    "mobile_with_consent",
                    "Record the person's own mobile number, with their agreement, before "
                    "texting them their sign-in link.",
                )
            ],
        )
    link, path = leaver_access.add_link(
        session=session, actor=actor, plan_id=plan_id, ttl_days=ttl_days
    )
    link.handed_over = TEXTED
    link.sent_to = mobile.e164
    body = text_body(person.given_name, _language(person), ttl_days)
    message = Notification(
        recipient_role=Role.PRISON_LEAVER.value,
        recipient_id=str(plan_id),
        plan_id=plan_id,
        kind=NotificationKind.SIGN_IN_LINK_TEXT.value,
        language=_language(person),
        subject="Your sign-in link, by text message",
        body=body,
        idempotency_key=f"sign_in_link_text:{link.id}",
        channel=Channel.GOVUK_NOTIFY.value,
    )
    session.add(message)
    session.flush()
    try:
        notify_id = notifications.send_text(
            settings,
            phone_number=mobile.e164,
            body=body.replace(SIGN_IN_LINK, settings.link_base_url + path),
            reference=message.idempotency_key,
        )
    except Exception as exc:  # Notify's HTTPError or a network failure: undo the new link.
        session.rollback()
        log.warning("GOV.UK Notify did not send the sign-in text for plan %s: %s", plan_id, exc)
        raise TextNotSent(
            "GOV.UK Notify did not send the text message, so nothing has changed: the "
            "person's old link, if they had one, still works. Try again shortly, or print "
            "the link instead."
        ) from None
    now = clock.now()
    link.sent_at = now
    message.sent_at = now
    message.status = MessageState.SENT.value
    message.notify_id = notify_id
    message.attempts = 1
    message.last_attempt_at = now
    history.record(session, plan, actor, "leaver_link_texted", detail={"link_id": link.id})
    audit.record(session, actor, "text_leaver_link", "plan", plan_id)
    commit(session, "leaver link")
    return SentText(link=link, national_number=mobile.national)


def _language(person: Person) -> str:
    return str(person.preferred_language or Language.EN.value)
