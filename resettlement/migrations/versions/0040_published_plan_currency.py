"""published plan currency: whether the published 48-hour plan still shows the plan as it is

Revision ID: 0040
Revises: 0003
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0040"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plans published before this revision are taken as current: nothing recorded says
    # otherwise, and the next change to one of them is compared with what was published.
    with op.batch_alter_table("release_plan") as batch:
        batch.add_column(
            sa.Column(
                "published_out_of_date",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("release_plan") as batch:
        batch.drop_column("published_out_of_date")
