"""Waitlist for full class sessions; seats held for waitlist offers.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 22:13:27.388851

class_sessions.seats_held counts seats offered to the next person in the queue; a CHECK keeps
booked plus held seats within the capacity. One live place (waiting or offered) per e-mail and
session is a partial unique index.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "waitlist_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("attendee_names", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "waiting",
                "offered",
                "booked",
                "expired",
                "declined",
                "left",
                "cancelled",
                name="waitlist_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("offer_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status <> 'offered' OR offer_expires_at IS NOT NULL",
            name=op.f("ck_waitlist_entries_offer_has_expiry"),
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_waitlist_entries_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_waitlist_entries_order_id_orders"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["class_sessions.id"],
            name=op.f("fk_waitlist_entries_session_id_class_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_waitlist_entries_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waitlist_entries")),
        sa.UniqueConstraint("token", name=op.f("uq_waitlist_entries_token")),
    )
    with op.batch_alter_table("waitlist_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_waitlist_entries_session_queue", ["session_id", "status", "id"], unique=False
        )
        batch_op.create_index(
            "ix_waitlist_entries_status_expiry", ["status", "offer_expires_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_waitlist_entries_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            "uq_waitlist_entries_active_email",
            ["session_id", "email"],
            unique=True,
            sqlite_where=sa.text("status IN ('waiting', 'offered')"),
            postgresql_where=sa.text("status IN ('waiting', 'offered')"),
        )

    with op.batch_alter_table("class_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("seats_held", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.create_check_constraint(
            op.f("ck_class_sessions_held_not_negative"), "seats_held >= 0"
        )
        batch_op.create_check_constraint(
            op.f("ck_class_sessions_holds_within_capacity"), "seats_taken + seats_held <= capacity"
        )


def downgrade():
    with op.batch_alter_table("class_sessions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_class_sessions_holds_within_capacity"), type_="check")
        batch_op.drop_constraint(op.f("ck_class_sessions_held_not_negative"), type_="check")
        batch_op.drop_column("seats_held")

    with op.batch_alter_table("waitlist_entries", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_waitlist_entries_active_email",
            sqlite_where=sa.text("status IN ('waiting', 'offered')"),
            postgresql_where=sa.text("status IN ('waiting', 'offered')"),
        )
        batch_op.drop_index(batch_op.f("ix_waitlist_entries_user_id"))
        batch_op.drop_index("ix_waitlist_entries_status_expiry")
        batch_op.drop_index("ix_waitlist_entries_session_queue")

    op.drop_table("waitlist_entries")
