"""leaver access and sessions: one live link per plan, and sessions that end at sign-out

Revision ID: 0010
Revises: 0003
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

# Registers session_generation on the metadata, as env.py does for autogenerate.
import resettlement.models
import resettlement.web_sessions

revision: str = "0010"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("revoked_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "session_generation",
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("changed_at", resettlement.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("subject"),
    )
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
    op.drop_table("session_generation")
