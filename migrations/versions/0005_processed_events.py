"""Payments: ids of processed gateway events (idempotent webhooks).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 15:44:17.825444

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('processed_events',
    sa.Column('id', sa.String(length=255), nullable=False),
    sa.Column('type', sa.String(length=80), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_processed_events'))
    )


def downgrade():
    op.drop_table('processed_events')
