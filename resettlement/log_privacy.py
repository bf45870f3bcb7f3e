"""No personal data and no secret in any log line, trace or error report.

The one scrubber of the service. It removes:

- a prison leaver's sign-in link secret, wherever its path appears (uvicorn's access log
  writes every path; a `next=` address holds it URL-encoded), and on its own;
- dates of birth: any date at least ten years past, in the forms the service and its libraries
  write (`1980-02-01`, `01/02/1980`, `1 02 1980`, `1 February 1980`, `date(1980, 2, 1)`).
  Nothing in a log line can tell a date of birth from another date, so every date that old
  goes: the people the service plans for are at least ten, and its own dates (releases,
  appointments, runs) are recent;
- phone numbers: a UK number of 10 or 11 digits written from its leading 0, or any
  international one (`+44 7700 900123`, `0044...`);
- what PostgreSQL quotes in an error: `hide_parameters` keeps bound values out of
  SQLAlchemy's messages, but the server's DETAIL quotes the row (`Key (crn)=(G067337) already
  exists`, `Failing row contains (...)`).

Every log record this process makes (ours, uvicorn's, Prefect's, any library's) is scrubbed as
it is made, its message, arguments and traceback alike, by wrapping the logging record factory:
a filter on one logger or handler would miss records that reach others. The JSON log
formatter, the trace exporter and Sentry's `before_send` run the same `scrub` over what they
send, and `scrub_value` also redacts any field whose name says what it holds.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from resettlement.leaver_access import LINK_PATH
from resettlement.observability import request_ids

REDACTED = "[redacted]"
# The youngest people the service plans for are over ten (the age of criminal responsibility).
DATE_OF_BIRTH_MIN_AGE_YEARS = 10

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))

_DATABASE_DETAIL = (
    # PostgreSQL's DETAIL line, whatever it quotes (keys, failing rows, referenced values).
    (re.compile(r"^(\s*DETAIL:).*$", re.MULTILINE), rf"\1 {REDACTED}"),
    # The same facts where a driver or library repeats them outside a DETAIL line.
    (re.compile(r"Key \(([^)]*)\)=\((?:[^()]|\([^()]*\))*\)"), rf"Key (\1)=({REDACTED})"),
    (re.compile(r"Failing row contains \(.*\)"), f"Failing row contains ({REDACTED})"),
    # SQLAlchemy's bound values, from an engine made without hide_parameters.
    (re.compile(r"^\[parameters: .*$", re.MULTILINE), f"[parameters: {REDACTED}]"),
)
_LINK_SECRET = re.compile(
    "(" + re.escape(LINK_PATH).replace("/", "(?:/|%2F)") + r")[^/?#&\s\"'<>]+", re.IGNORECASE
)
# The secret on its own, as an exception's message might quote it: `secrets.token_urlsafe(32)`
# is 43 characters of the URL-safe alphabet (so is an HS256 token's signature, also a secret).
# Request ids (32 hex), hashes (64) and UUIDs (36) are other lengths.
_BARE_SECRET = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])")
# Each pattern names its year, month and day groups; the date goes if it is old enough.
_DATES = (
    re.compile(r"(?<!\d)(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)"),
    re.compile(r"(?<![\d.:])(?P<d>\d{1,2})[-/. ](?P<m>\d{1,2})[-/. ](?P<y>\d{4})(?!\d)"),
    re.compile(
        rf"(?<!\d)(?P<d>\d{{1,2}})(?:st|nd|rd|th)?[ -](?P<mn>{_MONTH_NAMES})\.?,?[ -]"
        r"(?P<y>\d{4})(?!\d)",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\b(?P<mn>{_MONTH_NAMES})\.? (?P<d>\d{{1,2}})(?:st|nd|rd|th)?,? (?P<y>\d{{4}})(?!\d)",
        re.IGNORECASE,
    ),
    # Python's repr, as pydantic's and SQLAlchemy's messages quote a value.
    re.compile(r"date(?:time)?\((?P<y>\d{4}), (?P<m>\d{1,2}), (?P<d>\d{1,2})[,)]"),
)
# A run of digits, spaces, hyphens and brackets that starts like a phone number and is not
# part of a longer word, number or path; `_phone` decides by its digits.
_PHONE = re.compile(r"(?<![\w.%/+-])(?:\+|\(?0)[\d ()-]{6,22}\d(?!\w|-\w)")


def _old_enough(match: re.Match[str]) -> str:
    groups = match.groupdict()
    try:
        month = int(groups["m"]) if groups.get("m") else _MONTHS[groups["mn"].lower()]
        found = date(int(groups["y"]), month, int(groups["d"]))
    except (ValueError, KeyError):
        return match.group(0)
    today = date.today()
    if found.year < 1900 or found > today.replace(year=today.year - DATE_OF_BIRTH_MIN_AGE_YEARS):
        return match.group(0)
    return REDACTED


def _phone(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = sum(c.isdigit() for c in text)
    international = text.startswith("+") or text.lstrip("(").startswith("00")
    return REDACTED if digits >= (8 if international else 10) else text


def scrub(text: str) -> str:
    for pattern, replacement in _DATABASE_DETAIL:
        text = pattern.sub(replacement, text)
    text = _LINK_SECRET.sub(rf"\1{REDACTED}", text)
    text = _BARE_SECRET.sub(REDACTED, text)
    for date_pattern in _DATES:
        text = date_pattern.sub(_old_enough, text)
    return _PHONE.sub(_phone, text)


# A field named for one of these is redacted whatever its value looks like.
_SENSITIVE_NAME = re.compile(
    r"birth|dob|phone|mobile|secret|password|token|authorization|cookie|api_key", re.IGNORECASE
)


def sensitive_name(name: str) -> bool:
    return bool(_SENSITIVE_NAME.search(name))


def scrub_value(value: Any, name: str = "") -> Any:
    """A structure (a JSON log line's fields, a trace's attributes, an error report) with every
    string scrubbed and every field whose name says it holds a secret or personal data
    redacted."""
    if name and sensitive_name(name) and value not in (None, "", [], {}):
        return REDACTED
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {key: scrub_value(item, str(key)) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(scrub_value(item) for item in value)
    if isinstance(value, BaseException):
        return scrub(str(value))
    if isinstance(value, int | float | bool) or value is None:
        return value
    text = str(value)
    scrubbed = scrub(text)
    return value if scrubbed == text else scrubbed


def scrub_record(record: logging.LogRecord) -> logging.LogRecord:
    if isinstance(record.msg, str):
        record.msg = scrub(record.msg)
    elif isinstance(record.msg, BaseException):
        record.msg = scrub(str(record.msg))
    if isinstance(record.args, tuple):
        record.args = tuple(scrub_value(arg) for arg in record.args)
    elif isinstance(record.args, dict):
        record.args = {key: scrub_value(value) for key, value in record.args.items()}
    if record.exc_info and record.exc_info[1] is not None:
        # Formatted once, here, scrubbed: formatters use exc_text when it is set.
        record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = scrub(record.stack_info)
    return record


class ScrubDatabaseDetail(logging.Filter):
    """The same scrubbing as a filter, for handlers a deployment configures itself."""

    def filter(self, record: logging.LogRecord) -> bool:
        scrub_record(record)
        return True


class _ScrubbedRecord(logging.LogRecord):
    # A date split across arguments ("%d-%02d-%02d") only appears once they are put together.
    def getMessage(self) -> str:
        return scrub(super().getMessage())


_scrubbed_classes: dict[type[logging.LogRecord], type[logging.LogRecord]] = {
    logging.LogRecord: _ScrubbedRecord
}


def _scrubbed_class(cls: type[logging.LogRecord]) -> type[logging.LogRecord]:
    if cls not in _scrubbed_classes:
        _scrubbed_classes[cls] = type(f"Scrubbed{cls.__name__}", (_ScrubbedRecord, cls), {})
    return _scrubbed_classes[cls]


def install() -> None:
    """Scrubs every log record the process makes from now on (once, however often called),
    and stamps each with the id of the request being served (None outside requests)."""
    previous: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()
    if getattr(previous, "scrubs_personal_data", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = scrub_record(previous(*args, **kwargs))
        record.__class__ = _scrubbed_class(type(record))
        record.request_id = request_ids.current.get()
        return record

    factory.scrubs_personal_data = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
