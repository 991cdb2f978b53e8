"""The language an artisan wrote their tagline and story in.

Revision ID: 0020_profile_language
Revises: 0019_catalog_keyset
Create Date: 2026-12-03 10:00:00

artisans.profile_language ("es" or "en", "es" for existing workshops): pages mark the tagline
and story with it, so a story written in English on a Spanish page is read (and spoken by screen
readers) as English.
"""

import sqlalchemy as sa
from alembic import op

revision = "0020_profile_language"
down_revision = "0019_catalog_keyset"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "artisans",
        sa.Column("profile_language", sa.String(2), server_default="es", nullable=False),
    )


def downgrade():
    # Plain DROP COLUMN (no batch rebuild: on SQLite it would cascade-delete child rows).
    op.drop_column("artisans", "profile_language")
