"""retention and erasure: a person's anonymisation (when, and the age band kept); audit rows
may have their actor pseudonymised once their period ends, and nothing else

On PostgreSQL the audit trail's trigger now lets exactly one change through: an UPDATE that
replaces an actor with a pseudonym ('pseudonym:...') and leaves every other column as it was.
Everything else (any other UPDATE, DELETE, TRUNCATE) is still refused, by the owner too. The
service's role is granted UPDATE on that one column only (resettlement/migrate.py).

Revision ID: 0125
Revises: 0120
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from resettlement.models import UTCDateTime

revision: str = "0125"
down_revision: str | None = "0120"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ALLOW_PSEUDONYMS = """
CREATE OR REPLACE FUNCTION refuse_audit_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND OLD.actor NOT LIKE 'pseudonym:%' AND NEW.actor LIKE 'pseudonym:%'
        AND NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.role = OLD.role
        AND NEW.action = OLD.action AND NEW.object_type = OLD.object_type
        AND NEW.object_id = OLD.object_id AND NEW.request_id = OLD.request_id THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_event rows cannot be changed or deleted (%)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

REFUSE_ALWAYS = """
CREATE OR REPLACE FUNCTION refuse_audit_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_event rows cannot be changed or deleted (%)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("anonymised_at", UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("age_band", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True)
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(ALLOW_PSEUDONYMS)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(REFUSE_ALWAYS)
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("age_band")
        batch_op.drop_column("anonymised_at")
