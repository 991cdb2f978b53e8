"""Artisans: workshops, their goals, the audit log, and uploaded images.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 15:05:52.835503

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('images',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('ext', sa.String(length=8), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('alt', sa.String(length=200), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("ext IN ('jpg', 'png', 'webp')", name=op.f('ck_images_ext_known')),
    sa.CheckConstraint('width > 0 AND height > 0', name=op.f('ck_images_size_positive')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_images_owner_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_images')),
    sa.UniqueConstraint('key', name=op.f('uq_images_key'))
    )
    with op.batch_alter_table('images', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_images_owner_id'), ['owner_id'], unique=False)

    op.create_table('artisans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('shop_name', sa.String(length=120), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('first_name', sa.String(length=60), nullable=False),
    sa.Column('public_name_choice', sa.Enum('first_name', 'shop_name', name='public_name_choice', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('craft', sa.String(length=80), nullable=False),
    sa.Column('city', sa.String(length=80), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('origin_country', sa.String(length=2), nullable=True),
    sa.Column('show_origin', sa.Boolean(), nullable=False),
    sa.Column('languages', sa.String(length=200), nullable=False),
    sa.Column('tagline', sa.String(length=160), nullable=False),
    sa.Column('story', sa.Text(), nullable=False),
    sa.Column('story_url', sa.String(length=500), nullable=True),
    sa.Column('profile_image_id', sa.Integer(), nullable=True),
    sa.Column('cover_image_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('pending', 'changes_requested', 'approved', 'rejected', 'suspended', name='artisan_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=True),
    sa.Column('consent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('consent_withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(story) <= 20000', name=op.f('ck_artisans_story_length')),
    sa.ForeignKeyConstraint(['cover_image_id'], ['images.id'], name=op.f('fk_artisans_cover_image_id_images'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['profile_image_id'], ['images.id'], name=op.f('fk_artisans_profile_image_id_images'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_artisans_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_artisans')),
    sa.UniqueConstraint('shop_name', name=op.f('uq_artisans_shop_name')),
    sa.UniqueConstraint('slug', name=op.f('uq_artisans_slug')),
    sa.UniqueConstraint('user_id', name=op.f('uq_artisans_user_id'))
    )
    with op.batch_alter_table('artisans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_artisans_city'), ['city'], unique=False)
        batch_op.create_index(batch_op.f('ix_artisans_craft'), ['craft'], unique=False)
        batch_op.create_index('ix_artisans_status_submitted', ['status', 'submitted_at'], unique=False)

    op.create_table('artisan_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('artisan_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('from_status', sa.String(length=32), nullable=True),
    sa.Column('to_status', sa.String(length=32), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_artisan_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['artisan_id'], ['artisans.id'], name=op.f('fk_artisan_events_artisan_id_artisans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_artisan_events'))
    )
    with op.batch_alter_table('artisan_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_artisan_events_artisan_id'), ['artisan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_artisan_events_created_at'), ['created_at'], unique=False)

    op.create_table('artisan_goals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('artisan_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=3), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('statement', sa.String(length=200), nullable=False),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("(kind = 'sdg' AND number BETWEEN 1 AND 17) OR (kind = 'gcm' AND number BETWEEN 1 AND 23)", name=op.f('ck_artisan_goals_goal_known')),
    sa.ForeignKeyConstraint(['artisan_id'], ['artisans.id'], name=op.f('fk_artisan_goals_artisan_id_artisans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['verified_by_id'], ['users.id'], name=op.f('fk_artisan_goals_verified_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_artisan_goals')),
    sa.UniqueConstraint('artisan_id', 'kind', 'number', name='uq_artisan_goals_goal')
    )
    with op.batch_alter_table('artisan_goals', schema=None) as batch_op:
        batch_op.create_index('ix_artisan_goals_kind_number', ['kind', 'number'], unique=False)



def downgrade():
    with op.batch_alter_table('artisan_goals', schema=None) as batch_op:
        batch_op.drop_index('ix_artisan_goals_kind_number')

    op.drop_table('artisan_goals')
    with op.batch_alter_table('artisan_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_artisan_events_created_at'))
        batch_op.drop_index(batch_op.f('ix_artisan_events_artisan_id'))

    op.drop_table('artisan_events')
    with op.batch_alter_table('artisans', schema=None) as batch_op:
        batch_op.drop_index('ix_artisans_status_submitted')
        batch_op.drop_index(batch_op.f('ix_artisans_craft'))
        batch_op.drop_index(batch_op.f('ix_artisans_city'))

    op.drop_table('artisans')
    with op.batch_alter_table('images', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_images_owner_id'))

    op.drop_table('images')
