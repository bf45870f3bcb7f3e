"""the person's own mobile number (with their consent) and how a sign-in link was handed over

Revision ID: 0090
Revises: 0080
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from resettlement.models import UTCDateTime

revision: str = "0090"
down_revision: str | None = "0080"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("mobile_number", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True)
        )
        batch_op.add_column(
            sa.Column("mobile_consent_at", UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "mobile_consent_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True
            )
        )
    with op.batch_alter_table("leaver_link", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("handed_over", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True)
        )
        batch_op.add_column(
            sa.Column("sent_to", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True)
        )
        batch_op.add_column(sa.Column("sent_at", UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("leaver_link", schema=None) as batch_op:
        batch_op.drop_column("sent_at")
        batch_op.drop_column("sent_to")
        batch_op.drop_column("handed_over")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("mobile_consent_by")
        batch_op.drop_column("mobile_consent_at")
        batch_op.drop_column("mobile_number")
