"""One settings object for the whole service, read from the environment (prefix RESETTLEMENT_)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    # Per-user, like other XDG-aware tools: a fresh machine needs no set-up beyond pip.
    import os

    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "resettlement"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RESETTLEMENT_", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir)
    # DATABASE_URL (no prefix) is the convention every platform uses for PostgreSQL.
    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    # PostgreSQL: the role that owns the schema and runs migrations. The service connects with
    # DATABASE_URL as a role that may only INSERT and SELECT the audit trail; `resettlement db
    # upgrade` migrates as this owner and grants the service's role what it needs.
    database_owner_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_OWNER_URL", "MIGRATION_DATABASE_URL")
    )
    # A pooled PostgreSQL connection idle for longer than this is pinged before it is used
    # again. One returned moments ago is not: the ping would be a round trip on every request.
    db_ping_after_idle_seconds: float = Field(default=10.0, ge=0)
    # Working days before the walk-out date by which the governor must decide a request.
    decision_deadline_working_days: int = 5

    # The scheduled workflows (read in workflows/schedules.py for local mode and prefect.yaml):
    # Europe/London wall-clock times.
    scan_time: str = Field(default="06:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    release_day_time: str = Field(default="06:30", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    followup_time: str = Field(default="09:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    # The nightly refresh of GOV.UK's bank holidays (workflows: calendar-refresh), from this
    # address; a failed or malformed fetch keeps the last good copy.
    calendar_refresh_time: str = Field(default="02:30", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    bank_holidays_url: str = "https://www.gov.uk/bank-holidays.json"
    # The message sweep (workflows: message-sweep) runs this often: it sends again what did not
    # go, and records what Notify says became of what did.
    message_sweep_minutes: int = Field(default=5, ge=1, le=60)
    retention_time: str = Field(default="03:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    # Retention periods in days by kind of record, overriding the schedule's defaults
    # (resettlement/privacy/retention.py SCHEDULE), e.g. {"person": 2557}.
    retention_days: dict[str, int] = Field(default_factory=dict)
    # The key for audit-trail pseudonyms: without it the same pseudonym is made by anyone who
    # guesses an actor's id. Set it in production, and never change it.
    pseudonym_key: SecretStr | None = None
    # Set by the `resettlement` command (up, flows run, flows serve) for the processes it
    # starts: there the workflows may use the embedded SQLite database. Anywhere else (a
    # Prefect worker) they refuse to run without DATABASE_URL rather than fill a new empty file.
    local_mode: bool = False
    # Plans per workflow task: one transaction and one set of queries each.
    workflow_batch_size: int = Field(default=500, ge=1, le=10_000)
    # Intake (resettlement/intake): the folder the `intake-folder` flow imports each new
    # extract file from, once each, and how often it looks (minutes).
    intake_folder: Path | None = None
    intake_every_minutes: int = Field(default=10, ge=1, le=1440)
    # GOV.UK Notify: without an API key every message stays in the notification outbox.
    # The address people open (links in messages, the QR code on the printed plan). Unset, the
    # pages use the address of the request; `resettlement up` sets it for its own processes.
    public_base_url: str | None = None
    notify_api_key: SecretStr | None = None
    # Notify template ids by notification kind; "default" is used for kinds not listed. Each
    # template takes ((subject)) and ((body)).
    notify_template_ids: dict[str, str] = Field(default_factory=dict)
    # Where Notify sends each recipient's messages: "probation_officer:<id>",
    # "governor:<prison code>" or "prison_leaver:<plan id>" -> email address.
    notify_recipients: dict[str, str] = Field(default_factory=dict)
    # The Notify text message template for a person's sign-in link, taking ((body)). Unset,
    # officers print the link instead: the pages say texts cannot be sent here.
    notify_sms_template_id: str | None = None
    # Notify's API; tests point it at a local server that plays Notify.
    notify_base_url: str = "https://api.notifications.service.gov.uk"
    notify_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    # One delivery round tries a transient failure (429, 5xx, a timeout) this many times, waiting
    # notify_retry_wait_seconds, then twice that, and so on (capped at 30 s) between tries.
    notify_tries_per_round: int = Field(default=3, ge=1, le=10)
    notify_retry_wait_seconds: float = Field(default=1.0, ge=0, le=30)
    # The sweep sends a message again once it has waited this long unsent, until it has been
    # tried notify_max_attempts times in all; then it is failed and the officer is told.
    notify_resend_after_minutes: int = Field(default=5, ge=0, le=1440)
    notify_max_attempts: int = Field(default=8, ge=1, le=50)

    @property
    def link_base_url(self) -> str:
        """Where links in messages point: the public address, or the local main command's."""
        return (self.public_base_url or "http://127.0.0.1:8000").rstrip("/")

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return _with_driver(self.database_url)
        return f"sqlite:///{self.data_dir / 'resettlement.db'}"

    @property
    def sqlalchemy_owner_url(self) -> str | None:
        """The migrating owner's URL, when it is a separate role (PostgreSQL only)."""
        if self.database_owner_url and self.database_url:
            return _with_driver(self.database_owner_url)
        return None

    def ensure_data_dir(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir


def _with_driver(url: str) -> str:
    # Platforms hand out postgres:// or postgresql://; we drive psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@lru_cache
def get_settings() -> Settings:
    return Settings()
