"""Classes: classes, their dated sessions (seats with CHECK constraints), photos and goals.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 15:52:27.971470

The brief asked for revision "0004" after "0003", but "0004" (orders) and "0005" (processed
events) already exist, so this script chains after them to keep a single head.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('classes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('artisan_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('included', sa.Text(), nullable=False),
    sa.Column('skill_level', sa.Enum('beginner', 'intermediate', 'advanced', 'all', name='skill_level', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('languages', sa.String(length=200), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('price_cents', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('min_participants', sa.Integer(), nullable=False),
    sa.Column('max_participants', sa.Integer(), nullable=False),
    sa.Column('meeting_area', sa.String(length=160), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('cancellation_policy', sa.Enum('flexible', 'moderate', 'strict', name='cancellation_policy', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status', sa.Enum('draft', 'active', 'hidden', 'archived', name='class_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('duration_minutes > 0', name=op.f('ck_classes_duration_positive')),
    sa.CheckConstraint('min_participants >= 1 AND min_participants <= max_participants', name=op.f('ck_classes_participants_range')),
    sa.CheckConstraint('price_cents > 0', name=op.f('ck_classes_price_positive')),
    sa.ForeignKeyConstraint(['artisan_id'], ['artisans.id'], name=op.f('fk_classes_artisan_id_artisans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_classes')),
    sa.UniqueConstraint('slug', name=op.f('uq_classes_slug'))
    )
    with op.batch_alter_table('classes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_classes_artisan_id'), ['artisan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_classes_status'), ['status'], unique=False)
        batch_op.create_index('ix_classes_status_published', ['status', 'published_at'], unique=False)

    op.create_table('class_goals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=3), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.CheckConstraint("(kind = 'sdg' AND number BETWEEN 1 AND 17) OR (kind = 'gcm' AND number BETWEEN 1 AND 23)", name=op.f('ck_class_goals_goal_known')),
    sa.ForeignKeyConstraint(['class_id'], ['classes.id'], name=op.f('fk_class_goals_class_id_classes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_class_goals')),
    sa.UniqueConstraint('class_id', 'kind', 'number', name='uq_class_goals_goal')
    )
    with op.batch_alter_table('class_goals', schema=None) as batch_op:
        batch_op.create_index('ix_class_goals_kind_number', ['kind', 'number'], unique=False)

    op.create_table('class_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('image_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['class_id'], ['classes.id'], name=op.f('fk_class_photos_class_id_classes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['image_id'], ['images.id'], name=op.f('fk_class_photos_image_id_images'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_class_photos')),
    sa.UniqueConstraint('class_id', 'image_id', name='uq_class_photos_image')
    )
    with op.batch_alter_table('class_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_class_photos_class_id'), ['class_id'], unique=False)

    # seats_taken and capacity are what bookings reserve with a conditional UPDATE; the CHECKs
    # are the last line of defence against overbooking.
    op.create_table('class_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('seats_taken', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('scheduled', 'cancelled', name='session_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('capacity > 0', name=op.f('ck_class_sessions_capacity_positive')),
    sa.CheckConstraint('seats_taken <= capacity', name=op.f('ck_class_sessions_seats_within_capacity')),
    sa.CheckConstraint('seats_taken >= 0', name=op.f('ck_class_sessions_seats_not_negative')),
    sa.ForeignKeyConstraint(['class_id'], ['classes.id'], name=op.f('fk_class_sessions_class_id_classes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_class_sessions'))
    )
    with op.batch_alter_table('class_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_class_sessions_class_starts', ['class_id', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_class_sessions_starts_at'), ['starts_at'], unique=False)


def downgrade():
    with op.batch_alter_table('class_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_class_sessions_starts_at'))
        batch_op.drop_index('ix_class_sessions_class_starts')

    op.drop_table('class_sessions')
    with op.batch_alter_table('class_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_class_photos_class_id'))

    op.drop_table('class_photos')
    with op.batch_alter_table('class_goals', schema=None) as batch_op:
        batch_op.drop_index('ix_class_goals_kind_number')

    op.drop_table('class_goals')
    with op.batch_alter_table('classes', schema=None) as batch_op:
        batch_op.drop_index('ix_classes_status_published')
        batch_op.drop_index(batch_op.f('ix_classes_status'))
        batch_op.drop_index(batch_op.f('ix_classes_artisan_id'))

    op.drop_table('classes')
