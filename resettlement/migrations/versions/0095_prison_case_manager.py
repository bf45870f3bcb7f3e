"""staff named on plans as prison case managers

Revision ID: 0095
Revises: 0090
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0095"
down_revision: str | None = "0090"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The service's words for people: the role's stored value follows its label.
    op.execute(
        "UPDATE staff_member SET role = 'prison_case_manager' "
        "WHERE role = 'prison_offender_manager'"
    )


def downgrade() -> None:
    op.execute(
        "UPDATE staff_member SET role = 'prison_offender_manager' "
        "WHERE role = 'prison_case_manager'"
    )
