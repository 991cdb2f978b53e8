"""Reports of listings: someone flags a product or class, an admin dismisses it or hides the
listing.

Revision ID: 0021_listing_reports
Revises: 0020_profile_language
Create Date: 2026-12-03 09:45:00

One open report per person and listing is kept by two partial unique indexes (open rows only),
so a double submit writes one row and the same person may report again after a decision.
"""

import sqlalchemy as sa
from alembic import op

revision = "0021_listing_reports"
down_revision = "0020_profile_language"
branch_labels = None
depends_on = None

OPEN = sa.text("status = 'open'")
REASONS = (
    "not_handmade",
    "prohibited",
    "offensive",
    "misleading",
    "intellectual_property",
    "other",
)


def upgrade():
    op.create_table(
        "listing_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("class_id", sa.Integer(), nullable=True),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(
                *REASONS,
                name="report_reason",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "dismissed",
                "upheld",
                name="report_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolution_note", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "(product_id IS NULL) <> (class_id IS NULL)",
            name=op.f("ck_listing_reports_one_listing"),
        ),
        sa.CheckConstraint(
            "length(details) <= 1000", name=op.f("ck_listing_reports_details_length")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_listing_reports_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["classes.id"],
            name=op.f("fk_listing_reports_class_id_classes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["users.id"],
            name=op.f("fk_listing_reports_reporter_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["users.id"],
            name=op.f("fk_listing_reports_resolved_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listing_reports")),
    )
    for column in ("product_id", "class_id", "reporter_id"):
        op.create_index(f"ix_listing_reports_{column}", "listing_reports", [column])
    op.create_index(
        "ix_listing_reports_status_created", "listing_reports", ["status", "created_at"]
    )
    op.create_index(
        "uq_listing_reports_open_product",
        "listing_reports",
        ["product_id", "reporter_id"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )
    op.create_index(
        "uq_listing_reports_open_class",
        "listing_reports",
        ["class_id", "reporter_id"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )


def downgrade():
    for name in (
        "uq_listing_reports_open_class",
        "uq_listing_reports_open_product",
        "ix_listing_reports_status_created",
        "ix_listing_reports_reporter_id",
        "ix_listing_reports_class_id",
        "ix_listing_reports_product_id",
    ):
        op.drop_index(name, table_name="listing_reports")
    op.drop_table("listing_reports")
