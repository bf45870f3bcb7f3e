"""One settings object for the whole service, read from the environment (prefix RESETTLEMENT_)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
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
    # Working days before the walk-out date by which the governor must decide a request.
    decision_deadline_working_days: int = 5

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            url = self.database_url
            # Platforms hand out postgres:// or postgresql://; we drive psycopg 3.
            for prefix in ("postgres://", "postgresql://"):
                if url.startswith(prefix):
                    return "postgresql+psycopg://" + url[len(prefix) :]
            return url
        return f"sqlite:///{self.data_dir / 'resettlement.db'}"

    def ensure_data_dir(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir


@lru_cache
def get_settings() -> Settings:
    return Settings()
