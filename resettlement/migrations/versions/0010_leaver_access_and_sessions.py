"""leaver access and sessions: one live link per plan

Revision ID: 0010
Revises: 0003
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("revoked_at IS NULL")


def upgrade() -> None:
    # Links issued before the rule: the newest unrevoked link of each plan stays live.
    op.execute(
        "UPDATE leaver_link SET revoked_at = CURRENT_TIMESTAMP WHERE revoked_at IS NULL "
        "AND id NOT IN (SELECT max(id) FROM leaver_link WHERE revoked_at IS NULL "
        "GROUP BY plan_id)"
    )
    op.create_index(
        "uq_leaver_link_live_plan",
        "leaver_link",
        ["plan_id"],
        unique=True,
        sqlite_where=LIVE,
        postgresql_where=LIVE,
    )


def downgrade() -> None:
    op.drop_index("uq_leaver_link_live_plan", table_name="leaver_link")
