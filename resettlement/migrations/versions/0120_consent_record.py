"""the consent record: one row per consent, replacing the monitoring yes/no on the person

Each person whose record said yes to monitoring gets a consent row (given "before the record",
recorded by this migration, at the time the person was recorded); the person's own column
goes. A mobile number held with consent gets a contact-by-text consent as well. Downgrading
puts the yes/no back from the live monitoring consents.

Revision ID: 0120
Revises: 0110
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from resettlement.models import UTCDateTime

revision: str = "0120"
down_revision: str | None = "0110"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MIGRATED_BY = "migration-0120"


def upgrade() -> None:
    op.create_table(
        "consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("with_whom_type", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("with_whom_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("with_whom_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("scope", sa.JSON(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("given_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("given_how", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("withdrawn_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("withdrawn_reason", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consent_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_consent_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_consent_with_whom_id"), ["with_whom_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_consent_withdrawn_at"), ["withdrawn_at"], unique=False)
    # One set-based copy per kind: the scope is an empty JSON list, written as text.
    op.execute(
        sa.text(
            "INSERT INTO consent (person_id, kind, scope, given_at, given_how, recorded_by,"
            " version)"
            " SELECT id, 'monitoring_characteristics', '[]', created_at, 'before_the_record',"
            f" '{MIGRATED_BY}', 1 FROM person WHERE monitoring_consent"
        )
    )
    op.execute(
        sa.text(
            "INSERT INTO consent (person_id, kind, scope, given_at, given_how, recorded_by,"
            " version)"
            " SELECT id, 'contact_by_text', '[]', mobile_consent_at, 'in_person',"
            f" coalesce(mobile_consent_by, '{MIGRATED_BY}'), 1 FROM person"
            " WHERE mobile_number IS NOT NULL AND mobile_consent_at IS NOT NULL"
        )
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("monitoring_consent")


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("monitoring_consent", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.execute(
        sa.text(
            "UPDATE person SET monitoring_consent = EXISTS (SELECT 1 FROM consent c"
            " WHERE c.person_id = person.id AND c.kind = 'monitoring_characteristics'"
            " AND c.withdrawn_at IS NULL)"
        )
    )
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_withdrawn_at"))
        batch_op.drop_index(batch_op.f("ix_consent_with_whom_id"))
        batch_op.drop_index(batch_op.f("ix_consent_kind"))
        batch_op.drop_index(batch_op.f("ix_consent_person_id"))
    op.drop_table("consent")
