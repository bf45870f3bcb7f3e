"""who wrote each goal and who last changed it (the person or staff), when, and its version

Goals written before this were all recorded by staff on the officer's goals page, so existing
rows are marked as written and last changed by staff, with no named author (not known), and
created when they were last changed (the earliest time the row can vouch for).

Revision ID: 0180
Revises: 0170
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from resettlement.models import UTCDateTime

revision: str = "0180"
down_revision: str | None = "0170"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("goal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(
            sa.Column(
                "written_by_kind",
                sa.String(length=10),
                nullable=False,
                server_default="staff",
            )
        )
        batch_op.add_column(
            sa.Column("written_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "changed_by_kind",
                sa.String(length=10),
                nullable=False,
                server_default="staff",
            )
        )
        batch_op.add_column(
            sa.Column("changed_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True)
        )
        batch_op.add_column(sa.Column("created_at", UTCDateTime(timezone=True), nullable=True))
    op.execute("UPDATE goal SET created_at = updated_at")
    with op.batch_alter_table("goal", schema=None) as batch_op:
        batch_op.alter_column(
            "created_at", existing_type=UTCDateTime(timezone=True), nullable=False
        )
        # The model gives every new row its values; the defaults were only for the backfill.
        batch_op.alter_column("written_by_kind", server_default=None)
        batch_op.alter_column("changed_by_kind", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("goal", schema=None) as batch_op:
        for name in (
            "created_at",
            "changed_by",
            "changed_by_kind",
            "written_by",
            "written_by_kind",
            "version",
        ):
            batch_op.drop_column(name)
