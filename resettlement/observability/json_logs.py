"""Logs as one JSON object a line, each with the request id, when RESETTLEMENT_LOG_FORMAT=json.

Used by every process the service runs: the API (uvicorn's own loggers included), the
`resettlement` command and the flows (Prefect's console loggers included). Every record is
scrubbed as it is made (`resettlement.log_privacy`); the formatter scrubs the finished fields
once more, since a library may attach extra fields of its own.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from resettlement import log_privacy
from resettlement.observability.settings import WatchSettings, get_watch_settings

FIELDS = "%(levelname)s %(name)s %(message)s %(request_id)s"
# The service's own loggers log at RESETTLEMENT_LOG_LEVEL; libraries stay at Python's WARNING.
OWN_LOGGERS = ("api", "resettlement", "workflows", "cli", "uvicorn.access", "uvicorn.error")


class JsonLogFormatter(JsonFormatter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(
            FIELDS,
            rename_fields={"levelname": "level", "name": "logger"},
            # uvicorn's copy of the message with terminal colour codes.
            reserved_attrs=[*RESERVED_ATTRS, "color_message"],
            timestamp="time",
        )

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        scrubbed: dict[str, Any] = log_privacy.scrub_value(log_data)
        return scrubbed


class JsonConsoleHandler(logging.StreamHandler):
    """The one console handler in JSON mode (a marker type, so configuring twice is a no-op)."""


def configure(settings: WatchSettings | None = None) -> None:
    """Scrubs every record from now on and, in JSON mode, writes every console log of this
    process as JSON to stderr. Text mode leaves the console as uvicorn and Prefect set it."""
    settings = settings or get_watch_settings()
    log_privacy.install()
    # A warning is written to stderr around logging, and some quote values (pydantic's
    # serializer warnings quote the input): as log records they are scrubbed too.
    logging.captureWarnings(True)
    if settings.log_format != "json":
        return
    handler = JsonConsoleHandler(sys.stderr)
    handler.setFormatter(JsonLogFormatter())
    root = logging.getLogger()
    loggers = [root] + [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    for logger in loggers:
        # Console handlers (uvicorn's, Prefect's rich one) give way to the JSON one; handlers
        # that send elsewhere (files, Prefect's API) stay.
        consoles = [
            h
            for h in logger.handlers
            if isinstance(h, logging.StreamHandler) and not isinstance(h, logging.FileHandler)
        ]
        if not consoles or all(isinstance(h, JsonConsoleHandler) for h in consoles):
            continue
        for old in consoles:
            logger.removeHandler(old)
        logger.addHandler(handler)
    if not any(isinstance(h, JsonConsoleHandler) for h in root.handlers):
        root.addHandler(handler)
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(settings.log_level)
