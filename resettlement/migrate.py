"""Schema migrations, run the same way by the CLI, the main command, readiness and the tests.

On PostgreSQL two roles keep the audit trail append-only against the service itself: an owner
role (DATABASE_OWNER_URL or MIGRATION_DATABASE_URL) owns the tables and runs the migrations,
and the service's role (DATABASE_URL) is granted, after every upgrade, reading and writing on
the tables but only INSERT and SELECT on `audit_event`. Not owning the table, the service's
role cannot disable its trigger either, and no setting it can SET changes that.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, make_url, text

from resettlement.config import get_settings
from resettlement.database import get_engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


class RolesNotSeparate(RuntimeError):
    """The service's role could change the audit trail: refuse to grant it anything."""


def upgrade(
    engine: Engine | None = None, revision: str = "head", *, service_role: str | None = None
) -> None:
    """Migrates; then, if a separate service role is named, grants it its privileges.

    With no engine, the settings decide: DATABASE_OWNER_URL's role migrates and DATABASE_URL's
    is the service role; without an owner URL, DATABASE_URL's role does both (SQLite, or a
    PostgreSQL set up by hand, where the audit trail has only its trigger).
    """
    own_engine = None
    if engine is None:
        settings = get_settings()
        owner_url = settings.sqlalchemy_owner_url
        if owner_url is None:
            engine = get_engine()
        else:
            engine = own_engine = create_engine(owner_url)
            service_role = make_url(settings.sqlalchemy_url).username
    try:
        with engine.begin() as connection:
            config = alembic_config(engine)
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            if service_role and connection.dialect.name == "postgresql":
                grant_service_role(connection, service_role)
    finally:
        if own_engine is not None:
            own_engine.dispose()


def grant_service_role(connection: Connection, role: str) -> None:
    """Everything the service needs and no more: the audit trail is INSERT and SELECT only (and
    UPDATE of its actor, to a pseudonym, past its period), the migration table read only.
    Run as the owner after every upgrade, so new tables are
    covered and nothing granted by hand survives."""
    _check_separate(connection, role)
    quote = connection.dialect.identifier_preparer.quote
    schema = quote(connection.execute(text("SELECT current_schema()")).scalar_one())
    who = quote(role)
    for statement in (
        f"GRANT USAGE ON SCHEMA {schema} TO {who}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {who}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {who}",
        f"REVOKE UPDATE, DELETE ON audit_event FROM {who}",
        # Pseudonymising an audit row past its period changes its actor and nothing else; the
        # trail's trigger refuses any other change (migration 0125).
        f"GRANT UPDATE (actor) ON audit_event TO {who}",
        f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {who}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {who}",
    ):
        connection.execute(text(statement))


def _check_separate(connection: Connection, role: str) -> None:
    found = connection.execute(
        text(
            "SELECT r.rolsuper, pg_has_role(r.rolname, t.tableowner, 'MEMBER')"
            " FROM pg_roles r, pg_tables t"
            " WHERE r.rolname = :role AND t.tablename = 'audit_event'"
            " AND t.schemaname = current_schema()"
        ),
        {"role": role},
    ).first()
    if found is None:
        raise RolesNotSeparate(f"There is no database role named {role!r}.")
    superuser, owns = found
    if superuser or owns:
        raise RolesNotSeparate(
            f"The service's role {role!r} is a superuser or owns the tables, so it could change "
            "the audit trail: give DATABASE_URL a role of its own, apart from the owner's."
        )


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine | None = None) -> str | None:
    with (engine or get_engine()).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def at_head(engine: Engine | None = None) -> bool:
    return current_revision(engine) == head_revision()
