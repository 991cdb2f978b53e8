"""Applications in steps: a draft kept on the server until it is sent.

Revision ID: 0017_onboarding
Revises: 0016_storefront
Create Date: 2026-12-03 06:30:00

application_drafts holds, per user, the answers of a workshop application typed so far and the
steps that passed validation, so an applicant on a phone can stop and resume where they left.

An artisan's part of an order whose every line was cancelled (class seats given back) is
cancelled from now on; parts left "new" that way before are cancelled here too.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_onboarding"
down_revision = "0016_storefront"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "application_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("steps_done", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_application_drafts_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_drafts")),
        sa.UniqueConstraint("user_id", name=op.f("uq_application_drafts_user_id")),
    )


    op.execute(
        "UPDATE order_groups SET status = 'cancelled' WHERE status = 'new'"
        " AND EXISTS (SELECT 1 FROM order_lines l WHERE l.group_id = order_groups.id)"
        " AND NOT EXISTS (SELECT 1 FROM order_lines l"
        " WHERE l.group_id = order_groups.id AND l.cancelled_at IS NULL)"
    )


def downgrade():
    op.drop_table("application_drafts")
