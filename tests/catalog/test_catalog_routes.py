"""Catalogue pages: visibility, the artisan's product pages, query counts, uploads."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from shop.catalog.models import Category, Product, ProductStatus
from shop.extensions import db as _db
from tests import factories
from tests.conftest import count_queries, login, post_form
from tests.support.images import jpeg_bytes


def product_form(**overrides) -> dict:
    category = _db.session.scalar(select(Category.id).where(Category.slug == "ceramics"))
    data = {
        "title": "Taza azul",
        "category_id": str(category),
        "price": "18.50",
        "description": "Esmaltada a mano",
        "materials": "gres",
        "stock": "4",
        "pickup": "y",
        "goals": ["sdg-8"],
    }
    data.update(overrides)
    return data


@pytest.fixture
def approved(db, app):
    artisan = factories.artisan(status="approved")
    db.session.commit()
    client = app.test_client()
    login(client, artisan.user.email)
    return artisan, client


def test_listing_and_detail_public(client, db):
    product = factories.product(title="Cuenco verde", price_cents=2250, stock=3)
    db.session.commit()
    html = client.get("/products").get_data(as_text=True)
    assert "Cuenco verde" in html and "$22,50" in html  # Spanish as written in Ecuador
    page = client.get(f"/products/{product.slug}", headers={"Accept-Language": "en"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "3 left" in text and product.artisan.public_name in text
    assert f"/artisans/{product.artisan.slug}" in text


@pytest.mark.parametrize("status", ["draft", "hidden", "archived"])
def test_unpublished_products_are_404_but_owner_still_sees_them(approved, client, db, status):
    artisan, owner = approved
    product = factories.product(artisan_workshop=artisan, status=status)
    db.session.commit()
    assert client.get(f"/products/{product.slug}").status_code == 404
    assert owner.get(f"/products/{product.slug}").status_code == 404
    assert owner.get(f"/workshop/products/{product.id}/preview").status_code == 200
    assert product.title in owner.get("/workshop/products").get_data(as_text=True)


def test_suspending_the_artisan_hides_products(client, db):
    product = factories.product()
    db.session.commit()
    assert client.get(f"/products/{product.slug}").status_code == 200
    product.artisan.status = product.artisan.status.SUSPENDED
    db.session.commit()
    assert client.get(f"/products/{product.slug}").status_code == 404
    assert product.title not in client.get("/products").get_data(as_text=True)


def test_sold_out_is_labelled(client, db):
    sold = factories.product(title="Agotado", stock=0)
    order = factories.product(title="Encargo", stock=0, made_to_order=True, lead_time_days=10)
    db.session.commit()
    en = {"Accept-Language": "en"}
    assert "Sold out" in client.get(f"/products/{sold.slug}", headers=en).get_data(as_text=True)
    assert "ships in 10 days" in client.get(f"/products/{order.slug}", headers=en).get_data(
        as_text=True
    )


def test_other_users_cannot_reach_an_artisans_product_pages(app, db, approved):
    artisan, _owner = approved
    product = factories.product(artisan_workshop=artisan, status="draft")
    other = factories.artisan()
    customer = factories.user()
    db.session.commit()
    paths = [f"/workshop/products/{product.id}/edit", f"/workshop/products/{product.id}/preview"]
    anonymous = app.test_client()
    for path in paths:
        assert anonymous.get(path).status_code == 302
    # Another artisan is told nothing exists; a customer is sent to apply for a workshop.
    for email, refused in ((other.user.email, 404), (customer.email, 302)):
        client = app.test_client()
        login(client, email)
        for path in paths:
            assert client.get(path).status_code == refused, (email, path)
        response = post_form(
            client, f"/workshop/products/{product.id}/status", {"action": "publish"}
        )
        assert response.status_code == refused
        if refused == 302:
            assert response.headers["Location"] == "/workshop/apply"
    db.session.expire_all()
    assert db.session.get(Product, product.id).status == ProductStatus.DRAFT


def test_create_with_two_photos_publish_and_find(approved, client, db):
    _artisan, owner = approved
    form = product_form()
    form["photos"] = [(io.BytesIO(jpeg_bytes()), "a.jpg"), (io.BytesIO(jpeg_bytes()), "b.jpg")]
    response = post_form(owner, "/workshop/products/new", form, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    product = db.session.scalar(select(Product))
    assert product.price_cents == 1850 and product.status == ProductStatus.DRAFT
    assert len(product.photos) == 2
    assert client.get(f"/products/{product.slug}").status_code == 404
    post_form(owner, f"/workshop/products/{product.id}/status", {"action": "publish"})
    assert client.get(f"/products/{product.slug}").status_code == 200
    assert "Taza azul" in client.get("/products?q=taza").get_data(as_text=True)
    assert "Taza azul" in client.get("/products?goal=sdg-8").get_data(as_text=True)
    assert "Taza azul" not in client.get("/products?goal=sdg-1").get_data(as_text=True)


def test_price_is_parsed_from_the_form_and_bad_input_keeps_values(approved, db):
    _artisan, owner = approved
    response = post_form(
        owner, "/workshop/products/new", product_form(price="abc", title="Mantener esto")
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="Mantener esto"' in html
    assert db.session.scalar(select(Product)) is None
    response = post_form(owner, "/workshop/products/new", product_form(price="0"))
    assert response.status_code == 422


def test_bad_photo_is_refused_and_nothing_saved(approved, db):
    _artisan, owner = approved
    form = product_form()
    form["photos"] = [(io.BytesIO(b"GIF89a not really"), "x.jpg")]
    response = post_form(owner, "/workshop/products/new", form, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "x.jpg" in response.get_data(as_text=True)
    assert db.session.scalar(select(Product)) is None


def test_pending_artisan_can_draft_but_not_publish(app, db):
    pending = factories.artisan(status="pending")
    db.session.commit()
    client = app.test_client()
    login(client, pending.user.email)
    assert post_form(client, "/workshop/products/new", product_form()).status_code == 302
    product = db.session.scalar(select(Product))
    post_form(client, f"/workshop/products/{product.id}/status", {"action": "publish"})
    db.session.expire_all()
    assert db.session.get(Product, product.id).status == ProductStatus.DRAFT


def test_shipping_rate(approved, db):
    artisan, owner = approved
    post_form(owner, "/workshop/shipping", {"shipping_rate": "4.50"})
    db.session.expire_all()
    assert db.session.get(type(artisan), artisan.id).shipping_rate_cents == 450
    post_form(owner, "/workshop/shipping", {"shipping_rate": ""})
    db.session.expire_all()
    assert db.session.get(type(artisan), artisan.id).shipping_rate_cents is None


def test_filters_survive_pagination(client, db):
    artisan = factories.artisan()
    for number in range(30):
        factories.product(title=f"Mug {number}", artisan_workshop=artisan, category="ceramics")
    db.session.commit()
    html = client.get("/products?category=ceramics&sort=price_asc").get_data(as_text=True)
    assert "category=ceramics" in html and "page=2" in html and "sort=price_asc" in html


def _queries_for(client, path) -> int:
    with count_queries(_db.engine) as statements:
        assert client.get(path).status_code == 200
    return len(statements)


def test_listing_query_count_does_not_grow_with_page_size(app, client, db):
    artisan = factories.artisan()
    first = factories.product(artisan_workshop=artisan)
    db.session.commit()
    one = _queries_for(client, "/products?per_page=48")
    # The detail page lists more from the shop and related work: measure it with one of each.
    factories.product(artisan_workshop=artisan)
    factories.product(artisan_workshop=factories.artisan())
    db.session.commit()
    detail_one = _queries_for(client, f"/products/{first.slug}")
    for number in range(45):
        other_artisan = factories.artisan() if number % 5 == 0 else artisan
        factories.product(artisan_workshop=other_artisan, goals=[("sdg", 8), ("gcm", 19)])
    db.session.commit()
    many = _queries_for(client, "/products?per_page=48")
    print(f"queries: listing {one} (1 product) vs {many} (48), detail {detail_one}")
    assert one == many, f"{one} queries for 1 product, {many} for 48"
    # A search counts its matches in the same statement: one query fewer, never more.
    assert _queries_for(client, "/products?q=product&per_page=48") == many - 1
    assert _queries_for(client, f"/products/{first.slug}") == detail_one
