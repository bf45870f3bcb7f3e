"""Settings for watching the service (prefix RESETTLEMENT_): every part is off by default."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class WatchSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RESETTLEMENT_", extra="ignore")

    # "json": one JSON object a line (python-json-logger) with the request id, for a log
    # collector; "text" (the default) for a person at a terminal.
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Prometheus metrics are served on a port of their own, never on the public one, so the
    # load balancer never routes to them. Unset: no metrics. 0 picks a free port (tests).
    metrics_port: int | None = Field(default=None, ge=0, le=65535)
    # Where the metrics port listens: only this machine by default; a scraper elsewhere needs
    # the address it reaches (for example 0.0.0.0 inside a container on a private network).
    metrics_host: str = "127.0.0.1"
    # OpenTelemetry traces, sent over OTLP/HTTP to this collector (e.g.
    # http://otel-collector:4318/v1/traces). Unset: no traces.
    otel_traces_endpoint: str | None = None
    otel_service_name: str = "resettlement"
    # Sentry error reports. Unset: none.
    sentry_dsn: SecretStr | None = None
    sentry_environment: str = "production"
    sentry_traces_sample_rate: float = Field(default=0.0, ge=0.0, le=1.0)


@lru_cache
def get_watch_settings() -> WatchSettings:
    return WatchSettings()
