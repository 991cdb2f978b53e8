"""Destructive and money-moving actions: a GET page says exactly what will happen (money
formatted), nothing changes until the POST from that page, and the old one-click buttons
now lead to the confirmation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from shop.classes.models import ClassSession
from shop.core.time import utcnow
from shop.orders.models import Order, OrderLine
from shop.payments.models import Refund
from tests import factories
from tests.conftest import login
from tests.factories import book, pay
from tests.support.html_forms import browser_submission


@pytest.fixture
def booked(app, db):
    """Lucía paid 2 seats ($80,00) of a flexible class four days ahead; one person waits."""
    klass = factories.class_(policy="flexible", price_cents=4000, title="Cerámica")
    session = factories.session(klass=klass, capacity=2, starts_at=utcnow() + timedelta(days=4))
    with app.test_request_context():
        order = book(session, 2)
        pay(order)
        factories.join_waitlist(session)
    db.session.commit()
    return order, session


def _text(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def _refunds(db) -> int:
    db.session.expire_all()
    return len(db.session.scalars(select(Refund)).all())


def test_customer_sees_what_cancelling_a_booking_does_before_it_happens(client, db, booked):
    order, session = booked
    line_id = order.lines[0].id
    url = f"/orders/{order.access_token}/bookings/{line_id}/cancel"
    detail = client.get(f"/orders/{order.access_token}").get_data(as_text=True)
    assert f'href="{url}"' in detail  # a link to the confirmation, not a one-click form
    assert f'action="{url}"' not in detail

    page = client.get(url)
    assert page.status_code == 200
    text = _text(page)
    assert "Recibes $80,00 de vuelta" in text
    assert "Tus 2 plazas se liberan" in text
    db.session.expire_all()
    assert db.session.get(ClassSession, session.id).seats_taken == 2  # the GET changed nothing
    assert _refunds(db) == 0

    done = client.post(url, data=MultiDict(browser_submission(page.get_data(as_text=True), "")))
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(OrderLine, line_id).cancelled_at is not None
    assert db.session.get(ClassSession, session.id).seats_taken == 0
    assert db.session.get(Order, order.id).refunded_cents == 8000
    again = _text(client.get(url))
    assert "ya no se puede cancelar" in again and "Sí, cancelar" not in again


def test_artisan_sees_students_refund_and_waitlist_before_cancelling_a_session(client, db, booked):
    order, session = booked
    klass = session.class_
    login(client, klass.artisan.user.email)
    url = f"/workshop/classes/{klass.id}/sessions/{session.id}/cancel"
    page = client.get(url)
    text = _text(page)
    assert "2 alumnos reciben el reembolso ($80,00 en total)" in text
    assert "Se avisa a 1 persona de la lista de espera" in text
    db.session.expire_all()
    assert not db.session.get(ClassSession, session.id).is_cancelled

    done = client.post(url, data=MultiDict(browser_submission(page.get_data(as_text=True), "")))
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(ClassSession, session.id).is_cancelled
    assert db.session.get(Order, order.id).refunded_cents == 8000


@pytest.fixture
def sold(app, db):
    """A paid order: 2 bowls at $10,00 and a vase at $30,00 from one potter."""
    potter = factories.artisan(shop_name="Barro Vivo")
    bowl = factories.product(artisan_workshop=potter, title="Cuenco", price_cents=1000, stock=5)
    vase = factories.product(artisan_workshop=potter, title="Jarrón", price_cents=3000, stock=5)
    with app.test_request_context():
        order = factories.paid_order([(bowl, 2), (vase, 1)])
    db.session.commit()
    return order, potter


@pytest.mark.parametrize("role", ["admin", "artisan"])
def test_refund_is_confirmed_with_its_amount_and_restock(client, db, admin, sold, role):
    order, potter = sold
    bowl_line = next(line for line in order.lines if line.title == "Cuenco")
    if role == "admin":
        login(client, admin.email)
        order_page, action = f"/admin/orders/{order.id}", f"/admin/orders/{order.id}/refund"
    else:
        login(client, potter.user.email)
        group = bowl_line.group_id
        order_page, action = f"/workshop/orders/{group}", f"/workshop/orders/{group}/refund"
    html = client.get(order_page).get_data(as_text=True)
    assert f'method="get" action="{action}"' in html  # the order page's form asks first

    query = {"line_id": bowl_line.id, "amount": "12,50", "restock": "1", "reason": "roto"}
    page = client.get(action, query_string=query)
    assert page.status_code == 200
    text = _text(page)
    assert "gina@example.com recibe $12,50 de vuelta" in text
    assert "Por: 2 \N{MULTIPLICATION SIGN} Cuenco." in text and "1 unidad vuelve al stock" in text
    assert _refunds(db) == 0  # nothing sent by looking

    too_much = client.get(action, query_string={**query, "amount": "20.01"})
    assert too_much.status_code == 302 and _refunds(db) == 0
    assert "Se puede reembolsar como máximo $20,00" in _text(client.get(too_much.location))

    done = client.post(
        action, data=MultiDict(browser_submission(page.get_data(as_text=True), action))
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(OrderLine, bowl_line.id).refunded_cents == 1250
    assert _refunds(db) == 1
