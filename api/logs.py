"""What the server's logs must never hold: a prison leaver's sign-in link secret.

The secret is part of the link's path, and uvicorn's access log writes every path. Anyone who
can read the logs could otherwise open the plan (the date of birth aside).
"""

from __future__ import annotations

import logging
import re

from resettlement.leaver_access import LINK_PATH

SECRET_IN_PATH = re.compile(re.escape(LINK_PATH) + r"[^/?#\s\"]+")
REDACTED = LINK_PATH + "[redacted]"


class RedactLinkSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                SECRET_IN_PATH.sub(REDACTED, arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        if isinstance(record.msg, str):
            record.msg = SECRET_IN_PATH.sub(REDACTED, record.msg)
        return True


def redact_link_secrets() -> None:
    """Filters uvicorn's access log (once, however many apps are built in one process)."""
    logger = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactLinkSecrets) for f in logger.filters):
        logger.addFilter(RedactLinkSecrets())
