"""No personal data in any log line: the values a database error quotes are scrubbed.

`hide_parameters` keeps bound values out of SQLAlchemy's messages, but PostgreSQL's own DETAIL
quotes the row: `Key (crn)=(G067337) already exists`, `Failing row contains (...)`. Every log
record this process makes (ours, uvicorn's, Prefect's, any library's) is scrubbed as it is
made, its message, arguments and traceback alike, by wrapping the logging record factory:
a filter on one logger or handler would miss records that reach others.
"""

from __future__ import annotations

import logging
import re
from typing import Any

REDACTED = "[redacted]"
_SCRUBS = (
    # PostgreSQL's DETAIL line, whatever it quotes (keys, failing rows, referenced values).
    (re.compile(r"^(\s*DETAIL:).*$", re.MULTILINE), rf"\1 {REDACTED}"),
    # The same facts where a driver or library repeats them outside a DETAIL line.
    (re.compile(r"Key \(([^)]*)\)=\((?:[^()]|\([^()]*\))*\)"), rf"Key (\1)=({REDACTED})"),
    (re.compile(r"Failing row contains \(.*\)"), f"Failing row contains ({REDACTED})"),
    # SQLAlchemy's bound values, from an engine made without hide_parameters.
    (re.compile(r"^\[parameters: .*$", re.MULTILINE), f"[parameters: {REDACTED}]"),
)


def scrub(text: str) -> str:
    for pattern, replacement in _SCRUBS:
        text = pattern.sub(replacement, text)
    return text


def scrub_record(record: logging.LogRecord) -> logging.LogRecord:
    if isinstance(record.msg, str):
        record.msg = scrub(record.msg)
    elif isinstance(record.msg, BaseException):
        record.msg = scrub(str(record.msg))
    if isinstance(record.args, tuple):
        record.args = tuple(_scrub_arg(arg) for arg in record.args)
    elif isinstance(record.args, dict):
        record.args = {key: _scrub_arg(value) for key, value in record.args.items()}
    if record.exc_info and record.exc_info[1] is not None:
        # Formatted once, here, scrubbed: formatters use exc_text when it is set.
        record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = scrub(record.stack_info)
    return record


def _scrub_arg(arg: Any) -> Any:
    if isinstance(arg, str):
        return scrub(arg)
    if isinstance(arg, BaseException):
        return scrub(str(arg))
    return arg


class ScrubDatabaseDetail(logging.Filter):
    """The same scrubbing as a filter, for handlers a deployment configures itself."""

    def filter(self, record: logging.LogRecord) -> bool:
        scrub_record(record)
        return True


def install() -> None:
    """Scrubs every log record the process makes from now on (once, however often called)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "scrubs_database_detail", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return scrub_record(previous(*args, **kwargs))

    factory.scrubs_database_detail = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
