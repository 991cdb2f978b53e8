"""Products, their categories, photos and goals."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.artisans.listings import BilingualListing
from shop.artisans.models import Artisan, GoalLink
from shop.core.db import enum_column
from shop.core.money import DEFAULT_CURRENCY
from shop.core.states import LabelledEnum
from shop.core.time import UTCDateTime, utcnow
from shop.extensions import db
from shop.media.models import Image

MAX_PHOTOS = 8


class ProductStatus(LabelledEnum):
    """Only `active` products of public artisans are shown to customers."""

    DRAFT = "draft"
    ACTIVE = "active"
    HIDDEN = "hidden"
    ARCHIVED = "archived"

    @classmethod
    def labels(cls) -> dict:
        return {
            cls.DRAFT: _l("draft"),
            cls.ACTIVE: _l("published"),
            cls.HIDDEN: _l("hidden"),
            cls.ARCHIVED: _l("archived"),
        }


class Category(db.Model):
    """A product category (seeded list; names in both languages)."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name_en: Mapped[str] = mapped_column(String(60))
    name_es: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(default=0)

    def name(self, locale: str) -> str:
        """The name in the reader's language."""
        return self.name_es if str(locale).startswith("es") else self.name_en


class Product(BilingualListing, db.Model):
    """Something an artisan makes and sells."""

    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("price_cents >= 0", name="price_not_negative"),
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        CheckConstraint(
            "lead_time_days IS NULL OR lead_time_days BETWEEN 0 AND 365", name="lead_time_range"
        ),
        CheckConstraint("weight_grams IS NULL OR weight_grams >= 0", name="weight_not_negative"),
        # Keyset pages (shop/core/pagination.py) walk these to the row after a cursor.
        Index("ix_products_status_published_id", "status", "published_at", "id"),
        Index("ix_products_status_price_id", "status", "price_cents", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    artisan_id: Mapped[int] = mapped_column(
        ForeignKey("artisans.id", ondelete="CASCADE"), index=True
    )
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    materials: Mapped[str] = mapped_column(String(200), default="")
    dimensions: Mapped[str] = mapped_column(String(120), default="")
    weight_grams: Mapped[int | None]
    price_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default=DEFAULT_CURRENCY)
    stock: Mapped[int] = mapped_column(default=0)
    made_to_order: Mapped[bool] = mapped_column(default=False)
    lead_time_days: Mapped[int | None]
    # In stock: dispatched within this many days ("ships in 3-5 days"); None: not said.
    dispatch_days_min: Mapped[int | None]
    dispatch_days_max: Mapped[int | None]
    pickup: Mapped[bool] = mapped_column(default=True)
    shipping: Mapped[bool] = mapped_column(default=False)
    status: Mapped[ProductStatus] = mapped_column(
        enum_column(ProductStatus, "product_status"), default=ProductStatus.DRAFT, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set while an admin keeps the product hidden (the artisan sees why); the artisan answers
    # by editing it and asking for review (review_requested_at).
    moderation_reason: Mapped[str | None] = mapped_column(Text)
    review_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    artisan: Mapped[Artisan] = relationship(backref=db.backref("products", lazy="dynamic"))
    category: Mapped[Category] = relationship()
    photos: Mapped[list[ProductPhoto]] = relationship(
        back_populates="product",
        cascade="all, delete-orphan",
        order_by=lambda: ProductPhoto.position,
    )
    goals: Mapped[list[ProductGoal]] = relationship(
        back_populates="product",
        cascade="all, delete-orphan",
        order_by=lambda: (ProductGoal.kind.desc(), ProductGoal.number),
    )

    @property
    def in_stock(self) -> bool:
        """Buyable now: made to order, or at least one unit left."""
        return self.made_to_order or self.stock > 0

    @property
    def cover(self) -> Image | None:
        """The first photo, used on cards."""
        return self.photos[0].image if self.photos else None

    @classmethod
    def public_filter(cls):
        """SQL condition: active, and its artisan is public."""
        return (cls.status == ProductStatus.ACTIVE) & cls.artisan.has(Artisan.public_filter())

    def __repr__(self) -> str:
        return f"<Product {self.id} {self.slug} {self.status}>"


class ProductPhoto(db.Model):
    """A photo of a product, in the order the artisan chose."""

    __tablename__ = "product_photos"
    __table_args__ = (UniqueConstraint("product_id", "image_id", name="uq_product_photos_image"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    image_id: Mapped[int] = mapped_column(ForeignKey("images.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)

    product: Mapped[Product] = relationship(back_populates="photos")
    image: Mapped[Image] = relationship(lazy="joined")


class ProductGoal(GoalLink, db.Model):
    """A goal a product supports (defaults to its artisan's)."""

    __tablename__ = "product_goals"
    owner_column = "product_id"

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))

    product: Mapped[Product] = relationship(back_populates="goals")
