"""Catalogue indexes that serve keyset pages.

Revision ID: 0019_catalog_keyset
Revises: 0018_listings
Create Date: 2026-12-03 09:40:00

The product list pages by (published_at, id) or (price_cents, id) among active products; with
the id as the last column the index walks straight to the row after a cursor, where the former
two-column indexes left ties on published_at or price to be sorted (PostgreSQL read and sorted
every product of a price on each page).
"""

from alembic import op

revision = "0019_catalog_keyset"
down_revision = "0018_listings"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_products_status_published": ("status", "published_at"),
    "ix_products_status_price": ("status", "price_cents"),
}


def upgrade():
    for name, columns in INDEXES.items():
        op.drop_index(name, table_name="products")
        op.create_index(f"{name}_id", "products", [*columns, "id"])


def downgrade():
    for name, columns in INDEXES.items():
        op.drop_index(f"{name}_id", table_name="products")
        op.create_index(name, "products", list(columns))
