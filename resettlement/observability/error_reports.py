"""Sentry error reports, when RESETTLEMENT_SENTRY_DSN is set, scrubbed before they leave.

Sentry's defaults would send the request's URL (a prison leaver's `/plan-link/<secret>`), the
exception's message and every frame's local variables. Here local variables and request bodies
are never sent, no personal data is sent by default (`send_default_pii`), and `before_send`
runs the one scrubber (resettlement/log_privacy.py) over the whole event: messages,
exceptions, breadcrumbs (log lines), request details and tags.
"""

from __future__ import annotations

from typing import Any

from resettlement import log_privacy
from resettlement.observability.settings import WatchSettings


def scrub_event(event: Any, _hint: Any = None) -> Any:
    return log_privacy.scrub_value(event)


def scrub_breadcrumb(crumb: Any, _hint: Any = None) -> Any:
    return log_privacy.scrub_value(crumb)


def install(settings: WatchSettings, **overrides: Any) -> bool:
    """Starts Sentry for this process; says whether it did. `overrides` are passed to
    `sentry_sdk.init` as they are (a test's transport)."""
    if settings.sentry_dsn is None:
        return False
    import sentry_sdk

    options: dict[str, Any] = {
        "dsn": settings.sentry_dsn.get_secret_value(),
        "environment": settings.sentry_environment,
        "send_default_pii": False,
        "include_local_variables": False,
        "max_request_body_size": "never",
        "before_send": scrub_event,
        "before_send_transaction": scrub_event,
        "before_breadcrumb": scrub_breadcrumb,
        "traces_sample_rate": settings.sentry_traces_sample_rate,
    }
    sentry_sdk.init(**(options | overrides))
    return True
