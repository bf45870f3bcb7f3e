"""What every process of the service sets up to be watched: its logs and its error reports."""

from __future__ import annotations

from resettlement.observability import error_reports, json_logs
from resettlement.observability.settings import WatchSettings, get_watch_settings

_reporting: set[str] = set()


def watch_this_process(settings: WatchSettings | None = None) -> None:
    """Scrubbed (and, when set, JSON) logs; Sentry when its DSN is set (once per DSN)."""
    settings = settings or get_watch_settings()
    json_logs.configure(settings)
    if settings.sentry_dsn is not None:
        dsn = settings.sentry_dsn.get_secret_value()
        if dsn not in _reporting and error_reports.install(settings):
            _reporting.add(dsn)
