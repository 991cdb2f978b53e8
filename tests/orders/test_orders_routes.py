"""Cart, checkout and order pages: forged input, double submits, who may see what."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from shop.catalog.models import Product, ProductStatus
from shop.orders.models import CartItem, Order, OrderStatus
from tests import factories
from tests.conftest import csrf_token, login, post_form
from tests.support.checkout import add, checkout_form, place


@pytest.fixture
def mug(db):
    product = factories.product(title="Taza", price_cents=1800, stock=3)
    db.session.commit()
    return product


def test_guest_buys_with_demo_payment(client, db, mug, outbox):
    assert add(client, mug, 2).status_code == 302
    response, _ = place(client, {mug.artisan_id: "pickup"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/payments/demo/")
    pay_page = client.get(response.headers["Location"], headers={"Accept-Language": "en"})
    assert "Demo payments: no money moves." in pay_page.get_data(as_text=True)
    order = db.session.scalar(select(Order))
    assert order.total_cents == 3600 and order.status == OrderStatus.PENDING_PAYMENT
    paid = post_form(client, response.headers["Location"], {"outcome": "pay"})
    assert paid.headers["Location"] == f"/orders/{order.access_token}"
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == OrderStatus.PAID
    assert db.session.get(Product, mug.id).stock == 1
    assert client.get(f"/orders/{order.access_token}").status_code == 200
    assert outbox.to("gina@example.com")
    assert client.get("/cart").get_data(as_text=True).count("Taza") == 0


def test_forged_prices_and_quantities_are_ignored_or_refused(client, db, mug):
    for bad in ["0", "-1", "abc", "100", ""]:
        response = post_form(client, "/cart/add", {"product_id": str(mug.id), "quantity": bad})
        assert response.status_code == 302
    assert client.get("/checkout").status_code == 302  # nothing was added
    for bad_id in ["999999", "abc", "-1", str(mug.id) + "0"]:
        post_form(client, "/cart/add", {"product_id": bad_id, "quantity": "1"})
    add(client, mug, 1)
    response, _ = place(
        client, {mug.artisan_id: "pickup"}, price="1", total_cents="1", unit_price_cents="1"
    )
    assert response.status_code == 302
    order = db.session.scalar(select(Order))
    assert order.total_cents == 1800  # from the database, not the form


def test_adding_more_than_stock_says_how_many_left(client, mug):
    response = post_form(
        client,
        "/cart/add",
        {"product_id": str(mug.id), "quantity": "5"},
        follow_redirects=True,
        headers={"Accept-Language": "en"},
    )
    assert "Only 3 left." in response.get_data(as_text=True)


def test_double_submit_creates_one_order(client, db, mug):
    add(client, mug, 1)
    data = checkout_form(client)
    data[f"delivery_{mug.artisan_id}"] = "pickup"
    first = client.post("/checkout", data=data)
    add(client, mug, 1)  # the cart is refilled, as after a back button
    second = client.post("/checkout", data=data)
    assert first.status_code == second.status_code == 302
    assert db.session.scalar(select(func.count(Order.id))) == 1
    order = db.session.scalar(select(Order))
    assert second.headers["Location"] == f"/orders/{order.access_token}"


def test_checkout_errors_keep_input(client, db, mug):
    add(client, mug, 1)
    response, _ = place(client, {}, name="Gina Guest", email="not-an-email")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="Gina Guest"' in html
    assert db.session.scalar(select(func.count(Order.id))) == 0


def test_sold_out_at_checkout_is_explained(client, db, mug):
    add(client, mug, 3)
    mug.stock = 1
    db.session.commit()
    response, _ = place(client, {mug.artisan_id: "pickup"})
    assert response.headers["Location"] == "/cart"
    cart_page = client.get("/cart", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Only 1 left." in cart_page
    assert db.session.scalar(select(func.count(Order.id))) == 0
    db.session.expire_all()
    assert db.session.get(Product, mug.id).stock == 1


def test_guest_cart_merges_into_account_at_login(app, client, db, mug):
    customer = factories.user()
    db.session.commit()
    add(client, mug, 2)
    login(client, customer.email)
    rows = db.session.scalars(select(CartItem)).all()
    assert [(r.product_id, r.quantity) for r in rows] == [(mug.id, 2)]
    other_device = app.test_client()
    login(other_device, customer.email)
    assert "Taza" in other_device.get("/cart").get_data(as_text=True)


def _paid_order(client, db, product, email="gina@example.com"):
    add(client, product, 1)
    response, _ = place(client, {product.artisan_id: "pickup"}, email=email)
    post_form(client, response.headers["Location"], {"outcome": "pay"})
    db.session.expire_all()
    return db.session.scalars(select(Order).order_by(Order.id.desc())).first()


def test_order_urls_refuse_everyone_else(app, client, db, mug):
    owner = factories.user()
    db.session.commit()
    login(client, owner.email)
    account_order = _paid_order(client, db, mug)
    guest_client = app.test_client()
    guest_order = _paid_order(guest_client, db, mug, email="guest@example.com")
    stranger_user, other_workshop = factories.user(), factories.artisan()
    db.session.commit()
    stranger = app.test_client()
    login(stranger, stranger_user.email)
    other_artisan = app.test_client()
    login(other_artisan, other_workshop.user.email)
    anonymous = app.test_client()
    for viewer in (stranger, other_artisan, anonymous):
        assert viewer.get(f"/orders/{account_order.access_token}").status_code == 404
        assert post_form(viewer, f"/orders/{account_order.access_token}/cancel").status_code == 404
        group = account_order.groups[0]
        assert viewer.get(f"/workshop/orders/{group.id}").status_code in (302, 404)
    assert client.get(f"/orders/{account_order.access_token}").status_code == 200
    assert anonymous.get(f"/orders/{guest_order.access_token}").status_code == 200  # the link
    assert anonymous.get("/orders/not-a-real-token").status_code == 404


def test_artisan_marks_shipped_and_guest_sees_it(app, client, db, outbox):
    potter = factories.artisan()
    potter.shipping_rate_cents = 450
    vase = factories.product(artisan_workshop=potter, shipping=True, price_cents=5000)
    db.session.commit()
    add(client, vase, 1)
    response, _ = place(client, {potter.id: "shipping"}, address="Av. 6 de Diciembre, Quito")
    post_form(client, response.headers["Location"], {"outcome": "pay"})
    order = db.session.scalar(select(Order))
    assert order.total_cents == 5450
    artisan_client = app.test_client()
    login(artisan_client, potter.user.email)
    group = order.groups[0]
    page = artisan_client.get(f"/workshop/orders/{group.id}").get_data(as_text=True)
    assert "Av. 6 de Diciembre" in page
    response = post_form(
        artisan_client,
        f"/workshop/orders/{group.id}",
        {"status": "shipped", "note": "Servientrega 123"},
    )
    assert response.status_code == 302
    html = client.get(f"/orders/{order.access_token}", headers={"Accept-Language": "en"})
    assert "Servientrega 123" in html.get_data(as_text=True)
    assert any("Servientrega 123" in outbox.body(m) for m in outbox.to("gina@example.com"))


def test_declined_demo_payment_can_be_retried(client, db, mug):
    add(client, mug, 1)
    response, _ = place(client, {mug.artisan_id: "pickup"})
    post_form(client, response.headers["Location"], {"outcome": "fail"})
    order = db.session.scalar(select(Order))
    assert order.status == OrderStatus.PENDING_PAYMENT
    retry = post_form(client, f"/orders/{order.access_token}/pay")
    assert retry.headers["Location"].startswith("/payments/demo/")
    post_form(client, retry.headers["Location"], {"outcome": "pay"})
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == OrderStatus.PAID


def test_no_route_marks_paid_without_the_gateway(client, db, mug):
    add(client, mug, 1)
    place(client, {mug.artisan_id: "pickup"})
    order = db.session.scalar(select(Order))
    csrf_token(client)
    for path in [f"/orders/{order.access_token}", f"/orders/{order.access_token}/pay"]:
        client.post(path, data={"status": "paid", "csrf_token": csrf_token(client)})
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == OrderStatus.PENDING_PAYMENT


def test_expire_orders_command(runner, client, db, mug):
    from datetime import timedelta

    from shop.core.time import utcnow

    add(client, mug, 2)
    place(client, {mug.artisan_id: "pickup"})
    order = db.session.scalar(select(Order))
    order.hold_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    result = runner.invoke(args=["expire-orders"])
    assert "1" in result.output, result.output
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == OrderStatus.CANCELLED
    assert db.session.get(Product, mug.id).stock == 3
    assert "0" in runner.invoke(args=["expire-orders"]).output


def test_viewing_the_cart_never_writes_and_unsellable_items_are_removed_on_request(client, db, mug):
    """GET /cart only reads (an item taken off sale stays until the shopper removes it);
    the page's button removes every such item in one POST."""
    add(client, mug, 1)
    mug.status = ProductStatus.HIDDEN
    db.session.commit()
    page = client.get("/cart").get_data(as_text=True)
    assert 'name="prune"' in page
    assert client.get("/cart").status_code == 200  # still there: the GET removed nothing
    assert 'name="prune"' in client.get("/cart").get_data(as_text=True)
    post_form(client, "/cart/update", {"prune": "1"})
    page = client.get("/cart").get_data(as_text=True)
    assert 'name="prune"' not in page
