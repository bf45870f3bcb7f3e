"""published plan currency: whether the published 48-hour plan still shows the plan as it is;
contacts' phone numbers in E.164

Revision ID: 0040
Revises: 0003
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from rules import phone_numbers

revision: str = "0040"
down_revision: str | None = "0020"
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
    # Numbers typed before they were checked: those the library can read are stored in E.164
    # like new ones; the rest stay as typed, are shown without a link, and the plan checks
    # (PC-CONTACT-NO-NUMBER) ask the officer to correct them before the plan is published again.
    contacts = sa.table("support_contact", sa.column("id", sa.Integer), sa.column("phone"))
    connection = op.get_bind()
    for contact_id, phone in connection.execute(sa.select(contacts.c.id, contacts.c.phone)):
        number = phone_numbers.parse_or_none(phone)
        if number is not None and number.e164 != phone:
            connection.execute(
                contacts.update().where(contacts.c.id == contact_id).values(phone=number.e164)
            )


def downgrade() -> None:
    with op.batch_alter_table("release_plan") as batch:
        batch.drop_column("published_out_of_date")
