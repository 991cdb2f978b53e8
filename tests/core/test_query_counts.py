"""SQL statements per public page stay constant: at most 6 with a cold page cache, at most 1
(reading the cache version) with a warm one, however many listings there are."""

from __future__ import annotations

import secrets

import pytest
from flask import current_app

from shop.catalog.models import ProductPhoto
from shop.classes.models import ClassPhoto
from shop.core.pagecache import PageCache
from shop.extensions import db as _db
from shop.media.models import Image
from tests import factories
from tests.conftest import count_queries

COLD_LIMIT = 6
WARM_LIMIT = 1


@pytest.fixture
def cache_on(app):
    app.config["PAGE_CACHE_ENABLED"] = True
    saved = app.extensions["page_cache"]
    app.extensions["page_cache"] = PageCache(app)
    yield app.extensions["page_cache"]
    app.extensions["page_cache"].clear()
    app.extensions["page_cache"] = saved


def _image() -> Image:
    picture = Image(key=secrets.token_hex(8), ext="jpg", width=800, height=600, alt="Foto")
    _db.session.add(picture)
    return picture


def _catalogue(db, products: int):
    """Listings as a real shop has them: photos, profile and cover pictures, several goals and
    published reviews, so every eager load a page makes shows in its count."""
    artisans = [factories.artisan() for _ in range(3)]
    for workshop in artisans:
        workshop.profile_image, workshop.cover_image = _image(), _image()
    items = [
        factories.product(artisan_workshop=artisans[n % 3], goals=[("sdg", 8), ("gcm", 19)])
        for n in range(products)
    ]
    for item in items:
        item.photos.extend(ProductPhoto(image=_image(), position=n) for n in range(2))
    klass = factories.class_(artisan_workshop=artisans[0], goals=[("sdg", 4), ("gcm", 16)])
    klass.photos.extend(ClassPhoto(image=_image(), position=n) for n in range(2))
    factories.session(klass=klass)
    factories.session(klass=klass)
    buyer = factories.user(name="Lucía")
    with current_app.test_request_context():  # paying sends e-mails with links
        factories.review(factories.completed_purchase(buyer, items[0]))
        factories.review(factories.attended_booking(buyer, klass=klass))
    db.session.commit()
    return artisans[0], items[0], klass


def _pages(artisan, product, klass) -> list[str]:
    return [
        "/",
        "/products",
        "/products?q=product",
        "/products?page=2",
        f"/products/{product.slug}",
        f"/artisans/{artisan.slug}",
        f"/classes/{klass.slug}",
        "/api/v1/products",
        f"/api/v1/products/{product.slug}",
    ]


def _count(app, db, path: str) -> int:
    db.session.remove()
    with count_queries(db.engine) as statements:
        response = app.test_client().get(path)
    assert response.status_code == 200, path
    return len(statements)


def test_queries_per_page_are_constant_cold_and_warm(app, db, cache_on):
    artisan, product, klass = _catalogue(db, 30)
    cold = {}
    for path in _pages(artisan, product, klass):
        cold[path] = _count(app, db, path)
        warm = _count(app, db, path)
        assert warm <= WARM_LIMIT, f"{path}: {warm} queries with a warm cache"
    print(cold)
    too_many = {path: n for path, n in cold.items() if n > COLD_LIMIT}
    assert not too_many, f"too many queries cold: {too_many}"
    cache_on.clear()
    factories.product(artisan_workshop=artisan, goals=[("sdg", 8)])
    for _ in range(20):
        factories.product(goals=[("gcm", 19)])
    db.session.commit()
    for path in _pages(artisan, product, klass):
        cache_on.clear()
        assert _count(app, db, path) == cold[path], f"{path}: count grew with the catalogue"


def test_an_after_cursor_page_is_one_page_on(app, db):
    _catalogue(db, 30)
    client = app.test_client()
    first = client.get("/products")
    html = first.get_data(as_text=True)
    assert "after=" in html
    next_link = html.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    second = client.get(next_link).get_data(as_text=True)
    by_offset = client.get("/products?page=2").get_data(as_text=True)
    assert 'aria-current="page" href="/products?page=2"' in second

    def cards(page: str) -> list[str]:
        return [part.split('"')[0] for part in page.split('href="/products/')[1:]]

    assert cards(second) == cards(by_offset)
    assert not set(cards(second)) & set(cards(html))
    back_link = second.split('rel="prev" href="')[1].split('"')[0].replace("&amp;", "&")
    assert cards(client.get(back_link).get_data(as_text=True)) == cards(html)
    assert client.get("/products?after=not-a-cursor").status_code == 200


def test_a_search_counts_its_matches_in_the_same_statement(app, db):
    _catalogue(db, 30)
    factories.product(title="Cuenco", description="barro", materials="barro")
    db.session.commit()
    listing = _count(app, db, "/products")
    search = _count(app, db, "/products?q=product")
    assert search == listing - 1  # no separate count query
    client = app.test_client()
    html = client.get("/products?q=product", headers={"Accept-Language": "en"}).get_data(True)
    assert "30 products" in html
    body = client.get("/api/v1/products?q=product&per_page=7&page=5").get_json()
    assert body["total"] == 30 and len(body["items"]) == 2 and body["pages"] == 5
    past = client.get("/api/v1/products?q=product&per_page=7&page=9").get_json()
    assert past["total"] == 30 and past["items"] == []
