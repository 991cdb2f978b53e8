"""An edit form loaded before a sale never puts sold units (or seats) back on sale.

Each test opens the artisan's form, lets a customer buy through the real cart and checkout,
then posts the form as the browser would: on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import re
import secrets

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from shop.catalog import services as catalog_services
from shop.catalog.models import Product
from shop.classes.models import ClassSession
from shop.extensions import db as _db
from shop.inventory import services as inventory
from shop.orders import checkout as ordering
from shop.orders.cart import CartEntry
from shop.orders.models import Delivery, OrderLine
from tests import factories
from tests.conftest import login, post_form
from tests.support.checkout import add, place
from tests.support.html_forms import browser_submission
from tests.support.threads import race


def buy(app, product, quantity: int) -> None:
    """A guest buys and pays (demo gateway) through the real pages."""
    guest = app.test_client()
    assert add(guest, product, quantity).status_code == 302
    response, _ = place(guest, {product.artisan_id: "pickup"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert post_form(guest, response.headers["Location"], {"outcome": "pay"}).status_code == 302


def book(app, session, seats: int) -> None:
    """A guest books and pays for seats through the real pages."""
    guest = app.test_client()
    names = "\n".join(f"Person {n}" for n in range(seats))
    response = post_form(
        guest,
        "/cart/add-seats",
        {"session_id": str(session.id), "quantity": str(seats), "attendees": names},
    )
    assert response.headers["Location"] == "/cart"
    response, _ = place(guest)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert post_form(guest, response.headers["Location"], {"outcome": "pay"}).status_code == 302


def stock(db, product) -> int:
    db.session.expire_all()
    return db.session.get(Product, product.id).stock


@pytest.fixture
def vase(db):
    item = factories.product(title="Jarrón", stock=5, materials="clay")
    db.session.commit()
    return item


def test_saving_other_fields_keeps_units_sold_since_the_form_was_loaded(app, client, db, vase):
    login(client, vase.artisan.user.email)
    url = f"/workshop/products/{vase.id}/edit"
    form_page = client.get(url).get_data(as_text=True)  # stock 5 in the form

    buy(app, vase, 3)  # meanwhile: stock 2
    assert stock(db, vase) == 2

    fields = browser_submission(form_page, "", materials="clay, cobalt glaze")
    response = client.post(url, data=MultiDict(fields))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert stock(db, vase) == 2  # was 5 again before the fix
    assert db.session.get(Product, vase.id).materials == "clay, cobalt glaze"


def test_changing_the_stock_after_a_sale_asks_again_with_the_current_value(app, client, db, vase):
    login(client, vase.artisan.user.email)
    url = f"/workshop/products/{vase.id}/edit"
    form_page = client.get(url).get_data(as_text=True)

    buy(app, vase, 3)

    fields = browser_submission(form_page, "", stock="10", materials="clay, cobalt glaze")
    response = client.post(url, data=MultiDict(fields))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Este producto cambió mientras lo editabas: ahora hay 2 en stock." in html  # es
    assert stock(db, vase) == 2
    assert db.session.get(Product, vase.id).materials == "clay"  # nothing half-saved

    # The re-rendered form shows 2 and checks against 2: saving it now applies the change.
    assert re.search(r'<input [^>]*name="stock" type="number" value="2">', html)
    fields = browser_submission(html, "", stock="10")
    assert client.post(url, data=MultiDict(fields)).status_code == 302
    assert stock(db, vase) == 10


def test_a_form_without_the_stock_it_showed_never_writes_stock(client, db, vase):
    login(client, vase.artisan.user.email)
    url = f"/workshop/products/{vase.id}/edit"
    fields = [
        (name, value)
        for name, value in browser_submission(client.get(url).get_data(as_text=True), "")
        if name != "stock_shown"
    ]
    fields = [(n, "9" if n == "stock" else v) for n, v in fields]
    assert client.post(url, data=MultiDict(fields)).status_code == 422
    assert stock(db, vase) == 5


def test_service_writes_stock_only_over_the_value_shown(app, db, vase):
    with app.test_request_context():
        with pytest.raises(inventory.StockChanged) as changed:
            inventory.set_stock(vase, 7, shown=4)
        assert changed.value.current == 5 and changed.value.field == "stock"
        db.session.rollback()
        inventory.set_stock(db.session.get(Product, vase.id), 7, shown=5)
        db.session.commit()
    assert stock(db, vase) == 7


def test_editing_a_product_leaves_its_stock_to_inventory(app, db, vase):
    """The catalogue's save never writes the stock, whatever the data says."""
    with app.test_request_context():
        data = catalog_services.ProductData(
            title="Jarrón grande",
            category_id=vase.category_id,
            price_cents=vase.price_cents,
            stock=50,
        )
        catalog_services.update_product(vase, data)
        db.session.commit()
    assert stock(db, vase) == 5
    assert db.session.get(Product, vase.id).title == "Jarrón grande"


def test_capacity_form_loaded_before_bookings_cannot_squeeze_them_out(app, client, db):
    session = factories.session(capacity=6)
    db.session.commit()
    klass = session.class_
    login(client, klass.artisan.user.email)
    sessions_url = f"/workshop/classes/{klass.id}/sessions"
    action = f"{sessions_url}/{session.id}/capacity"
    page = client.get(sessions_url).get_data(as_text=True)  # capacity 6, nothing taken

    book(app, session, 4)  # meanwhile
    db.session.expire_all()
    assert db.session.get(ClassSession, session.id).seats_taken == 4

    client.post(action, data=MultiDict(browser_submission(page, action, capacity="3")))
    db.session.expire_all()
    assert db.session.get(ClassSession, session.id).capacity == 6  # refused: 4 are taken

    # Seats held for the waitlist count too.
    db.session.get(ClassSession, session.id).seats_held = 1
    db.session.commit()
    client.post(action, data=MultiDict(browser_submission(page, action, capacity="4")))
    db.session.expire_all()
    assert db.session.get(ClassSession, session.id).capacity == 6

    client.post(action, data=MultiDict(browser_submission(page, action, capacity="5")))
    db.session.expire_all()
    row = db.session.scalar(select(ClassSession).where(ClassSession.id == session.id))
    assert (row.capacity, row.seats_taken, row.seats_held) == (5, 4, 1)


def _save_stock(product_id: int, shown: int, wanted: int):
    """A job for the race harness: the artisan saves a stock edit made over `shown`."""

    def save() -> None:
        inventory.set_stock(_db.session.get(Product, product_id), wanted, shown)

    return "save", save


def _buyer(index: int, product_id: int, artisan_id: int):
    request = ordering.CheckoutRequest(
        entries=[CartEntry("product", product_id, 1)],
        contact=ordering.Contact("Buyer", f"buyer{index}@example.com"),
        deliveries={artisan_id: Delivery.PICKUP},
        checkout_token=f"stale-race-{index}-{secrets.token_hex(4)}",
    )
    return f"buyer-{index}", lambda: ordering.place_order(request)


def test_artisan_saves_stock_while_buyers_check_out(pg_app, db):
    """PostgreSQL, real threads: a save lands only over the stock it saw, never over a sale."""
    for _round in range(10):
        product = factories.product(stock=5)
        db.session.commit()
        jobs = [_buyer(i, product.id, product.artisan_id) for i in range(6)]
        outcomes = dict(race(pg_app, [*jobs, _save_stock(product.id, 5, 20)]))
        assert not [o for o in outcomes.values() if o.startswith("error")], outcomes
        db.session.expire_all()
        left = db.session.get(Product, product.id).stock
        sold = db.session.scalar(
            select(func.coalesce(func.sum(OrderLine.quantity), 0)).where(
                OrderLine.product_id == product.id
            )
        )
        # Saved only if no sale came first (then every sale came after it): the units
        # the shop holds plus those sold always add up to what was really there.
        saved = outcomes["save"] == "ok"
        assert left + sold == (20 if saved else 5), (outcomes, left, sold)
