"""Alembic environment: the schema is SQLModel's metadata; the URL comes from our settings."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from resettlement.database import get_engine
from resettlement.tables import all_tables

config = context.config
# Every model module is imported through one list, which the data-protection test also uses.
target_metadata = all_tables()


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        with get_engine().connect() as connection:
            _run(connection)
            connection.commit()
    else:
        _run(connection)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
