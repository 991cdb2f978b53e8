"""Browsing on a phone: the filters behind a "Filters" button, the sort kept, the cart badge."""

from __future__ import annotations

import re

from tests import factories
from tests.conftest import login, post_form

EN = {"Accept-Language": "en"}


def test_filters_are_a_panel_and_products_come_first(client, db):
    factories.product(title="Cuenco rojo")
    db.session.commit()
    html = client.get("/products", headers=EN).get_data(as_text=True)
    panel = re.search(r"<details class=\"filters__panel[^>]*>(.*?)</details>", html, re.S)
    assert panel is not None
    assert not re.search(r"\sopen[\s>]", panel.group(0).split(">")[0] + ">")  # closed
    assert 'id="category"' in panel.group(1) and 'id="goal"' in panel.group(1)
    assert 'id="sort"' not in panel.group(1) and 'id="q"' not in panel.group(1)
    assert re.search(r"<summary[^>]*>Filters", panel.group(1))
    assert html.index('id="q"') < html.index("Cuenco rojo")


def test_active_filters_are_counted_and_the_sort_is_kept(client, db):
    factories.product(title="Cuenco rojo", price_cents=900)
    db.session.commit()
    html = client.get(
        "/products?category=ceramics&min_price=5&sort=price_desc", headers=EN
    ).get_data(as_text=True)
    summary = re.search(r"<summary[^>]*>(.*?)</summary>", html, re.S).group(1)
    assert ">2<" in summary  # category and minimum price
    assert '<option value="price_desc" selected>' in html
    assert '<option value="ceramics" selected>' in html


def test_a_bad_price_opens_the_panel_to_show_the_error(client, db):
    html = client.get("/products?min_price=abc", headers=EN).get_data(as_text=True)
    assert re.search(r'<details class="filters__panel[^>]*\sopen>', html)
    assert "is-invalid" in html


def test_pagination_keeps_the_sort_and_filters(client, db):
    for number in range(26):
        factories.product(title=f"Pieza {number}", price_cents=1000 + number)
    db.session.commit()
    html = client.get("/products?sort=price_asc&category=ceramics", headers=EN).get_data(
        as_text=True
    )
    nxt = re.search(r'rel="next" href="([^"]+)"', html).group(1)
    assert "sort=price_asc" in nxt and "category=ceramics" in nxt


def badge(html: str) -> str | None:
    found = re.search(r'class="badge[^"]*cart-badge">(\d+)<', html)
    return found.group(1) if found else None


def test_the_cart_badge_counts_items_for_guests_and_accounts(client, db, app):
    item = factories.product(stock=9)
    other = factories.product(stock=9)
    db.session.commit()
    assert badge(client.get("/products").get_data(as_text=True)) is None
    post_form(client, "/cart/add", {"product_id": item.id, "quantity": 2})
    post_form(client, "/cart/add", {"product_id": other.id, "quantity": 1})
    html = client.get("/products", headers=EN).get_data(as_text=True)
    assert badge(html) == "3" and "> items</span>" in html
    buyer = factories.user()
    db.session.commit()
    account = app.test_client()
    login(account, buyer.email)
    post_form(account, "/cart/add", {"product_id": item.id, "quantity": 1})
    html = account.get("/", headers=EN).get_data(as_text=True)
    assert badge(html) == "1" and "> artículo</span>" in html  # the account speaks Spanish
