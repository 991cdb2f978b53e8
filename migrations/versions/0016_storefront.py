"""Storefront details buyers look for: dispatch time, returns terms, what to bring, access.

Revision ID: 0016_storefront
Revises: 0015_impact
Create Date: 2026-12-03 06:20:00

products.dispatch_days_min/max: "ships in 3-5 days" for items in stock (made-to-order items
keep lead_time_days). artisans.returns_policy: the artisan's own returns and cancellation terms
for products. classes.what_to_bring and classes.accessibility: shown on the class page.
Plain ALTER TABLE (no batch rebuild: on SQLite that would cascade-delete rows through the
foreign keys); the ranges are checked by the forms and services.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_storefront"
down_revision = "0015_impact"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("products", sa.Column("dispatch_days_min", sa.Integer(), nullable=True))
    op.add_column("products", sa.Column("dispatch_days_max", sa.Integer(), nullable=True))
    op.add_column(
        "artisans", sa.Column("returns_policy", sa.Text(), server_default="", nullable=False)
    )
    op.add_column("classes", sa.Column("what_to_bring", sa.Text(), server_default="", nullable=False))
    op.add_column("classes", sa.Column("accessibility", sa.Text(), server_default="", nullable=False))


def downgrade():
    op.drop_column("classes", "accessibility")
    op.drop_column("classes", "what_to_bring")
    op.drop_column("artisans", "returns_policy")
    op.drop_column("products", "dispatch_days_max")
    op.drop_column("products", "dispatch_days_min")
