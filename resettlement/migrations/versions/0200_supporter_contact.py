"""how to reach a supporter, as the person gave it when naming them

Revision ID: 0200
Revises: 0190
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0200"
down_revision: str | None = "0190"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("supporter_link", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("contact", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("supporter_link", schema=None) as batch_op:
        batch_op.drop_column("contact")
