"""a directory service no longer listed by its council but kept for the referrals to it

Revision ID: 0170
Revises: 0160
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from resettlement.models import UTCDateTime

revision: str = "0170"
down_revision: str | None = "0160"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("directory_service", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withdrawn_at", UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("directory_service", schema=None) as batch_op:
        batch_op.drop_column("withdrawn_at")
