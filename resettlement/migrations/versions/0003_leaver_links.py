"""leaver links: the prison leaver's link to their published 48-hour plan

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

# Registers leaver_link on the metadata, as env.py does for autogenerate.
import resettlement.leaver_access
import resettlement.models

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "leaver_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("secret_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("created_at", resettlement.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", resettlement.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", resettlement.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", resettlement.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", resettlement.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("seen_number", sa.Integer(), nullable=True),
        sa.Column("changes_from_number", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["plan_id"], ["release_plan.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("secret_hash"),
    )
    with op.batch_alter_table("leaver_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_leaver_link_plan_id"), ["plan_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("leaver_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_leaver_link_plan_id"))
    op.drop_table("leaver_link")
