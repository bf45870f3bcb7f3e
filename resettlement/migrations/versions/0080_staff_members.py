"""staff members: names, roles, prisons or teams and contacts for staff user ids

Revision ID: 0080
Revises: 0003
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0080"
down_revision: str | None = "0040"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("prison_code", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=True),
        sa.Column("team", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("staff_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_member_user_id"), ["user_id"], unique=True)
        batch_op.create_index(batch_op.f("ix_staff_member_role"), ["role"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_staff_member_prison_code"), ["prison_code"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("staff_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_member_prison_code"))
        batch_op.drop_index(batch_op.f("ix_staff_member_role"))
        batch_op.drop_index(batch_op.f("ix_staff_member_user_id"))
    op.drop_table("staff_member")
