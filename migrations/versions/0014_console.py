"""Operator console: moderation of listings and accounts, and its audit log.

Revision ID: 0014_console
Revises: 0013_session_decision
Create Date: 2026-12-03 06:30:00

products/classes.moderation_reason + review_requested_at: an admin hid the listing and says why;
the artisan asks for another look. users.suspended_at: the account cannot log in.
audit_entries: who did what to which listing, account or setting, and why.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_console"
down_revision = "0013_session_decision"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (no batch rebuild: on SQLite that would cascade-delete child rows).
    for table in ("products", "classes"):
        op.add_column(table, sa.Column("moderation_reason", sa.Text()))
        op.add_column(table, sa.Column("review_requested_at", sa.DateTime(timezone=True)))
    op.add_column("users", sa.Column("suspended_at", sa.DateTime(timezone=True)))
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target_kind", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("target_label", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_audit_entries_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    op.create_index(
        op.f("ix_audit_entries_created_at"), "audit_entries", ["created_at"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_audit_entries_created_at"), table_name="audit_entries")
    op.drop_table("audit_entries")
    op.drop_column("users", "suspended_at")
    for table in ("classes", "products"):
        op.drop_column(table, "review_requested_at")
        op.drop_column(table, "moderation_reason")
