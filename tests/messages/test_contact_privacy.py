"""Artisans see a customer's name; the delivery address only to ship; the phone only for a
pickup or a class, when the customer gave one; never the e-mail (they write through messages)."""

from __future__ import annotations

import csv
import io

import pytest

from tests import factories
from tests.conftest import login

PHONE = "+593 99 123 4567"
ADDRESS = "Av. Amazonas N34-12, Quito"


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


@pytest.fixture
def potter_client(app, db, ctx):
    potter = factories.artisan()
    db.session.commit()
    client = app.test_client()
    login(client, potter.user.email)
    return potter, client


def _order(potter, delivery, customer=None):
    item = factories.product(artisan_workshop=potter, shipping=True)
    order = factories.paid_order(
        [(item, 1)],
        name="Carla Cliente",
        email="carla.private@example.com",
        deliveries={potter.id: factories.Delivery(delivery)},
        address=ADDRESS if delivery == "shipping" else "",
        user_id=customer.id if customer else None,
    )
    order.phone = PHONE
    return order


def test_a_shipped_order_shows_the_address_but_neither_e_mail_nor_phone(db, potter_client):
    potter, client = potter_client
    potter.shipping_rate_cents = 500
    order = _order(potter, "shipping", customer=factories.user())
    db.session.commit()
    page = client.get(f"/workshop/orders/{order.groups[0].id}").get_data(as_text=True)
    assert "Carla Cliente" in page and ADDRESS in page
    assert "carla.private@example.com" not in page and PHONE not in page
    assert "/workshop/messages/new/order/" in page


def test_a_pickup_shows_the_phone_but_not_the_e_mail(db, potter_client):
    potter, client = potter_client
    order = _order(potter, "pickup")
    db.session.commit()
    page = client.get(f"/workshop/orders/{order.groups[0].id}").get_data(as_text=True)
    assert PHONE in page and "carla.private@example.com" not in page and ADDRESS not in page
    assert "/workshop/messages/new/order/" not in page  # a guest: nobody to write to


def test_the_roster_and_its_csv_never_show_e_mails(db, potter_client):
    potter, client = potter_client
    klass = factories.class_(artisan_workshop=potter)
    session = factories.session(klass=klass)
    booked = factories.book(session, 1, ("Ana",))
    booked.phone = PHONE
    factories.pay(booked)
    db.session.commit()
    base = f"/workshop/classes/{klass.id}/sessions/{session.id}"
    page = client.get(base).get_data(as_text=True)
    assert "Ana" in page and PHONE in page and booked.email not in page
    rows = list(csv.reader(io.StringIO(client.get(f"{base}/roster.csv").get_data(as_text=True))))
    assert booked.email not in str(rows) and PHONE in str(rows)


def test_the_new_order_e_mail_to_the_artisan_has_no_customer_contact(db, ctx, outbox):
    potter = factories.artisan()
    _order(potter, "pickup")
    db.session.commit()
    [mail] = [m for m in outbox.to(potter.user.email)]
    assert "carla.private@example.com" not in outbox.body(mail)
