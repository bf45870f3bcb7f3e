"""Talking to GOV.UK Notify: which failures are worth another try, how long to wait, how to
ask whether a message already reached it. No database here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from resettlement.config import Settings
from resettlement.notifications import NotifyClient

T = TypeVar("T")

# Notify's statuses (https://docs.notifications.service.gov.uk/rest-api.html#status): the
# ones that end a message's way. "sent" is an international text that will not report back.
DELIVERED = frozenset({"delivered", "sent"})
FAILED = frozenset(
    {"permanent-failure", "temporary-failure", "technical-failure", "validation-failed"}
)


def status_code(error: BaseException) -> int | None:
    """The HTTP status of a Notify client error (503 when no response came: a timeout or a
    dropped connection, as the client reports it); None for anything else."""
    from notifications_python_client.errors import APIError

    if isinstance(error, APIError):
        return int(error.status_code)
    return None


def answered(error: BaseException) -> bool:
    """Whether Notify answered (with an error), so the request certainly sent nothing."""
    return status_code(error) is not None and getattr(error, "response", None) is not None


def is_transient(error: BaseException) -> bool:
    """429 (Notify's rate limit), any 5xx, a timeout: another try later may succeed."""
    code = status_code(error)
    return code is not None and (code == 429 or code >= 500)


def is_permanent(error: BaseException) -> bool:
    """Any other 4xx: a bad address, a missing template, a refused key. Never tried again."""
    code = status_code(error)
    return code is not None and 400 <= code < 500 and code != 429


def describe(error: BaseException) -> str:
    """What went wrong in words that hold no personal data: Notify's error messages can quote
    the address, so only the status (or the kind of error) is kept."""
    code = status_code(error)
    if code is None:
        return type(error).__name__[:200]
    if not answered(error):
        return "no answer from GOV.UK Notify (timed out or could not connect)"
    return f"GOV.UK Notify answered HTTP {code}"


def tries(settings: Settings, limit: int) -> Callable[[Callable[[], T]], T]:
    """Up to `limit` tries of a transient failure, with exponential backoff; the last error
    is raised as it was."""
    retrying = Retrying(
        stop=stop_after_attempt(max(1, limit)),
        wait=wait_exponential(multiplier=settings.notify_retry_wait_seconds, max=30),
        retry=retry_if_exception(is_transient),
        reraise=True,
    )
    return lambda fn: retrying(fn)


def quick_tries(settings: Settings) -> Callable[[Callable[[], T]], T]:
    """For a request someone is waiting on (texting a sign-in link): three tries at most."""
    return tries(settings, min(3, settings.notify_tries_per_round))


def find_by_reference(client: NotifyClient, reference: str) -> dict[str, Any] | None:
    """The notification Notify holds with this reference, if an earlier attempt reached it."""
    answer = client.get_all_notifications(reference=reference)
    found = answer.get("notifications", []) if isinstance(answer, dict) else []
    return found[0] if found else None
