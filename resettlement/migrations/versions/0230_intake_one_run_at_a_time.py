"""one import at a time (a unique index on the running run), a run's progress and heartbeat,
and the report's indexes in the order it is read

Revision ID: 0230
Revises: 0220
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from resettlement.models import UTCDateTime

revision: str = "0230"
down_revision: str | None = "0220"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RUNNING = sa.text("state = 'running'")


def upgrade() -> None:
    # Runs left 'running' by a process that is gone would break the new index: all but the
    # latest are marked stopped (the latest may still be going during a rolling deploy).
    op.execute(
        "UPDATE intake_run SET state = 'stopped' WHERE state = 'running' "
        "AND id < (SELECT max(id) FROM intake_run WHERE state = 'running')"
    )
    with op.batch_alter_table("intake_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("heartbeat_at", UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("done_rows", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.create_index(
            "uq_intake_run_one_running",
            ["state"],
            unique=True,
            sqlite_where=RUNNING,
            postgresql_where=RUNNING,
        )
    with op.batch_alter_table("intake_row", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intake_row_outcome"))
        batch_op.drop_index(batch_op.f("ix_intake_row_run_id"))
        batch_op.create_index("ix_intake_row_run_line", ["run_id", "line"], unique=False)
        batch_op.create_index(
            "ix_intake_row_run_outcome_line", ["run_id", "outcome", "line"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("intake_row", schema=None) as batch_op:
        batch_op.drop_index("ix_intake_row_run_outcome_line")
        batch_op.drop_index("ix_intake_row_run_line")
        batch_op.create_index(batch_op.f("ix_intake_row_run_id"), ["run_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_intake_row_outcome"), ["outcome"], unique=False)
    with op.batch_alter_table("intake_run", schema=None) as batch_op:
        batch_op.drop_index("uq_intake_run_one_running")
        batch_op.drop_column("done_rows")
        batch_op.drop_column("heartbeat_at")
