"""Catalogue rules: creating and publishing products, photos, and public listings."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from shop.artisans.listings import fill_texts, sync_goals
from shop.artisans.models import Artisan, ArtisanStatus
from shop.catalog import search
from shop.catalog.models import Category, Product, ProductGoal, ProductPhoto, ProductStatus
from shop.core.errors import NotAllowed, ValidationFailed
from shop.core.money import to_cents
from shop.core.states import StateMachine
from shop.core.text import slugify
from shop.core.time import utcnow
from shop.extensions import db
from shop.goals import get_goal
from shop.media import gallery
from shop.media.models import Image

log = logging.getLogger(__name__)
P = ProductStatus

CATEGORIES = [
    ("ceramics", "Ceramics", "Cerámica"),
    ("textiles", "Textiles", "Textiles"),
    ("jewellery", "Jewellery", "Joyería"),
    ("woodwork", "Woodwork", "Madera"),
    ("food", "Food", "Alimentos"),
    ("art", "Art", "Arte"),
    ("other", "Other", "Otros"),
]

PRODUCT_STATES = StateMachine(
    Product,
    {
        "publish": ({P.DRAFT, P.HIDDEN}, P.ACTIVE),
        "hide": ({P.ACTIVE}, P.HIDDEN),
        "archive": ({P.DRAFT, P.ACTIVE, P.HIDDEN}, P.ARCHIVED),
        "restore": ({P.ARCHIVED}, P.DRAFT),
    },
)


@dataclass
class ProductData:
    """What an artisan fills in for a product."""

    title: str
    category_id: int
    price_cents: int
    description: str = ""
    materials: str = ""
    dimensions: str = ""
    weight_grams: int | None = None
    currency: str = "USD"
    stock: int = 0  # a new product's first count; later changes: inventory.set_stock
    made_to_order: bool = False
    lead_time_days: int | None = None
    dispatch_days_min: int | None = None  # in stock: "ships in min-max days"
    dispatch_days_max: int | None = None
    pickup: bool = True
    shipping: bool = False
    goals: list[tuple[str, int]] | None = None  # None: the artisan's goals
    language: str = "es"  # the language the artisan wrote in
    title_translated: str = ""  # optional, in the other language
    description_translated: str = ""


def ensure_categories() -> None:
    """Create the seeded categories that are missing (idempotent)."""
    existing = set(db.session.scalars(select(Category.slug)))
    for position, (slug, name_en, name_es) in enumerate(CATEGORIES):
        if slug not in existing:
            db.session.add(Category(slug=slug, name_en=name_en, name_es=name_es, position=position))
    db.session.flush()


def categories() -> list[Category]:
    """All categories in their display order."""
    return list(db.session.scalars(select(Category).order_by(Category.position)))


def category_counts() -> list[tuple[Category, int]]:
    """Categories with how many public products each has, in display order; empty ones left
    out (a visitor should never click into nothing)."""
    rows = db.session.execute(
        select(Category, func.count(Product.id))
        .join(Product, Product.category_id == Category.id)
        .where(Product.public_filter())
        .group_by(Category.id)
        .order_by(Category.position)
    )
    return [(category, count) for category, count in rows]


def _unique_slug(title: str, exclude_id: int | None = None) -> str:
    base = slugify(title)[:100] or "product"
    candidate, number = base, 2
    while True:
        query = select(Product.id).where(Product.slug == candidate)
        if exclude_id is not None:
            query = query.where(Product.id != exclude_id)
        if db.session.scalar(query) is None:
            return candidate
        candidate, number = f"{base}-{number}", number + 1


def _validate(data: ProductData) -> None:
    if not data.title.strip():
        raise ValidationFailed(str(_l("Give the product a title.")), field="title")
    if data.price_cents <= 0:
        raise ValidationFailed(str(_l("The price must be more than zero.")), field="price")
    if data.price_cents > MAX_PRICE_CENTS:
        raise ValidationFailed(str(_l("That price is too high for this shop.")), field="price")
    if data.stock < 0:
        raise ValidationFailed(str(_l("Stock cannot be negative.")), field="stock")
    if data.made_to_order and not data.lead_time_days:
        raise ValidationFailed(
            str(_l("Say in how many days you can make it.")), field="lead_time_days"
        )
    _validate_dispatch(data.dispatch_days_min, data.dispatch_days_max)
    if not (data.pickup or data.shipping):
        raise ValidationFailed(str(_l("Offer pickup, shipping or both.")), field="pickup")
    if db.session.get(Category, data.category_id) is None:
        raise ValidationFailed(str(_l("Choose a category.")), field="category_id")


MAX_DISPATCH_DAYS = 90


def _validate_dispatch(low: int | None, high: int | None) -> None:
    """Dispatch days: both empty, or 0 <= low <= high <= 90 (one alone means exactly that)."""
    if low is None and high is None:
        return
    low, high = (high if low is None else low), (low if high is None else high)
    if not 0 <= low <= high <= MAX_DISPATCH_DAYS:
        raise ValidationFailed(
            str(
                _l(
                    "Dispatch days go from 0 to %(n)d, the first no more than the second.",
                    n=MAX_DISPATCH_DAYS,
                )
            ),
            field="dispatch_days_min",
        )


def _fill(product: Product, data: ProductData) -> None:
    product.title = data.title.strip()
    product.category_id = data.category_id
    product.description = data.description.replace("\r\n", "\n").strip()
    product.materials = data.materials.strip()
    product.dimensions = data.dimensions.strip()
    product.weight_grams = data.weight_grams
    product.price_cents = data.price_cents
    product.currency = data.currency.upper()
    product.made_to_order = data.made_to_order
    product.lead_time_days = data.lead_time_days if data.made_to_order else None
    low, high = data.dispatch_days_min, data.dispatch_days_max
    product.dispatch_days_min = low if low is not None else high
    product.dispatch_days_max = high if high is not None else low
    product.pickup = data.pickup
    product.shipping = data.shipping
    sync_goals(product.goals, data.goals, product.artisan, ProductGoal)
    fill_texts(product, data.language, data.title_translated, data.description_translated)


def create_product(artisan: Artisan, data: ProductData) -> Product:
    """A new draft product (pending artisans may prepare drafts)."""
    if artisan.status in (ArtisanStatus.SUSPENDED, ArtisanStatus.REJECTED):
        raise NotAllowed(str(_l("Your workshop cannot add products right now.")))
    _validate(data)
    # Its first count, on a row nobody else can see yet; inventory makes every later change.
    product = Product(
        artisan=artisan, status=P.DRAFT, slug=_unique_slug(data.title), stock=data.stock
    )
    _fill(product, data)
    db.session.add(product)
    db.session.flush()
    search.index_product(product)
    return product


def update_product(product: Product, data: ProductData) -> Product:
    """Save edits; orders already placed keep their own copy of title and price.

    The stock is not written here: inventory.set_stock is its one writer (the edit view
    calls both in one unit of work).
    """
    if product.artisan.status == ArtisanStatus.SUSPENDED:
        raise NotAllowed(str(_l("Your workshop cannot change products right now.")))
    _validate(data)
    _fill(product, data)
    db.session.flush()
    search.index_product(product)
    return product


def change_status(product: Product, action: str) -> Product:
    """Publish, hide, archive or restore a product."""
    target = PRODUCT_STATES[action].target
    if target == P.ACTIVE and product.artisan.status != ArtisanStatus.APPROVED:
        raise NotAllowed(str(_l("You can publish once your workshop is approved.")))
    if target == P.ACTIVE and product.moderation_reason is not None:
        raise NotAllowed(
            str(
                _l("An admin hid this listing: change it and ask for a review to publish it again.")
            )
        )
    first_time = target == P.ACTIVE and product.published_at is None
    PRODUCT_STATES.require(product, action, **({"published_at": utcnow()} if first_time else {}))
    log.info("product %s: %s", product.id, action)
    return product


def add_photo(product: Product, image: Image) -> ProductPhoto:
    """Attach a stored photo at the end of the gallery."""
    return gallery.add_photo(product, ProductPhoto, image)


def remove_photo(product: Product, photo_id: int) -> None:
    """Detach a photo from the gallery."""
    gallery.remove_photo(product, photo_id)


def move_photo(product: Product, photo_id: int, step: int) -> None:
    """Move a photo one place earlier (step=-1) or later (step=1)."""
    gallery.move_photo(product, photo_id, step)


@dataclass
class ProductFilters:
    """What a shopper can filter and sort by; the same for pages and the API."""

    q: str | None = None
    category: str | None = None
    goal: tuple[str, int] | None = None
    artisan: str | None = None
    city: str | None = None
    min_cents: int | None = None
    max_cents: int | None = None
    in_stock: bool = False
    sort: str = "newest"
    errors: list[str] = field(default_factory=list)


SORTS = ("newest", "price_asc", "price_desc", "relevance")


def public_products(filters: ProductFilters):
    """A select() of buyable-looking products with filters, sort and eager loading."""
    query = (
        select(Product)
        .join(Product.artisan)
        .where(Product.status == P.ACTIVE, Artisan.public_filter())
        .options(
            joinedload(Product.photos),
            # The artisan row is already joined for the public filter: read it from there.
            contains_eager(Product.artisan).joinedload(Artisan.profile_image),
            joinedload(Product.category),
        )
    )
    if filters.category:
        query = query.join(Product.category).where(Category.slug == filters.category)
    if filters.goal:
        kind, number = filters.goal
        query = query.where(
            Product.goals.any((ProductGoal.kind == kind) & (ProductGoal.number == number))
        )
    if filters.artisan:
        query = query.where(Artisan.slug == filters.artisan)
    if filters.city:
        query = query.where(func.lower(Artisan.city) == filters.city.strip().lower())
    if filters.min_cents is not None:
        query = query.where(Product.price_cents >= filters.min_cents)
    if filters.max_cents is not None:
        query = query.where(Product.price_cents <= filters.max_cents)
    if filters.in_stock:
        query = query.where((Product.stock > 0) | Product.made_to_order.is_(True))
    matches = search.ranked_matches(filters.q)
    if matches is not None:
        query = query.join(matches, matches.c.product_id == Product.id)
    sort = filters.sort if filters.sort in SORTS else "newest"
    if sort == "relevance" and matches is None:
        sort = "newest"
    order = {
        "newest": (Product.published_at.desc(), Product.id.desc()),
        "price_asc": (Product.price_cents.asc(), Product.id.asc()),
        "price_desc": (Product.price_cents.desc(), Product.id.desc()),
        "relevance": (matches.c.rank.desc(), Product.id.desc()) if matches is not None else (),
    }[sort]
    return query.order_by(*order)


def products_by_id(ids: list[int]) -> list[Product]:
    """The public products with these ids, loaded as cards show them, in the order given
    (the rows of a page found by keyset_paginate(..., load=products_by_id))."""
    found = {
        product.id: product
        for product in db.session.scalars(
            public_products(ProductFilters()).where(Product.id.in_(ids)).order_by(None)
        ).unique()
    }
    return [found[i] for i in ids if i in found]


def shop_products(artisan_slug: str):
    """A select() of one artisan's public products as their shop shows them: what can be
    bought first (in stock or made to order), newest first; sold out last."""
    available = (Product.stock > 0) | Product.made_to_order.is_(True)
    return (
        public_products(ProductFilters(artisan=artisan_slug))
        .order_by(None)
        .order_by(available.desc(), Product.published_at.desc(), Product.id.desc())
    )


def get_public_product(slug: str) -> Product | None:
    """The product with this slug if the public may see it."""
    return (
        db.session.scalars(
            public_products(ProductFilters())
            .where(Product.slug == slug)
            .options(joinedload(Product.goals))
        )
        .unique()
        .first()
    )


MAX_PRICE_CENTS = 10_000_000  # the highest price a product may have (see _validate)


def parse_goal(value: str | None) -> tuple[str, int] | None:
    """'sdg-8' -> ("sdg", 8) for a known goal; anything else -> None."""
    kind, _, number = (value or "").partition("-")
    if number.isascii() and number.isdecimal() and len(number) <= 2:
        goal = get_goal(kind, int(number))
        if goal is not None:
            return goal.kind, goal.n
    return None


def parse_filters(args) -> ProductFilters:
    """Build filters from query-string values (pages and API share this)."""
    filters = ProductFilters(
        q=(args.get("q") or "").strip()[:200] or None,
        category=(args.get("category") or "").strip() or None,
        artisan=(args.get("artisan") or "").strip() or None,
        city=(args.get("city") or "").strip() or None,
        in_stock=args.get("in_stock") in ("1", "true", "on", "y"),
        sort=args.get("sort") or ("relevance" if args.get("q") else "newest"),
    )
    filters.goal = parse_goal(args.get("goal"))
    for name, attr in (("min_price", "min_cents"), ("max_price", "max_cents")):
        raw = (args.get(name) or "").strip()
        if raw:
            try:
                cents = to_cents(raw)
            except ValueError:
                filters.errors.append(name)
            else:
                if 0 <= cents <= MAX_PRICE_CENTS:
                    setattr(filters, attr, cents)
                else:
                    filters.errors.append(name)
    return filters


def _cards():
    """Public products as cards show them: the artisan joined in, the photos in one query."""
    return (
        select(Product)
        .join(Product.artisan)
        .where(Product.status == P.ACTIVE, Artisan.public_filter())
        .options(contains_eager(Product.artisan), joinedload(Product.photos))
    )


AVAILABLE_FIRST = ((Product.stock > 0) | Product.made_to_order.is_(True)).desc()


def more_from_artisan(product: Product, limit: int = 4) -> list[Product]:
    """Other public products of the same artisan, what can be bought first, newest first."""
    query = (
        _cards()
        .where(Product.artisan_id == product.artisan_id, Product.id != product.id)
        .order_by(AVAILABLE_FIRST, Product.published_at.desc(), Product.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query).unique())


RELATED_POOL = 300  # the newest listings "you may also like" picks from


def related_products(product: Product, limit: int = 4) -> list[Product]:
    """Public products of other artisans in the same category or supporting one of the same
    goals: what can be bought first, the same category first, newest first.

    Chosen among the RELATED_POOL newest products (read off the keyset index), so the sort
    stays small however large the catalogue: on 10,000 products sorting every match took
    PostgreSQL 13 ms of a 26 ms page."""
    goals = [(g.kind, g.number) for g in product.goals]
    similar = Product.category_id == product.category_id
    if goals:
        shared_goal = Product.goals.any(
            or_(*((ProductGoal.kind == kind) & (ProductGoal.number == n) for kind, n in goals))
        )
        similar_or_shared = or_(similar, shared_goal)
    else:
        similar_or_shared = similar
    newest = (
        select(Product.id)
        .where(Product.status == P.ACTIVE)
        .order_by(Product.published_at.desc(), Product.id.desc())
        .limit(RELATED_POOL)
    )
    query = (
        _cards()
        .where(Product.id.in_(newest), Product.artisan_id != product.artisan_id, similar_or_shared)
        .order_by(AVAILABLE_FIRST, similar.desc(), Product.published_at.desc(), Product.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query).unique())
