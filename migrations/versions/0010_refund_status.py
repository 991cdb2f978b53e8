"""Refunds are recorded first and sent to the gateway after the commit: their status there.

Revision ID: 0010_refund_status
Revises: 0009
Create Date: 2026-12-09 10:00:00.000000

refunds.status (pending, succeeded, failed), a unique idempotency key sent with every attempt,
attempted_at, settled_at and last_error. Refunds made before this were sent inside the
transaction that recorded them, so they are all succeeded, settled when they were made, each
with a key of its own that no new refund can take.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0010_refund_status"
down_revision = "0009"
branch_labels = None
depends_on = None

STATUS = sa.Enum(
    "pending",
    "succeeded",
    "failed",
    name="refund_status",
    native_enum=False,
    create_constraint=True,
    length=32,
)


def upgrade():
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", STATUS, nullable=True))
        batch_op.add_column(sa.Column("idempotency_key", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_error", sa.String(length=300), nullable=True))

    op.execute(
        "UPDATE refunds SET status = 'succeeded', settled_at = created_at, "
        "idempotency_key = 'taller-refund-before-0010-' || CAST(id AS VARCHAR(20))"
    )

    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.alter_column("status", existing_type=STATUS, nullable=False)
        batch_op.alter_column("idempotency_key", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index(batch_op.f("ix_refunds_status"), ["status"], unique=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_refunds_idempotency_key"), ["idempotency_key"]
        )


def downgrade():
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_refunds_idempotency_key"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_refunds_status"))
        batch_op.drop_constraint(batch_op.f("ck_refunds_refund_status"), type_="check")
        batch_op.drop_column("last_error")
        batch_op.drop_column("settled_at")
        batch_op.drop_column("attempted_at")
        batch_op.drop_column("idempotency_key")
        batch_op.drop_column("status")
