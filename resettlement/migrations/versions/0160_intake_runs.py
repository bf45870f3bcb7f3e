"""intake from the prison's records: import runs and their row-by-row reports

Revision ID: 0160
Revises: 0150
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from resettlement.models import UTCDateTime

revision: str = "0160"
down_revision: str | None = "0150"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "intake_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("file_format", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("run_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("started_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("extract_timestamp", UTCDateTime(timezone=True), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("intake_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_intake_run_sha256"), ["sha256"], unique=False)
    op.create_table(
        "intake_row",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("prison_number", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=True),
        sa.Column("problems", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["intake_run.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("intake_row", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_intake_row_run_id"), ["run_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_intake_row_outcome"), ["outcome"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("intake_row", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intake_row_outcome"))
        batch_op.drop_index(batch_op.f("ix_intake_row_run_id"))
    op.drop_table("intake_row")
    with op.batch_alter_table("intake_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intake_run_sha256"))
    op.drop_table("intake_run")
