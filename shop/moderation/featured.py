"""What the home page features: the workshops, products and classes admins chose (settings),
in their chosen order, only while each is public."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import get_locale
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from shop.artisans.models import Artisan
from shop.catalog.models import Product
from shop.classes.models import Class
from shop.core import settings
from shop.extensions import db


@dataclass
class Featured:
    """The chosen public rows of each kind (empty lists when none are chosen)."""

    artisans: list[Artisan] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)
    classes: list[Class] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.artisans or self.products or self.classes)


def _public(model, ids: list[int], *options) -> list:
    """The public rows among `ids`, in the order of `ids` (no query when none are chosen)."""
    if not ids:
        return []
    rows = db.session.scalars(
        select(model).where(model.id.in_(ids), model.public_filter()).options(*options)
    ).all()
    by_id = {row.id: row for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def featured_on_home() -> Featured:
    """The home page's featured block."""
    return Featured(
        artisans=_public(
            Artisan,
            settings.FEATURED_ARTISANS.get(),
            selectinload(Artisan.cover_image),
            selectinload(Artisan.goals),
        ),
        products=_public(Product, settings.FEATURED_PRODUCTS.get(), selectinload(Product.photos)),
        classes=_public(Class, settings.FEATURED_CLASSES.get(), selectinload(Class.photos)),
    )


def _listing_choices(model) -> list[tuple[int, str]]:
    """Public products or classes as (id, "title · workshop"), in the admin's language."""
    rows = db.session.scalars(
        select(model)
        .where(model.public_filter())
        .options(selectinload(model.artisan))
        .order_by(model.title)
        .limit(500)
    )
    return [(row.id, f"{row.title_in(get_locale())} · {row.artisan.shop_name}") for row in rows]


def choices() -> dict[str, list[tuple[int, str]]]:
    """What admins may feature: every public workshop, product and class, by name."""
    return {
        "artisans": [
            (row.id, row.shop_name)
            for row in db.session.scalars(
                select(Artisan).where(Artisan.public_filter()).order_by(Artisan.shop_name)
            )
        ],
        "products": _listing_choices(Product),
        "classes": _listing_choices(Class),
    }
