"""each import run's newest extract timestamp for each prison its rows name

Revision ID: 0190
Revises: 0180
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0190"
down_revision: str | None = "0180"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("intake_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prison_stamps", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("intake_run", schema=None) as batch_op:
        batch_op.drop_column("prison_stamps")
