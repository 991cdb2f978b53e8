"""Refunding one line of an order: the money, the line and the restock land on that line."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from shop.catalog.models import Product
from shop.core.errors import ValidationFailed
from shop.orders import checkout as ordering
from shop.orders.models import Order, OrderLine, OrderStatus
from shop.payments import refunds
from shop.payments.models import Refund
from tests import factories
from tests.conftest import login
from tests.factories import checkout_request as checkout
from tests.factories import pay
from tests.support.html_forms import browser_submission, through_confirmation


@pytest.fixture
def request_ctx(app):
    with app.test_request_context():
        yield


@pytest.fixture
def two_lines(db, app):
    """A paid order of one artisan: 2 bowls ($10 each) and 1 vase ($30)."""
    potter = factories.artisan(shop_name="Barro Vivo")
    bowl = factories.product(artisan_workshop=potter, title="Cuenco", price_cents=1000, stock=5)
    vase = factories.product(artisan_workshop=potter, title="Jarrón", price_cents=3000, stock=5)
    with app.test_request_context():
        order = ordering.place_order(checkout([(bowl, 2), (vase, 1)]))
        pay(order)
    db.session.commit()
    return order, bowl, vase


def _line(db, order: Order, product: Product) -> OrderLine:
    db.session.expire_all()
    return db.session.scalar(
        select(OrderLine).where(OrderLine.order_id == order.id, OrderLine.product_id == product.id)
    )


def refunded_on(html: str, title: str, dollars: str = r"\d+") -> bool:
    """Whether the page marks the line titled `title` as refunded (by that many dollars)."""
    pattern = title + r' <span class="[^"]*line-refunded[^"]*">\([^)$]*\$' + dollars + r"[.,]00"
    return re.search(pattern, html) is not None


def _stock(db, product: Product) -> int:
    db.session.expire_all()
    return db.session.get(Product, product.id).stock


def test_service_refund_of_a_line_lands_on_that_line_only(db, two_lines, request_ctx):
    order, bowl, vase = two_lines
    admin = factories.user(is_admin=True)
    refunds.refund(order, admin, 500, line=_line(db, order, bowl), restock_quantity=1)
    db.session.commit()
    assert _line(db, order, bowl).refunded_cents == 500
    assert _line(db, order, bowl).restocked_quantity == 1
    assert _line(db, order, vase).refunded_cents == 0
    assert _stock(db, bowl) == 4 and _stock(db, vase) == 4  # 5 - 2 + 1; 5 - 1
    refund = db.session.scalar(select(Refund))
    assert refund.line_id == _line(db, order, bowl).id and refund.amount_cents == 500


def test_service_refuses_a_restock_without_a_line(db, two_lines, request_ctx):
    order, bowl, _ = two_lines
    admin = factories.user(is_admin=True)
    with pytest.raises(ValidationFailed) as refused:
        refunds.refund(order, admin, 500, restock_quantity=2)
    assert refused.value.field == "restock"
    db.session.rollback()
    assert db.session.get(Order, order.id).refunded_cents == 0
    assert _stock(db, bowl) == 3


def test_admin_refund_form_refunds_the_chosen_line(client, db, admin, two_lines):
    order, bowl, vase = two_lines
    bowl_line = _line(db, order, bowl)
    login(client, admin.email)
    page = client.get(f"/admin/orders/{order.id}").get_data(as_text=True)
    action = f"/admin/orders/{order.id}/refund"
    fields = browser_submission(
        page, action, line_id=str(bowl_line.id), amount="5.00", restock="1", reason="chipped"
    )
    assert [name for name, _ in fields].count("line_id") == 1  # one control, the select
    response = through_confirmation(
        client,
        page,
        action,
        line_id=str(bowl_line.id),
        amount="5.00",
        restock="1",
        reason="chipped",
    )
    assert response.status_code == 302
    line = _line(db, order, bowl)
    assert line.refunded_cents == 500 and line.restocked_quantity == 1
    assert _line(db, order, vase).refunded_cents == 0
    assert db.session.scalar(select(Refund.line_id)) == line.id
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == OrderStatus.PARTIALLY_REFUNDED
    assert _stock(db, bowl) == 4 and _stock(db, vase) == 4
    shown = client.get(f"/admin/orders/{order.id}").get_data(as_text=True)
    assert refunded_on(shown, "Cuenco", "5")
    assert not refunded_on(shown, "Jarrón")


def test_admin_whole_order_refund_with_restock_is_refused_not_ignored(client, db, admin, two_lines):
    order, bowl, _ = two_lines
    login(client, admin.email)
    page = client.get(f"/admin/orders/{order.id}").get_data(as_text=True)
    action = f"/admin/orders/{order.id}/refund"
    response = through_confirmation(client, page, action, line_id="", amount="5.00", restock="2")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Order, order.id).refunded_cents == 0
    assert _stock(db, bowl) == 3


def test_artisan_refund_form_refunds_its_line(client, db, two_lines):
    order, bowl, vase = two_lines
    vase_line = _line(db, order, vase)
    login(client, vase.artisan.user.email)
    group_id = vase_line.group_id
    page = client.get(f"/workshop/orders/{group_id}").get_data(as_text=True)
    action = f"/workshop/orders/{group_id}/refund"
    position = [line.id for line in vase_line.group.lines].index(vase_line.id)
    # The amount box starts at what is left to refund, written as a Spanish phone types it.
    assert ("amount", "30,00") in browser_submission(page, action, nth=position)
    english = client.get(f"/workshop/orders/{group_id}?lang=en").get_data(as_text=True)
    assert ("amount", "30.00") in browser_submission(english, action, nth=position)
    fields = browser_submission(page, action, nth=position, amount="30.00", restock="1")
    assert ("line_id", str(vase_line.id)) in fields
    assert [name for name, _ in fields].count("line_id") == 1
    response = through_confirmation(client, page, action, nth=position, amount="30.00", restock="1")
    assert response.status_code == 302
    assert _line(db, order, vase).refunded_cents == 3000
    assert _line(db, order, bowl).refunded_cents == 0
    assert _stock(db, vase) == 5
    listing = client.get("/workshop/orders").get_data(as_text=True)
    assert refunded_on(listing, "Jarrón", "30")
    assert not refunded_on(listing, "Cuenco")
