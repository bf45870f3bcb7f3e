"""Schema migrations, run the same way by the CLI, the main command, readiness and the tests."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from resettlement.database import get_engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine | None = None, revision: str = "head") -> None:
    engine = engine or get_engine()
    with engine.begin() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine | None = None) -> str | None:
    with (engine or get_engine()).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def at_head(engine: Engine | None = None) -> bool:
    return current_revision(engine) == head_revision()
