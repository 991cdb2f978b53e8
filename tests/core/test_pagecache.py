"""The anonymous page cache: hits, what it never keeps, and writes visible on the next request.

The cache is off in TestConfig; these tests turn it on (in-process LRU + the settings-row
version, and Redis when one answers: TEST_REDIS_URL, else db 5 on 127.0.0.1:6379, each xdist
worker its own database as tests/conftest.py says) and clear it around each test.
"""

from __future__ import annotations

import os
import re

import pytest
import redis
from sqlalchemy import select

from shop.core.pagecache import VERSION_KEY, PageCache
from shop.core.settings import Setting
from tests import factories
from tests.conftest import CSRF_RE, XDIST_WORKER, _worker_redis, login, post_form
from tests.support.checkout import add, place

REDIS_URL = os.environ.get("TEST_REDIS_URL") or _worker_redis(
    "redis://127.0.0.1:6379/5", XDIST_WORKER
)
EN = {"Accept-Language": "en"}


def _redis_available() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


@pytest.fixture(params=["local", "redis"])
def cache(request, app):
    """The page cache switched on for this test, emptied before and after."""
    if request.param == "redis":
        if not _redis_available():
            pytest.skip("no Redis on 127.0.0.1:6379")
        app.config["REDIS_URL"] = REDIS_URL
    app.config["PAGE_CACHE_ENABLED"] = True
    saved = app.extensions["page_cache"]
    app.extensions["page_cache"] = PageCache(app)
    app.extensions["page_cache"].clear()
    yield app.extensions["page_cache"]
    app.extensions["page_cache"].clear()
    app.extensions["page_cache"] = saved


@pytest.fixture
def mug(db):
    product = factories.product(title="Taza azul", price_cents=1800, stock=3)
    db.session.commit()
    return product


def test_second_anonymous_request_is_served_from_the_cache(cache, app, mug):
    first = app.test_client().get("/products", headers=EN)
    second = app.test_client().get("/products", headers=EN)
    assert first.headers["X-Page-Cache"] == "miss"
    assert second.headers["X-Page-Cache"] == "hit"
    assert "Taza azul" in second.get_data(as_text=True)
    assert second.headers["Content-Security-Policy"]  # after_request hooks still run
    spanish = app.test_client().get("/products", headers={"Accept-Language": "es"})
    assert spanish.headers["X-Page-Cache"] == "miss"  # language is part of the key
    other_page = app.test_client().get("/products?sort=price_asc", headers=EN)
    assert other_page.headers["X-Page-Cache"] == "miss"  # so is the query string


def test_a_purchase_is_visible_on_the_next_request(cache, app, db, mug):
    visitor = app.test_client()
    assert "3 left" in visitor.get(f"/products/{mug.slug}", headers=EN).get_data(as_text=True)
    assert visitor.get(f"/products/{mug.slug}", headers=EN).headers["X-Page-Cache"] == "hit"
    buyer = app.test_client()
    add(buyer, mug, 2)
    response, _ = place(buyer, {mug.artisan_id: "pickup"})
    post_form(buyer, response.headers["Location"], {"outcome": "pay"})
    page = visitor.get(f"/products/{mug.slug}", headers=EN)
    assert page.headers["X-Page-Cache"] == "miss"
    assert "1 left" in page.get_data(as_text=True)
    api = visitor.get(f"/api/v1/products/{mug.slug}").get_json()
    assert api["stock"] == 1


def _edit(app, product, **fields):
    artisan_client = app.test_client()
    login(artisan_client, product.artisan.user.email)
    data = {
        "title": product.title,
        "category_id": str(product.category_id),
        "price": "18.00",
        "description": product.description,
        "materials": product.materials,
        "stock": str(product.stock),
        "stock_shown": str(product.stock),
        "pickup": "y",
        "goals": ["sdg-8"],
    }
    data.update(fields)
    response = post_form(artisan_client, f"/workshop/products/{product.id}/edit", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]


def test_a_stock_edit_is_visible_on_the_next_request(cache, app, db, mug):
    visitor = app.test_client()
    visitor.get(f"/products/{mug.slug}", headers=EN)
    assert visitor.get(f"/products/{mug.slug}", headers=EN).headers["X-Page-Cache"] == "hit"
    _edit(app, mug, stock="0")
    assert "Sold out" in visitor.get(f"/products/{mug.slug}", headers=EN).get_data(as_text=True)


def test_a_listing_edit_is_visible_on_the_next_request(cache, app, db, mug):
    visitor = app.test_client()
    for path in ("/products", "/", f"/artisans/{mug.artisan.slug}", "/api/v1/products"):
        visitor.get(path, headers=EN)
        assert visitor.get(path, headers=EN).headers["X-Page-Cache"] == "hit"
    _edit(app, mug, title="Taza verde")
    for path in ("/products", "/", f"/artisans/{mug.artisan.slug}", "/api/v1/products"):
        body = visitor.get(path, headers=EN).get_data(as_text=True)
        assert "Taza verde" in body and "Taza azul" not in body, path


def test_a_read_only_request_leaves_the_version_alone(cache, app, db, mug):
    before = cache.version()
    client = app.test_client()
    for _ in range(3):
        client.get("/products")
    assert cache.version() == before


def test_logged_in_visitors_and_flashes_are_never_cached(cache, app, db, mug):
    customer = factories.user(name="Carla Cliente")
    db.session.commit()
    anonymous = app.test_client()
    anonymous.get("/products", headers=EN)
    client = app.test_client()
    login(client, customer.email)
    page = client.get("/products", headers=EN)
    assert "X-Page-Cache" not in page.headers
    assert "Carla Cliente" in page.get_data(as_text=True)
    assert "Carla Cliente" not in anonymous.get("/products", headers=EN).get_data(as_text=True)
    guest = app.test_client()
    add(guest, mug, 1)  # flashes "added to your cart" and keeps a cart in the session
    shown = guest.get(f"/products/{mug.slug}", headers=EN)
    assert "X-Page-Cache" not in shown.headers


def test_each_visitor_gets_their_own_working_csrf_token(cache, app, mug):
    first = app.test_client()
    first_token = CSRF_RE.search(first.get("/products").get_data(as_text=True)).group(1)
    second = app.test_client()
    page = second.get("/products")
    assert page.headers["X-Page-Cache"] == "hit"
    html = page.get_data(as_text=True)
    second_token = CSRF_RE.search(html).group(1)
    assert second_token != first_token
    assert "__TALLER_CSRF_TOKEN__" not in html
    response = second.post("/language", data={"csrf_token": second_token, "lang": "en"})
    assert response.status_code == 302
    assert re.search(r'lang="en"[^>]*aria-current', second.get("/").get_data(as_text=True))


def test_without_redis_the_version_is_a_settings_row(cache, app, db, mug):
    if cache.redis is not None:
        pytest.skip("the Redis store keeps the version in Redis")
    before = int(cache.version())
    _edit(app, mug, title="Taza roja")
    db.session.expire_all()
    row = db.session.scalar(select(Setting).where(Setting.key == VERSION_KEY))
    assert int(row.value) == before + 1


def test_the_footer_shows_the_contact_email_from_the_next_request_on(cache, app, db, mug):
    """The address is a setting: saving it moves the cache version, so cached pages show it
    at once; it costs no query of its own (it is read with the version)."""
    admin = factories.user(is_admin=True)
    db.session.commit()
    visitor = app.test_client()
    path = f"/products/{mug.slug}"
    assert "hola@taller.example.com" not in visitor.get(path).get_data(as_text=True)
    assert visitor.get(path).headers["X-Page-Cache"] == "hit"
    editor = app.test_client()
    login(editor, admin.email)
    settings_form = {"hold_minutes": "30", "offer_hours": "12"}
    saved = post_form(
        editor, "/admin/settings", {**settings_form, "contact_email": "hola@taller.example.com"}
    )
    assert saved.status_code == 302
    page = visitor.get(path)
    assert page.headers["X-Page-Cache"] == "miss"
    assert 'href="mailto:hola@taller.example.com"' in page.get_data(as_text=True)
    english = visitor.get("/", headers=EN).get_data(as_text=True)
    assert "Write to us:" in english and "hola@taller.example.com" in english
    post_form(editor, "/admin/settings", {**settings_form, "contact_email": ""})
    assert "mailto:" not in visitor.get(path).get_data(as_text=True)
