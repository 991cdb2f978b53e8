"""Artisans may show an impact line on their page (pieces sold, students taught).

Revision ID: 0015_impact
Revises: 0014_console
Create Date: 2026-12-03 06:20:00

artisans.show_impact: the artisan's opt-in, off for everyone until they tick it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_impact"
down_revision = "0014_console"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE (no batch rebuild on SQLite, which would cascade through foreign keys).
    op.add_column(
        "artisans",
        sa.Column("show_impact", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade():
    op.drop_column("artisans", "show_impact")
