"""Catalogue: categories (seeded), products, photos, goals, search index, shipping rate.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 15:16:22.699775

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

# Seeded once here; later changes to the list are migrations of their own.
CATEGORIES = [
    ('ceramics', 'Ceramics', 'Cerámica'),
    ('textiles', 'Textiles', 'Textiles'),
    ('jewellery', 'Jewellery', 'Joyería'),
    ('woodwork', 'Woodwork', 'Madera'),
    ('food', 'Food', 'Alimentos'),
    ('art', 'Art', 'Arte'),
    ('other', 'Other', 'Otros'),
]


def upgrade():
    op.create_table('categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=40), nullable=False),
    sa.Column('name_en', sa.String(length=60), nullable=False),
    sa.Column('name_es', sa.String(length=60), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_categories')),
    sa.UniqueConstraint('slug', name=op.f('uq_categories_slug'))
    )
    op.create_table('products',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('artisan_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('materials', sa.String(length=200), nullable=False),
    sa.Column('dimensions', sa.String(length=120), nullable=False),
    sa.Column('weight_grams', sa.Integer(), nullable=True),
    sa.Column('price_cents', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('stock', sa.Integer(), nullable=False),
    sa.Column('made_to_order', sa.Boolean(), nullable=False),
    sa.Column('lead_time_days', sa.Integer(), nullable=True),
    sa.Column('pickup', sa.Boolean(), nullable=False),
    sa.Column('shipping', sa.Boolean(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'active', 'hidden', 'archived', name='product_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('lead_time_days IS NULL OR lead_time_days BETWEEN 0 AND 365', name=op.f('ck_products_lead_time_range')),
    sa.CheckConstraint('price_cents >= 0', name=op.f('ck_products_price_not_negative')),
    sa.CheckConstraint('stock >= 0', name=op.f('ck_products_stock_not_negative')),
    sa.CheckConstraint('weight_grams IS NULL OR weight_grams >= 0', name=op.f('ck_products_weight_not_negative')),
    sa.ForeignKeyConstraint(['artisan_id'], ['artisans.id'], name=op.f('fk_products_artisan_id_artisans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_products_category_id_categories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_products')),
    sa.UniqueConstraint('slug', name=op.f('uq_products_slug'))
    )
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_products_artisan_id'), ['artisan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_products_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_products_status'), ['status'], unique=False)
        batch_op.create_index('ix_products_status_price', ['status', 'price_cents'], unique=False)
        batch_op.create_index('ix_products_status_published', ['status', 'published_at'], unique=False)

    op.create_table('product_goals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=3), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.CheckConstraint("(kind = 'sdg' AND number BETWEEN 1 AND 17) OR (kind = 'gcm' AND number BETWEEN 1 AND 23)", name=op.f('ck_product_goals_goal_known')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_product_goals_product_id_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_goals')),
    sa.UniqueConstraint('product_id', 'kind', 'number', name='uq_product_goals_goal')
    )
    with op.batch_alter_table('product_goals', schema=None) as batch_op:
        batch_op.create_index('ix_product_goals_kind_number', ['kind', 'number'], unique=False)

    op.create_table('product_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('image_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['image_id'], ['images.id'], name=op.f('fk_product_photos_image_id_images'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_product_photos_product_id_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_photos')),
    sa.UniqueConstraint('product_id', 'image_id', name='uq_product_photos_image')
    )
    with op.batch_alter_table('product_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_photos_product_id'), ['product_id'], unique=False)

    with op.batch_alter_table('artisans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shipping_rate_cents', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_artisans_shipping_not_negative'),
            'shipping_rate_cents IS NULL OR shipping_rate_cents >= 0',
        )

    categories = sa.table(
        'categories', sa.column('slug', sa.String), sa.column('name_en', sa.String),
        sa.column('name_es', sa.String), sa.column('position', sa.Integer),
    )
    op.bulk_insert(categories, [
        {'slug': slug, 'name_en': en, 'name_es': es, 'position': position}
        for position, (slug, en, es) in enumerate(CATEGORIES)
    ])

    # The search index differs per database and is not a model (see shop/catalog/search.py).
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            'CREATE TABLE product_search ('
            ' product_id INTEGER PRIMARY KEY REFERENCES products(id) ON DELETE CASCADE,'
            ' document TSVECTOR NOT NULL)'
        )
        op.execute('CREATE INDEX ix_product_search_document ON product_search USING GIN (document)')
    else:
        op.execute(
            "CREATE VIRTUAL TABLE product_search USING fts5("
            "title, artisan, materials, description, "
            "tokenize='unicode61 remove_diacritics 2')"
        )


def downgrade():
    op.execute('DROP TABLE IF EXISTS product_search')
    with op.batch_alter_table('artisans', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_artisans_shipping_not_negative'), type_='check')
        batch_op.drop_column('shipping_rate_cents')

    with op.batch_alter_table('product_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_photos_product_id'))

    op.drop_table('product_photos')
    with op.batch_alter_table('product_goals', schema=None) as batch_op:
        batch_op.drop_index('ix_product_goals_kind_number')

    op.drop_table('product_goals')
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_index('ix_products_status_published')
        batch_op.drop_index('ix_products_status_price')
        batch_op.drop_index(batch_op.f('ix_products_status'))
        batch_op.drop_index(batch_op.f('ix_products_category_id'))
        batch_op.drop_index(batch_op.f('ix_products_artisan_id'))

    op.drop_table('products')
    op.drop_table('categories')
