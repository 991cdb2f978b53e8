"""Verified e-mail addresses for accounts; confirmed guest places on waitlists.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08 10:00:00.000000

users.email_verified_at is set when the owner opens the link e-mailed at registration. Existing
accounts start unverified (the address was never proven; each owner can ask for a link from the
account page). waitlist_entries.confirmed_at is set when a guest confirms the address from the
e-mail (or at once for a verified account); places already in line keep their turn, so they are
marked confirmed at their creation time.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_verified_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("waitlist_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE waitlist_entries SET confirmed_at = created_at")


def downgrade():
    with op.batch_alter_table("waitlist_entries", schema=None) as batch_op:
        batch_op.drop_column("confirmed_at")

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("email_verified_at")
