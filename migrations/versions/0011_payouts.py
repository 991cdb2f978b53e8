"""Artisans get paid: the earnings ledger, payouts, payout accounts; a settings table.

Revision ID: 0011
Revises: 0010_refund_status
Create Date: 2026-12-02 15:19:52.813405

ledger_entries are immutable movements of an artisan's balance (the balance is their sum);
their unique `key` makes every event write once. settings holds values admins change at run
time (unset keys read as their defaults, so nothing is seeded here). Orders paid before this
migration have no entries: the ledger starts with the next payment.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010_refund_status"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )
    op.create_table(
        "payout_accounts",
        sa.Column("artisan_id", sa.Integer(), nullable=False),
        sa.Column(
            "method",
            sa.Enum(
                "bank_transfer",
                "cash",
                "mobile_money",
                "other",
                "stripe",
                name="payout_account_method",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("commission_bps", sa.Integer(), nullable=True),
        sa.Column("stripe_account", sa.String(length=64), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "commission_bps IS NULL OR (commission_bps >= 0 AND commission_bps <= 10000)",
            name=op.f("ck_payout_accounts_commission_in_range"),
        ),
        sa.ForeignKeyConstraint(
            ["artisan_id"], ["artisans.id"], name=op.f("fk_payout_accounts_artisan_id_artisans")
        ),
        sa.PrimaryKeyConstraint("artisan_id", name=op.f("pk_payout_accounts")),
    )
    op.create_table(
        "payouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("artisan_id", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "method",
            sa.Enum(
                "bank_transfer",
                "cash",
                "mobile_money",
                "other",
                "stripe",
                name="payout_method",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "paid",
                "failed",
                "reversed",
                name="payout_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reference", sa.String(length=120), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("over_available", sa.Boolean(), nullable=False),
        sa.Column("destination", sa.String(length=64), nullable=True),
        sa.Column("gateway_ref", sa.String(length=120), nullable=True),
        sa.Column("idempotency_key", sa.String(length=120), nullable=True),
        sa.Column("failure_reason", sa.String(length=300), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("amount_cents > 0", name=op.f("ck_payouts_amount_positive")),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_payouts_actor_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["artisan_id"], ["artisans.id"], name=op.f("fk_payouts_artisan_id_artisans")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payouts")),
        sa.UniqueConstraint("gateway_ref", name=op.f("uq_payouts_gateway_ref")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_payouts_idempotency_key")),
    )
    with op.batch_alter_table("payouts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payouts_artisan_id"), ["artisan_id"], unique=False)

    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("artisan_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "earning",
                "commission",
                "refund",
                "payout",
                "adjustment",
                name="ledger_entry_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("line_id", sa.Integer(), nullable=True),
        sa.Column("refund_id", sa.Integer(), nullable=True),
        sa.Column("payout_id", sa.Integer(), nullable=True),
        sa.Column("rate_bps", sa.Integer(), nullable=True),
        sa.Column("available_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_cents <> 0", name=op.f("ck_ledger_entries_amount_not_zero")),
        sa.CheckConstraint(
            "rate_bps IS NULL OR (rate_bps >= 0 AND rate_bps <= 10000)",
            name=op.f("ck_ledger_entries_rate_in_range"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_ledger_entries_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["artisan_id"], ["artisans.id"], name=op.f("fk_ledger_entries_artisan_id_artisans")
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["order_groups.id"], name=op.f("fk_ledger_entries_group_id_order_groups")
        ),
        sa.ForeignKeyConstraint(
            ["line_id"], ["order_lines.id"], name=op.f("fk_ledger_entries_line_id_order_lines")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_ledger_entries_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["payout_id"], ["payouts.id"], name=op.f("fk_ledger_entries_payout_id_payouts")
        ),
        sa.ForeignKeyConstraint(
            ["refund_id"], ["refunds.id"], name=op.f("fk_ledger_entries_refund_id_refunds")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
        sa.UniqueConstraint("key", name=op.f("uq_ledger_entries_key")),
    )
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ledger_entries_artisan_created", ["artisan_id", "created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_ledger_entries_artisan_id"), ["artisan_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_ledger_entries_available_at"), ["available_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_ledger_entries_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledger_entries_line_id"), ["line_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledger_entries_order_id"), ["order_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_ledger_entries_payout_id"), ["payout_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_entries_payout_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_entries_order_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_entries_line_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_entries_group_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_entries_available_at"))
        batch_op.drop_index(batch_op.f("ix_ledger_entries_artisan_id"))
        batch_op.drop_index("ix_ledger_entries_artisan_created")

    op.drop_table("ledger_entries")
    with op.batch_alter_table("payouts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payouts_artisan_id"))

    op.drop_table("payouts")
    op.drop_table("payout_accounts")
    op.drop_table("settings")
