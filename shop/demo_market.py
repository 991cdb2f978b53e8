"""Demo data: five more approved workshops (weaving in Otavalo, jewellery, woodwork, a cooking
class, leather) with stories, goals, bilingual products and weekly classes over the next eight
weeks, so `make run` opens on a marketplace. Their accounts have random passwords: the demo
log-ins stay the four in shop/demo.py."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import time, timedelta
from functools import cache
from importlib import resources

from werkzeug.security import generate_password_hash

from shop.artisans import services as artisans
from shop.artisans.models import PublicName
from shop.auth.models import User
from shop.catalog import services as catalog
from shop.classes import services as classes
from shop.classes.models import SkillLevel
from shop.core.time import utcnow
from shop.demo_art import illustration
from shop.extensions import db
from shop.media.services import save_image

# (category, title es, title en, description es, description en, price cents, stock, materials)
Item = tuple[str, str, str, str, str, int, int, str]


@dataclass
class DemoClass:
    """A weekly class: its texts in both languages, price and when it meets."""

    title: str
    title_en: str
    description: str
    description_en: str
    price_cents: int
    duration_minutes: int
    min_participants: int
    max_participants: int
    meeting_area: str
    weekday: int
    hour: int
    private_min_cents: int | None = None


@dataclass
class DemoShop:
    """One workshop of the demo market."""

    email: str
    name: str
    shop_name: str
    slug: str
    craft: str  # a key of shop.demo_art.PALETTES
    craft_label: str
    city: str
    origin: str
    tagline: str
    story: str
    goals: dict
    items: list[Item]
    klass: DemoClass
    language: str = "es"
    public_name: PublicName = PublicName.SHOP_NAME


# One hash of a random password nobody knows, shared by the demo's walk-on accounts: hashing
# one per account costs a quarter of a second each, most of the seeding time.
@cache
def unusable_password_hash() -> str:
    """The shared hash, made on first use (not at import: every process imports this)."""
    return generate_password_hash(secrets.token_urlsafe(24))


def _load_shops() -> list[DemoShop]:
    """The workshops' words and numbers (shop/data/demo_shops.json)."""
    raw = json.loads(resources.files("shop").joinpath("data", "demo_shops.json").read_text())
    shops = []
    for entry in raw:
        entry["goals"] = {(kind, number): why for kind, number, why in entry["goals"]}
        entry["items"] = [tuple(item) for item in entry["items"]]
        entry["klass"] = DemoClass(**entry["klass"])
        entry["public_name"] = PublicName(entry["public_name"])
        shops.append(DemoShop(**entry))
    return shops


SHOPS = _load_shops()


def _photo(craft: str, seed: int, owner_id: int, alt: str, size=(640, 640)):
    return save_image(illustration(craft, seed, size), owner_id, alt=alt)


def _texts(shop: DemoShop, es: str, en: str) -> tuple[str, str]:
    """(original, translation): the artisan writes in their own language."""
    return (en, es) if shop.language == "en" else (es, en)


def _products(shop: DemoShop, workshop, user: User, categories: dict, seed: int) -> int:
    for index, (category, t_es, t_en, d_es, d_en, price, stock, materials) in enumerate(shop.items):
        title, title_other = _texts(shop, t_es, t_en)
        description, description_other = _texts(shop, d_es, d_en)
        product = catalog.create_product(
            workshop,
            catalog.ProductData(
                title=title,
                category_id=categories[category],
                price_cents=price,
                stock=stock,
                materials=materials,
                description=description,
                language=shop.language,
                title_translated=title_other,
                description_translated=description_other,
                pickup=True,
                shipping=True,
            ),
        )
        # Two pictures for the first pieces of each shop (the photo viewer), one for the rest:
        # every picture costs a re-encoding into each size, most of the seeding time.
        for photo in range(2 if index < 2 else 1):
            size = (640, 640) if photo == 0 else (480, 480)  # the second only as a detail
            catalog.add_photo(product, _photo(shop.craft, seed * 2 + photo, user.id, title, size))
            seed += 1
        catalog.change_status(product, "publish")
        # Listed a while ago, so the potter's pieces stay the newest on the first page.
        product.published_at = utcnow() - timedelta(days=2 + index, hours=seed)
    return seed


def _class(shop: DemoShop, workshop, user: User, seed: int) -> None:
    spec = shop.klass
    title, title_other = _texts(shop, spec.title, spec.title_en)
    description, description_other = _texts(shop, spec.description, spec.description_en)
    klass = classes.create_class(
        workshop,
        classes.ClassData(
            title=title,
            price_cents=spec.price_cents,
            duration_minutes=spec.duration_minutes,
            min_participants=spec.min_participants,
            max_participants=spec.max_participants,
            meeting_area=spec.meeting_area,
            address=f"{spec.meeting_area} (dirección de demostración)",
            description=description,
            language=shop.language,
            title_translated=title_other,
            description_translated=description_other,
            skill_level=SkillLevel.BEGINNER,
            languages="English, Español" if shop.language == "en" else "Español",
            private_min_cents=spec.private_min_cents,
        ),
    )
    classes.add_photo(klass, _photo(shop.craft, 500 + seed, user.id, title, (960, 640)))
    classes.change_status(klass, "publish")
    classes.add_weekly_sessions(
        klass,
        weekday=spec.weekday,
        starting=(utcnow() + timedelta(days=1)).date(),
        local_time=time(spec.hour, 0),
        weeks=8,
    )


def seed_market(admin: User, categories: dict) -> list:
    """Create the five workshops, approved, with their products and classes."""
    made, seed = [], 0
    for shop in SHOPS:
        user = User(email=shop.email, name=shop.name, email_verified_at=utcnow())
        user.password_hash = unusable_password_hash()  # nobody logs in as them
        db.session.add(user)
        db.session.flush()
        workshop = artisans.apply(
            user,
            artisans.ApplicationData(
                shop_name=shop.shop_name,
                slug=shop.slug,
                first_name=shop.name.split()[0],
                public_name_choice=shop.public_name,
                craft=shop.craft_label,
                city=shop.city,
                country="EC",
                origin_country=shop.origin,
                show_origin=True,
                languages="English, Español" if shop.language == "en" else "Español",
                tagline=shop.tagline,
                story=shop.story,
                consent=True,
                goals=shop.goals,
            ),
        )
        artisans.set_photo(
            workshop, "profile", _photo(shop.craft, 900 + seed, user.id, shop.shop_name)
        )
        artisans.set_photo(
            workshop, "cover", _photo(shop.craft, 950 + seed, user.id, shop.shop_name, (1280, 560))
        )
        artisans.decide(workshop, admin, "approve")
        workshop.shipping_rate_cents = 400
        db.session.refresh(workshop, ["goals"])  # loaded now, not mid-way through a new product
        seed = _products(shop, workshop, user, categories, seed)
        _class(shop, workshop, user, seed)
        made.append(workshop)
    db.session.flush()
    return made
