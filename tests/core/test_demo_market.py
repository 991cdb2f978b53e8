"""The demo shows a marketplace: six approved workshops of different crafts, with stories,
goals, four to eight bilingual products each, classes meeting over the next eight weeks, and
a picture of its own for every product."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from shop.artisans.models import Artisan
from shop.catalog.models import Product
from shop.classes.models import Class
from shop.core.time import utcnow
from shop.demo_art import MOTIFS, illustration
from shop.media.services import storage

# The demo's pictures are the same at every seed: encode each once per process (see conftest).
pytestmark = pytest.mark.usefixtures("reuse_encoded_pictures")

CRAFTS = {
    "barro-vivo": ("Quito", "ceramics"),
    "telar-de-peguche": ("Otavalo", "textiles"),
    "silver-and-seed": (None, "jewellery"),
    "madera-noble": (None, "woodwork"),
    "sabores-de-dos-tierras": (None, "food"),
    "cuero-vivo": (None, "other"),
}


def _public_workshops(db) -> dict[str, Artisan]:
    return {a.slug: a for a in db.session.scalars(select(Artisan).where(Artisan.public_filter()))}


def test_demo_seeds_six_public_workshops_of_different_crafts(runner, db, client):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    workshops = _public_workshops(db)
    assert set(CRAFTS) <= set(workshops)
    now = utcnow()
    for slug, (city, category) in CRAFTS.items():
        workshop = workshops[slug]
        if city:
            assert workshop.city == city
        assert workshop.story.strip() and workshop.goals, slug
        products = list(workshop.products.filter(Product.public_filter()))
        assert 4 <= len(products) <= 8, slug
        assert {p.category.slug for p in products} == {category}, slug
        [klass] = workshop.classes.filter(Class.public_filter()).all()
        upcoming = [s for s in klass.sessions if s.starts_at > now]
        # Weekly sessions spread over the coming eight weeks.
        assert len(upcoming) >= 7, slug
        assert max(s.starts_at for s in upcoming) - now <= timedelta(weeks=8, days=1)
        assert max(s.starts_at for s in upcoming) - now >= timedelta(weeks=6)
        page = client.get(f"/artisans/{slug}")
        assert page.status_code == 200
    # The shop lists them all; the applicant still waits for a decision.
    assert "tejidos-suchon" not in workshops


def test_every_demo_product_is_bilingual_and_has_pictures_of_its_own(runner, db, app):
    runner.invoke(args=["seed-demo"])
    products = db.session.scalars(select(Product).where(Product.public_filter())).all()
    assert len(products) >= 24
    assert all(p.title_translated and p.description_translated for p in products)
    assert {p.language for p in products} == {"es", "en"}  # one artisan writes in English
    store = storage()
    covers, every_photo = set(), []
    for product in products:
        assert len(product.photos) >= 1
        for photo in product.photos:
            every_photo.append(hashlib.sha256(store.open(photo.image.filename())).hexdigest())
        covers.add(every_photo[-len(product.photos)])
    assert len(covers) == len(products)
    assert len(set(every_photo)) == len(every_photo)  # no picture used twice anywhere


def test_illustrations_differ_by_craft_and_by_seed():
    pictures = {illustration(craft, seed, (400, 400)) for craft in MOTIFS for seed in range(3)}
    assert len(pictures) == len(MOTIFS) * 3
    assert illustration("food", 1, (400, 400)) == illustration("food", 1, (400, 400))
