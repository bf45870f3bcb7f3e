"""Alembic environment: the schema is SQLModel's metadata; the URL comes from our settings."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection
from sqlmodel import SQLModel

import resettlement.models  # noqa: F401  (registers every table on the metadata)
from resettlement import leaver_access as _leaver_access  # noqa: F401  (leaver links)
from resettlement import notifications as _notifications  # noqa: F401  (the outbox table)
from resettlement import staff as _staff  # noqa: F401  (staff members)
from resettlement import web_sessions as _web_sessions  # noqa: F401  (sign-out generations)
from resettlement.database import get_engine
from resettlement.intake import models as _intake  # noqa: F401  (import runs and reports)
from resettlement.partners import models as _directory  # noqa: F401  (directory of services)
from resettlement.partners import referrals as _referrals  # noqa: F401  (referrals)
from resettlement.partners import supporters as _supporters  # noqa: F401  (supporters' links)
from resettlement.privacy import consents as _consents  # noqa: F401  (the consent record)
from resettlement.voice import models as _voice  # noqa: F401  (the person's own answers)

config = context.config
target_metadata = SQLModel.metadata


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
