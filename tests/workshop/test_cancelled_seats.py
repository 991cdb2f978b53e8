"""An artisan's part of an order whose class seats were all cancelled shows as cancelled (not
"new", waiting to be prepared); a part with seats still booked stays as it was."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shop.bookings import services as bookings
from shop.core.time import utcnow
from shop.extensions import db as _db
from shop.orders import lifecycle
from shop.orders.models import FulfilmentStatus, OrderGroup
from tests import factories
from tests.conftest import login
from tests.factories import pay


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def _status(group_id: int) -> FulfilmentStatus:
    _db.session.expire_all()
    return _db.session.get(OrderGroup, group_id).status


def test_cancelling_every_seat_cancels_the_part(db, ctx, app):
    klass = factories.class_(policy="flexible")
    first = factories.session(klass=klass, starts_at=utcnow() + timedelta(days=5))
    second = factories.session(klass=klass, starts_at=utcnow() + timedelta(days=6))
    order = factories.order(seats=[(first, 1, ("Ana",)), (second, 2, ("Ana", "Luis"))])
    pay(order)
    group = order.groups[0]
    one, other = order.lines
    bookings.cancel_booking(one)
    assert _status(group.id) == FulfilmentStatus.NEW  # the other session is still booked
    assert lifecycle.count_to_prepare(klass.artisan_id) == 1
    bookings.cancel_booking(other)
    db.session.commit()
    assert _status(group.id) == FulfilmentStatus.CANCELLED
    assert lifecycle.count_to_prepare(klass.artisan_id) == 0
    # The artisan's list says so, in words.
    client = app.test_client()
    login(client, klass.artisan.user.email)
    with client.session_transaction() as browser:
        browser["lang"] = "en"
    html = client.get("/workshop/orders").get_data(as_text=True)
    assert ">cancelled</span>" in html and ">new</span>" not in html


def test_a_cancelled_session_cancels_the_parts_it_emptied(db, ctx):
    session = factories.session(klass=factories.class_(policy="strict"))
    order = factories.book(session, 2)
    pay(order)
    db.session.commit()
    bookings.cancel_session(session)
    db.session.commit()
    assert _status(order.groups[0].id) == FulfilmentStatus.CANCELLED


def test_a_part_with_a_product_is_never_cancelled_by_its_seats(db, ctx):
    artisan = factories.artisan(status="approved")
    product = factories.product(artisan_workshop=artisan, stock=3)
    session = factories.session(
        klass=factories.class_(artisan_workshop=artisan, policy="flexible"),
        starts_at=utcnow() + timedelta(days=5),
    )
    order = factories.order([(product, 1)], seats=[(session, 1, ("Ana",))])
    pay(order)
    seat = next(line for line in order.lines if line.is_seat)
    bookings.cancel_booking(seat)
    assert _status(order.groups[0].id) == FulfilmentStatus.NEW
