"""Catalogue rules: product states, photos, filters and ranked search on both databases."""

from __future__ import annotations

import io

import pytest
from PIL import Image as PILImage
from sqlalchemy import select

from shop.catalog import search, services
from shop.catalog.models import Category, Product, ProductStatus
from shop.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from shop.media.services import save_image
from tests import factories

P = ProductStatus


def data(**overrides) -> services.ProductData:
    values = dict(
        title="Taza de cerámica",
        category_id=_category("ceramics"),
        price_cents=1800,
        stock=3,
        description="Taza esmaltada",
        materials="gres",
    )
    values.update(overrides)
    return services.ProductData(**values)


def _category(slug: str) -> int:
    from shop.extensions import db

    return db.session.scalar(select(Category.id).where(Category.slug == slug))


def test_categories_are_seeded_by_the_migration(db):
    assert [c.slug for c in services.categories()] == [slug for slug, *_ in services.CATEGORIES]


def test_create_product_is_a_draft_with_the_artisans_goals(db):
    artisan = factories.artisan(goals={("sdg", 8): "", ("gcm", 19): ""})
    product = services.create_product(artisan, data())
    assert product.status == P.DRAFT
    assert product.slug == "taza-de-ceramica"
    assert {(g.kind, g.number) for g in product.goals} == {("sdg", 8), ("gcm", 19)}
    second = services.create_product(artisan, data())
    assert second.slug == "taza-de-ceramica-2"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "  "}, "title"),
        ({"price_cents": 0}, "price"),
        ({"price_cents": -5}, "price"),
        ({"stock": -1}, "stock"),
        ({"made_to_order": True, "lead_time_days": None}, "lead_time_days"),
        ({"pickup": False, "shipping": False}, "pickup"),
        ({"category_id": 999_999}, "category_id"),
        ({"goals": [("sdg", 99)]}, "goals"),
    ],
)
def test_invalid_product_data_is_refused(db, overrides, field):
    artisan = factories.artisan()
    with pytest.raises(ValidationFailed) as error:
        services.create_product(artisan, data(**overrides))
    assert error.value.field == field


ALLOWED = {
    ("publish", P.DRAFT): P.ACTIVE,
    ("publish", P.HIDDEN): P.ACTIVE,
    ("hide", P.ACTIVE): P.HIDDEN,
    ("archive", P.DRAFT): P.ARCHIVED,
    ("archive", P.ACTIVE): P.ARCHIVED,
    ("archive", P.HIDDEN): P.ARCHIVED,
    ("restore", P.ARCHIVED): P.DRAFT,
}


@pytest.mark.parametrize("action", sorted(services.PRODUCT_STATES.transitions))
@pytest.mark.parametrize("start", list(P), ids=[s.value for s in P])
def test_every_product_transition(db, action, start):
    product = factories.product(status=start.value)
    if (action, start) in ALLOWED:
        services.change_status(product, action)
        assert product.status == ALLOWED[(action, start)]
        if product.status == P.ACTIVE:
            assert product.published_at is not None
    else:
        with pytest.raises(InvalidTransition):
            services.change_status(product, action)
        assert product.status == start


@pytest.mark.parametrize("status", ["pending", "changes_requested", "rejected", "suspended"])
def test_only_approved_artisans_publish(db, status):
    product = factories.product(artisan_workshop=factories.artisan(status=status), status="draft")
    with pytest.raises(NotAllowed):
        services.change_status(product, "publish")
    assert product.status == P.DRAFT


def test_pending_artisan_can_prepare_drafts_but_suspended_cannot(db):
    assert services.create_product(factories.artisan(status="pending"), data()).status == P.DRAFT
    with pytest.raises(NotAllowed):
        services.create_product(factories.artisan(status="suspended"), data())


def _image(db):
    buffer = io.BytesIO()
    PILImage.new("RGB", (60, 40), (100, 50, 20)).save(buffer, "PNG")
    return save_image(buffer.getvalue(), None)


def test_photos_at_most_eight_reorder_and_remove(app, db):
    product = factories.product()
    photos = [services.add_photo(product, _image(db)) for _ in range(8)]
    with pytest.raises(ValidationFailed):
        services.add_photo(product, _image(db))
    services.move_photo(product, photos[2].id, -1)
    db.session.refresh(product)
    assert [p.id for p in product.photos][:3] == [photos[0].id, photos[2].id, photos[1].id]
    services.move_photo(product, photos[0].id, -1)  # already first: nothing moves
    db.session.refresh(product)
    assert product.photos[0].id == photos[0].id
    services.remove_photo(product, photos[0].id)
    db.session.refresh(product)
    assert len(product.photos) == 7
    assert [p.position for p in product.photos] == list(range(7))
    other = factories.product()
    with pytest.raises(NotAllowed):
        services.remove_photo(other, photos[1].id)


def _titles(filters: services.ProductFilters) -> list[str]:
    from shop.extensions import db

    return [p.title for p in db.session.scalars(services.public_products(filters)).unique()]


def test_listing_shows_only_active_products_of_public_artisans(db):
    visible = factories.product(title="Visible")
    for status in ("draft", "hidden", "archived"):
        factories.product(title=f"Not {status}", status=status)
    for artisan_status in ("pending", "suspended", "rejected"):
        factories.product(
            title=f"Artisan {artisan_status}",
            artisan_workshop=factories.artisan(status=artisan_status),
        )
    factories.product(title="No consent", artisan_workshop=factories.artisan(consent=False))
    db.session.commit()
    assert _titles(services.ProductFilters()) == ["Visible"]
    assert services.get_public_product(visible.slug) is not None
    assert services.get_public_product("product-that-does-not-exist") is None


def test_filters_combine(db):
    quito = factories.artisan(city="Quito")
    cuenca = factories.artisan(city="Cuenca")
    factories.product(title="Cheap mug", artisan_workshop=quito, price_cents=800)
    factories.product(title="Dear vase", artisan_workshop=quito, price_cents=9000)
    factories.product(
        title="Scarf",
        artisan_workshop=cuenca,
        category="textiles",
        price_cents=3000,
        goals=[("gcm", 19)],
    )
    factories.product(title="Sold out bowl", artisan_workshop=quito, stock=0)
    factories.product(
        title="Commission", artisan_workshop=cuenca, stock=0, made_to_order=True, lead_time_days=10
    )
    db.session.commit()
    f = services.ProductFilters
    assert set(_titles(f(city="quito"))) == {"Cheap mug", "Dear vase", "Sold out bowl"}
    assert _titles(f(category="textiles")) == ["Scarf"]
    assert _titles(f(goal=("gcm", 19))) == ["Scarf"]
    assert set(_titles(f(min_cents=1000, max_cents=5000))) == {
        "Scarf",
        "Sold out bowl",
        "Commission",
    }
    assert "Sold out bowl" not in _titles(f(in_stock=True))
    assert "Commission" in _titles(f(in_stock=True))
    assert _titles(f(city="Quito", max_cents=1000)) == ["Cheap mug"]
    assert _titles(f(artisan=cuenca.slug, category="textiles")) == ["Scarf"]
    query = services.public_products(f(sort="price_asc"))
    prices = [p.price_cents for p in db.session.scalars(query).unique()]
    assert prices == sorted(prices)
    query = services.public_products(f(sort="price_desc"))
    prices = [p.price_cents for p in db.session.scalars(query).unique()]
    assert prices == sorted(prices, reverse=True)


def test_search_is_ranked_and_accent_insensitive(db):
    artisan = factories.artisan(shop_name="Barro Vivo")
    factories.product(
        title="Taza de cerámica",
        description="para café",
        materials="gres",
        artisan_workshop=artisan,
    )
    factories.product(
        title="Plato",
        description="Plato hondo de cerámica esmaltada",
        materials="arcilla",
        artisan_workshop=artisan,
    )
    factories.product(title="Bufanda", description="lana de alpaca", materials="alpaca")
    db.session.commit()
    # Title matches outrank description matches.
    assert _titles(services.ProductFilters(q="ceramica", sort="relevance")) == [
        "Taza de cerámica",
        "Plato",
    ]
    assert _titles(services.ProductFilters(q="CERÁMICA taza", sort="relevance")) == [
        "Taza de cerámica"
    ]
    assert _titles(services.ProductFilters(q="alpac")) == ["Bufanda"]  # prefix
    assert set(_titles(services.ProductFilters(q="barro vivo"))) == {"Taza de cerámica", "Plato"}
    assert _titles(services.ProductFilters(q="gres")) == ["Taza de cerámica"]
    assert _titles(services.ProductFilters(q="nothing-like-this")) == []


@pytest.mark.parametrize(
    "query", ['"', "*", "AND OR NOT", "NEAR(", "taza:*", "'; DROP TABLE", "(((", "-", "ñ" * 300]
)
def test_search_survives_odd_input(db, query):
    factories.product(title="Taza")
    db.session.commit()
    _titles(services.ProductFilters(q=query))  # no SQL error


def test_search_follows_edits_and_artisan_renames(db, app):
    from shop.artisans import services as artisan_services

    artisan = factories.artisan(shop_name="Old Name")
    product = factories.product(title="Jarra", artisan_workshop=artisan)
    db.session.commit()
    services.update_product(product, data(title="Botella", category_id=_category("ceramics")))
    assert _titles(services.ProductFilters(q="botella")) == ["Botella"]
    assert _titles(services.ProductFilters(q="jarra")) == []
    with app.test_request_context():
        artisan_services.update(
            artisan,
            artisan_services.ApplicationData(
                shop_name="Nuevo Taller",
                slug=artisan.slug,
                first_name="Rosa",
                craft="Ceramics",
                city="Quito",
                country="EC",
                story="x",
            ),
        )
    assert _titles(services.ProductFilters(q="nuevo taller")) == ["Botella"]
    assert search.reindex_all() == 1
    assert _titles(services.ProductFilters(q="botella")) == ["Botella"]


def test_parse_filters():
    parsed = services.parse_filters(
        {
            "q": " taza ",
            "goal": "sdg-8",
            "min_price": "10,50",
            "max_price": "abc",
            "in_stock": "1",
            "category": "art",
        }
    )
    assert parsed.q == "taza" and parsed.goal == ("sdg", 8) and parsed.min_cents == 1050
    assert parsed.max_cents is None and parsed.errors == ["max_price"]
    assert parsed.in_stock and parsed.category == "art" and parsed.sort == "relevance"
    assert services.parse_filters({"goal": "sdg-99"}).goal is None
    assert services.parse_filters({"min_price": "-5"}).errors == ["min_price"]


def test_editing_never_touches_other_products(db):
    a, b = factories.product(title="A"), factories.product(title="B")
    services.update_product(a, data(title="A2", category_id=_category("art")))
    assert b.title == "B"
    assert db.session.get(Product, a.id).title == "A2"
