"""Class seats in carts and orders: session, attendees, booking cancellation, reminders.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 15:56:03.909740

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cart_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('attendee_names', sa.Text(), nullable=False, server_default=''))
        batch_op.alter_column('product_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_unique_constraint('uq_cart_items_session', ['user_id', 'session_id'])
        batch_op.create_foreign_key(batch_op.f('fk_cart_items_session_id_class_sessions'), 'class_sessions', ['session_id'], ['id'], ondelete='CASCADE')
        batch_op.create_check_constraint(
            op.f('ck_cart_items_one_item'), '(product_id IS NULL) <> (session_id IS NULL)')

    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('attendee_names', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reminder_sent_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_order_lines_session_id'), ['session_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_order_lines_session_id_class_sessions'), 'class_sessions', ['session_id'], ['id'], ondelete='SET NULL')
        batch_op.create_check_constraint(
            op.f('ck_order_lines_kind_matches_item'),
            "(kind = 'product' AND session_id IS NULL) OR (kind = 'seat' AND product_id IS NULL)")



def downgrade():
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_order_lines_kind_matches_item'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_order_lines_session_id_class_sessions'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_order_lines_session_id'))
        batch_op.drop_column('reminder_sent_at')
        batch_op.drop_column('cancelled_at')
        batch_op.drop_column('attendee_names')
        batch_op.drop_column('session_id')

    with op.batch_alter_table('cart_items', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_cart_items_one_item'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_cart_items_session_id_class_sessions'), type_='foreignkey')
        batch_op.drop_constraint('uq_cart_items_session', type_='unique')
        batch_op.alter_column('product_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('attendee_names')
        batch_op.drop_column('session_id')

