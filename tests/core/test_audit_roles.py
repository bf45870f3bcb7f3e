"""The audit trail is append-only against the service's own database role (PostgreSQL).

Migrations run as an owner role; the service's role holds INSERT and SELECT on `audit_event`
and nothing it can SET opens a way round that: not the old maintenance setting, not replica
mode, not another role.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.exc import DBAPIError

from resettlement import migrate
from resettlement.config import get_settings
from resettlement.models import ReleasePlan
from tests.conftest import POSTGRES, create_database, drop_database

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES, reason="the role separation is PostgreSQL's"),
]

WHAT_IT_SETS = [
    "",
    "SET LOCAL resettlement.audit_maintenance = 'on'",
    "SET resettlement.audit_maintenance = 'on'",
    "SET LOCAL session_replication_role = replica",
    "SET LOCAL ROLE {owner}",
    "SET LOCAL ROLE postgres",
]

WHAT_IT_TRIES = [
    "UPDATE audit_event SET actor = 'someone-else'",
    "DELETE FROM audit_event",
    "TRUNCATE audit_event",
    "ALTER TABLE audit_event DISABLE TRIGGER USER",
    "ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only",
    "DROP TRIGGER audit_event_append_only ON audit_event",
    "CREATE OR REPLACE FUNCTION refuse_audit_change() RETURNS trigger AS $$ "
    "BEGIN RETURN COALESCE(OLD, NEW); END; $$ LANGUAGE plpgsql",
    "ALTER TABLE audit_event RENAME TO audit_event_gone",
    "DROP TABLE audit_event",
]


def trail(engine: Engine) -> tuple[int, str | None]:
    with engine.connect() as connection:
        count, actor = connection.execute(
            text("SELECT count(*), min(actor) FROM audit_event")
        ).one()
    return count, actor


@pytest.mark.parametrize("setting", WHAT_IT_SETS)
def test_the_services_role_cannot_change_or_delete_audit_rows_whatever_it_sets(
    engine: Engine, new_plan: Callable[..., ReleasePlan], setting: str
) -> None:
    new_plan()
    before = trail(engine)
    owner = f'"{make_url(engine.url).database}_owner"'
    refused = []
    for attempt in WHAT_IT_TRIES:
        with engine.connect() as connection:
            try:
                if setting:
                    connection.execute(text(setting.format(owner=owner)))
                connection.execute(text(attempt))
                connection.commit()
            except DBAPIError:
                refused.append(attempt)
                connection.rollback()
    assert refused == WHAT_IT_TRIES
    assert trail(engine) == before and before[0] > 0
    # The trail still takes new rows from the service.
    new_plan()
    assert trail(engine)[0] > before[0]


@pytest.fixture
def fresh_roles() -> Iterator[tuple[str, str]]:
    """An empty database with an owner and a service role, before any migration."""
    name = f"resettlement_roles_{os.getpid()}"
    urls = create_database(name)
    owner = create_engine(urls.owner)
    with owner.begin() as connection:
        # Back to an empty schema: what `resettlement db upgrade` finds on a new database.
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    owner.dispose()
    yield urls.owner, urls.service
    drop_database(name)


def test_db_upgrade_migrates_as_the_owner_and_grants_the_service_insert_and_select_only(
    fresh_roles: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    owner_url, service_url = fresh_roles
    monkeypatch.setenv("DATABASE_URL", service_url)
    monkeypatch.setenv("DATABASE_OWNER_URL", owner_url)
    get_settings.cache_clear()
    migrate.upgrade()
    service = create_engine(service_url)
    with service.connect() as connection:
        assert migrate.current_revision(service) == migrate.head_revision()
        owner = connection.execute(
            text("SELECT tableowner FROM pg_tables WHERE tablename = 'audit_event'")
        ).scalar_one()
        assert owner == make_url(owner_url).username
        connection.execute(
            text(
                "INSERT INTO audit_event (at, actor, role, action, object_type, object_id,"
                " request_id) VALUES (now(), 'a', 'admin', 'read', 'plan', '1', 'r')"
            )
        )
        connection.commit()
        with pytest.raises(DBAPIError, match="permission denied"):
            connection.execute(text("DELETE FROM audit_event"))
        connection.rollback()
        assert connection.execute(text("SELECT count(*) FROM audit_event")).scalar_one() == 1
    service.dispose()


def test_db_upgrade_refuses_to_grant_a_service_role_that_owns_the_tables(
    fresh_roles: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    owner_url, _ = fresh_roles
    monkeypatch.setenv("DATABASE_URL", owner_url)
    monkeypatch.setenv("MIGRATION_DATABASE_URL", owner_url)
    get_settings.cache_clear()
    with pytest.raises(migrate.RolesNotSeparate):
        migrate.upgrade()
