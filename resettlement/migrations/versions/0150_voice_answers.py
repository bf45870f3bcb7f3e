"""the person's own answers about their first days after release (closed choices)

Revision ID: 0150
Revises: 0140
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from resettlement.models import UTCDateTime

revision: str = "0150"
down_revision: str | None = "0140"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "voice_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("first_night", sa.String(length=30), nullable=False),
        sa.Column("appointments", sa.String(length=20), nullable=False),
        sa.Column("had_id", sa.String(length=20), nullable=False),
        sa.Column("had_money", sa.String(length=20), nullable=False),
        sa.Column("had_medication", sa.String(length=20), nullable=False),
        sa.Column("went_wrong", sa.JSON(), nullable=False),
        sa.Column("would_have_helped", sa.JSON(), nullable=False),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("recorded_by_role", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("first_answered_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["release_plan.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("plan_id"),
    )
    with op.batch_alter_table("voice_answer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_voice_answer_plan_id"), ["plan_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("voice_answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voice_answer_plan_id"))
    op.drop_table("voice_answer")
