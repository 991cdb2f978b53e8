"""The home page sells: a search box, new work, the next classes, crafts with counts."""

from __future__ import annotations

from datetime import timedelta

from shop.core.time import utcnow
from tests import factories
from tests.conftest import count_queries


def test_home_shows_search_new_work_next_classes_and_crafts(client, db):
    mug = factories.product(title="Taza azul", stock=3)
    factories.product(title="Agotada", stock=0)  # nothing to buy: not in the shop window
    factories.product(title="Borrador", status="draft")
    klass = factories.class_(title="Torno para principiantes")
    factories.session(klass=klass, starts_at=utcnow() + timedelta(days=4))
    db.session.commit()
    with client.session_transaction() as browser:
        browser["lang"] = "en"
    with count_queries(db.engine) as queries:
        html = client.get("/").get_data(as_text=True)
    assert 'action="/products"' in html and 'name="q"' in html and 'role="search"' in html
    assert "Taza azul" in html and "Agotada" not in html and "Borrador" not in html
    assert "Torno para principiantes" in html
    category = mug.category
    assert f'href="/products?category={category.slug}"' in html
    assert (
        f'{category.name("en")} <span class="text-body-secondary">(2)</span>' in html
    )  # sold out still listed
    assert len(queries) <= 15, queries  # a fixed number, whatever the catalogue's size


def test_an_empty_marketplace_home_still_renders(client, db):
    html = client.get("/").get_data(as_text=True)
    assert 'role="search"' in html
    assert "New from the workshops" not in html and "Nuevo de los talleres" not in html
