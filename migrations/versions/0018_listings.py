"""Bilingual listings and private sessions.

Revision ID: 0018_listings
Revises: 0017_onboarding
Create Date: 2026-12-03 06:30:00

products and classes: `language` (what the artisan wrote in, "es" for existing rows) and an
optional translation of title and description in the other language. classes.private_min_cents:
the least a group pays for a whole session (NULL: private booking not offered).
class_sessions.private: a session offered or sold to one group. private_requests: a customer's
request for a private session on a day of their choosing.
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_listings"
down_revision = "0017_onboarding"
branch_labels = None
depends_on = None

LISTING_TABLES = ("products", "classes")


def upgrade():
    # Plain ALTER TABLE (no batch rebuild: on SQLite it would cascade-delete child rows); the
    # CHECK on private_min_cents is added where the database can (service validation covers
    # SQLite), as in 0013.
    for table in LISTING_TABLES:
        op.add_column(
            table, sa.Column("language", sa.String(2), server_default="es", nullable=False)
        )
        op.add_column(
            table,
            sa.Column("title_translated", sa.String(120), server_default="", nullable=False),
        )
        op.add_column(
            table,
            sa.Column("description_translated", sa.Text(), server_default="", nullable=False),
        )
    op.add_column("classes", sa.Column("private_min_cents", sa.Integer(), nullable=True))
    if op.get_bind().dialect.name != "sqlite":
        op.create_check_constraint(
            op.f("ck_classes_private_min_positive"),
            "classes",
            "private_min_cents IS NULL OR private_min_cents > 0",
        )
    op.add_column(
        "class_sessions",
        sa.Column("private", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    op.create_table(
        "private_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("locale", sa.String(8), nullable=False),
        sa.Column("wanted_on", sa.Date(), nullable=False),
        sa.Column("party_size", sa.Integer(), nullable=False),
        sa.Column("attendee_names", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "requested",
                "offered",
                "declined",
                "withdrawn",
                name="private_request_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("offer_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("party_size > 0", name=op.f("ck_private_requests_party_positive")),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["classes.id"],
            name=op.f("fk_private_requests_class_id_classes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_private_requests_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["class_sessions.id"],
            name=op.f("fk_private_requests_session_id_class_sessions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["waitlist_entries.id"],
            name=op.f("fk_private_requests_offer_id_waitlist_entries"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_private_requests")),
        sa.UniqueConstraint("token", name=op.f("uq_private_requests_token")),
    )
    op.create_index(
        "ix_private_requests_class_status", "private_requests", ["class_id", "status"]
    )
    op.create_index(op.f("ix_private_requests_user_id"), "private_requests", ["user_id"])


def downgrade():
    op.drop_index(op.f("ix_private_requests_user_id"), table_name="private_requests")
    op.drop_index("ix_private_requests_class_status", table_name="private_requests")
    op.drop_table("private_requests")
    op.drop_column("class_sessions", "private")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_classes_private_min_positive"), "classes", type_="check")
    op.drop_column("classes", "private_min_cents")
    for table in LISTING_TABLES:
        op.drop_column(table, "description_translated")
        op.drop_column(table, "title_translated")
        op.drop_column(table, "language")
