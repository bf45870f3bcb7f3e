"""the checklist's own index on plan_id dropped: the unique (plan_id, key) index serves it

Revision ID: 0220
Revises: 0200
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0220"
down_revision: str | None = "0200"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("checklist_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checklist_item_plan_id"))


def downgrade() -> None:
    with op.batch_alter_table("checklist_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checklist_item_plan_id"), ["plan_id"], unique=False)
