"""person versions and history; the audit trail's trigger without its session-setting escape

A person's details now change only through their own versioned service, which writes the
person's history (`person_event`). On PostgreSQL the audit trail's trigger no longer lets a
session declare "maintenance" with a setting that any role could SET: the service's own role
holds only INSERT and SELECT on `audit_event` (granted by `resettlement db upgrade`, see
resettlement/migrate.py), and only the owner role that runs migrations can touch the trigger.

Revision ID: 0020
Revises: 0003
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import resettlement.models

revision: str = "0020"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFUSE_ALWAYS = """
CREATE OR REPLACE FUNCTION refuse_audit_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_event rows cannot be changed or deleted (%)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

REFUSE_UNLESS_MAINTENANCE = """
CREATE OR REPLACE FUNCTION refuse_audit_change() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('resettlement.audit_maintenance', true), '') = 'on' THEN
        RETURN COALESCE(OLD, NEW);
    END IF;
    RAISE EXCEPTION 'audit_event rows cannot be changed or deleted (%)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    op.create_table(
        "person_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("at", resettlement.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("actor_role", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("person_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_event_person_id"), ["person_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(REFUSE_ALWAYS)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(REFUSE_UNLESS_MAINTENANCE)
    with op.batch_alter_table("person_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_event_person_id"))
    op.drop_table("person_event")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("version")
