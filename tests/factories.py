"""Factories: rows with sensible defaults, flushed so they have ids."""

from __future__ import annotations

import itertools

from shop.auth.models import User
from shop.extensions import db

PASSWORD = "correct horse battery staple"
_sequence = itertools.count(1)


def user(
    *,
    email: str | None = None,
    name: str = "Test Person",
    password: str = PASSWORD,
    is_admin: bool = False,
    locale: str = "es",
    verified: bool = True,
) -> User:
    """A user account with a known password (its e-mail verified unless verified=False)."""
    from shop.core.time import utcnow

    number = next(_sequence)
    account = User(
        email=email or f"person{number}@example.com",
        name=name,
        is_admin=is_admin,
        locale=locale,
        email_verified_at=utcnow() if verified else None,
    )
    account.set_password(password)
    db.session.add(account)
    db.session.flush()
    return account


def artisan(
    *,
    user_account: User | None = None,
    status: str = "approved",
    shop_name: str | None = None,
    craft: str = "Ceramics",
    city: str = "Quito",
    country: str = "EC",
    goals: dict | None = None,
    story: str = "I make pots.",
    consent: bool = True,
):
    """An artisan workshop in the given status (approved by default)."""
    from shop.artisans.models import Artisan, ArtisanGoal, ArtisanStatus
    from shop.core.time import utcnow

    number = next(_sequence)
    owner = user_account or user(name=f"Artisan {number}")
    name = shop_name or f"Workshop {number}"
    workshop = Artisan(
        user=owner,
        shop_name=name,
        slug=f"workshop-{number}",
        first_name="Rosa",
        craft=craft,
        city=city,
        country=country,
        story=story,
        tagline="Handmade with care",
        status=ArtisanStatus(status),
        consent_at=utcnow() if consent else None,
        approved_at=utcnow() if status == "approved" else None,
    )
    for (kind, goal_number), statement in (goals or {("sdg", 8): "Decent work"}).items():
        workshop.goals.append(ArtisanGoal(kind=kind, number=goal_number, statement=statement))
    db.session.add(workshop)
    db.session.flush()
    return workshop


def product(
    *,
    artisan_workshop=None,
    title: str | None = None,
    price_cents: int = 2500,
    stock: int = 5,
    status: str = "active",
    category: str = "ceramics",
    description: str = "A handmade piece.",
    materials: str = "clay",
    made_to_order: bool = False,
    lead_time_days: int | None = None,
    goals: list[tuple[str, int]] | None = None,
    shipping: bool = False,
):
    """A product (active by default), indexed for search like the service does."""
    from sqlalchemy import select

    from shop.catalog import search
    from shop.catalog.models import Category, Product, ProductGoal, ProductStatus
    from shop.core.time import utcnow

    number = next(_sequence)
    owner = artisan_workshop or artisan()
    item = Product(
        artisan=owner,
        title=title or f"Product {number}",
        slug=f"product-{number}",
        category_id=db.session.scalar(select(Category.id).where(Category.slug == category)),
        description=description,
        materials=materials,
        price_cents=price_cents,
        stock=stock,
        made_to_order=made_to_order,
        lead_time_days=lead_time_days,
        shipping=shipping,
        status=ProductStatus(status),
        published_at=utcnow() if status == "active" else None,
    )
    for kind, goal_number in goals if goals is not None else [("sdg", 8)]:
        item.goals.append(ProductGoal(kind=kind, number=goal_number))
    db.session.add(item)
    db.session.flush()
    search.index_product(item)
    return item
