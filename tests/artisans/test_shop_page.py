"""An artisan's public page is their shop: what they sell (buyable first, sold out last,
paginated) and the classes they teach, with counts; an empty shop says so kindly."""

from __future__ import annotations

from datetime import timedelta

from shop.core.time import utcnow
from tests import factories
from tests.conftest import count_queries


def _english(client, path):
    with client.session_transaction() as browser:
        browser["lang"] = "en"
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_shop_lists_buyable_work_first_and_sold_out_last(client, db):
    artisan = factories.artisan(status="approved", shop_name="Barro Vivo")
    now = utcnow()
    sold_out = factories.product(artisan_workshop=artisan, title="Jarra agotada", stock=0)
    sold_out.published_at = now  # the newest, but nobody can buy it
    older = factories.product(artisan_workshop=artisan, title="Cuenco antiguo", stock=2)
    older.published_at = now - timedelta(days=5)
    newer = factories.product(artisan_workshop=artisan, title="Taza nueva", stock=2)
    newer.published_at = now - timedelta(days=1)
    factories.product(artisan_workshop=artisan, title="Borrador secreto", status="draft")
    factories.product(title="De otro taller")
    klass = factories.class_(artisan_workshop=artisan, title="Torno para principiantes")
    factories.session(klass=klass, starts_at=now + timedelta(days=3))
    factories.class_(artisan_workshop=artisan, title="Sin fechas")  # no session: not listed
    db.session.commit()
    html = _english(client, f"/artisans/{artisan.slug}")
    assert "Work for sale" in html and "(3)" in html
    assert html.index("Taza nueva") < html.index("Cuenco antiguo") < html.index("Jarra agotada")
    assert "Borrador secreto" not in html and "De otro taller" not in html
    assert "Torno para principiantes" in html and "Sin fechas" not in html
    assert 'id="classes-heading"' in html and "(1)" in html


def test_a_big_shop_pages_its_products_with_constant_queries(client, db):
    artisan = factories.artisan(status="approved")
    for number in range(14):
        factories.product(artisan_workshop=artisan, title=f"Pieza {number:02d}")
    db.session.commit()
    with count_queries(db.engine) as first_page:
        html = _english(client, f"/artisans/{artisan.slug}")
    assert "(14)" in html and html.count('class="card h-100 product-card"') == 12
    second = _english(client, f"/artisans/{artisan.slug}?page=2")
    assert second.count('class="card h-100 product-card"') == 2
    for number in range(6):
        factories.product(artisan_workshop=artisan, title=f"Otra {number}")
    db.session.commit()
    with count_queries(db.engine) as bigger:
        _english(client, f"/artisans/{artisan.slug}")
    assert len(bigger) == len(first_page)  # no query per product


def test_an_empty_shop_says_so_kindly(client, db):
    artisan = factories.artisan(status="approved", shop_name="Hilos")
    db.session.commit()
    html = _english(client, f"/artisans/{artisan.slug}")
    assert "has nothing for sale right now" in html
    assert "No classes with upcoming dates right now." in html
