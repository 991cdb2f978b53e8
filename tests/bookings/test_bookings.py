"""Class seats through the cart: reservation, release, policy refunds, reminders, .ics."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from shop.bookings import services as bookings
from shop.classes.models import ClassSession
from shop.core.errors import InvalidTransition, ValidationFailed
from shop.core.time import utcnow
from shop.extensions import db as _db
from shop.orders import cart, checkout, lifecycle
from shop.orders import checkout as ordering
from shop.orders.cart import CartEntry
from shop.orders.models import Order, OrderLine, OrderStatus
from tests import factories
from tests.conftest import post_form
from tests.factories import book, pay
from tests.support.threads import race


def seats(db, session) -> int:
    db.session.expire_all()
    return db.session.get(ClassSession, session.id).seats_taken


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def test_booking_reserves_seats_and_copies_price(db, ctx):
    session = factories.session(capacity=8)
    order = book(session, 2, ("Ana", "Luis"))
    line = order.lines[0]
    assert line.is_seat and line.session_id == session.id and line.attendees == ["Ana", "Luis"]
    assert order.total_cents == 2 * session.class_.price_cents and order.shipping_cents == 0
    assert "(hora de Ecuador)" in line.title and "America/" not in line.title
    assert seats(db, session) == 2


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ({"seats_taken": 8}, "completa"),
        ({"status": "cancelled"}, "cancelada"),
    ],
)
def test_full_or_cancelled_sessions_cannot_be_booked(db, ctx, setup, message):
    session = factories.session(capacity=8, **setup)
    with pytest.raises(checkout.OutOfStock, match=message):
        book(session, 1)


def test_past_session_cannot_be_booked(db, ctx):
    session = factories.session(starts_at=utcnow() - timedelta(hours=1))
    with pytest.raises(checkout.OutOfStock):
        book(session, 1)


def test_cart_asks_one_name_per_seat(db, ctx):
    session = factories.session()
    store = cart.SessionCart({})
    with pytest.raises(ValidationFailed) as error:
        cart.add_seats(store, session.id, 2, ["Only one"])
    assert error.value.field == "attendees"
    cart.add_seats(store, session.id, 2, ["Ana", "Luis"])
    assert store.entries() == [CartEntry("seat", session.id, 2, ("Ana", "Luis"))]
    with pytest.raises(ValidationFailed):
        cart.add_seats(store, session.id, 7, [f"P{i}" for i in range(7)])  # 9 > 8 seats


def test_expiry_and_cancellation_release_seats_once(db, ctx):
    session = factories.session(capacity=8)
    order = book(session, 3)
    _db.session.commit()
    assert lifecycle.expire_orders(utcnow() + timedelta(minutes=31)) == 1
    assert lifecycle.expire_orders(utcnow() + timedelta(minutes=31)) == 0
    assert seats(db, session) == 0
    assert db.session.get(Order, order.id).status == OrderStatus.CANCELLED


def test_customer_cancels_within_policy_and_gets_refund(db, ctx, outbox):
    session = factories.session(
        klass=factories.class_(policy="flexible"), starts_at=utcnow() + timedelta(days=3)
    )
    order = book(session, 2)
    pay(order)
    line = order.lines[0]
    assert bookings.booking_refund_cents(line) == line.total_cents
    refunded = bookings.cancel_booking(line)
    assert refunded == line.total_cents and order.refunded_cents == refunded
    assert seats(db, session) == 0
    with pytest.raises(InvalidTransition):
        bookings.cancel_booking(line)


def test_strict_policy_cancellation_frees_seats_without_refund(db, ctx):
    session = factories.session(klass=factories.class_(policy="strict"))
    order = book(session, 1)
    pay(order)
    assert bookings.cancel_booking(order.lines[0]) == 0
    assert order.refunded_cents == 0 and seats(db, session) == 0


def test_artisan_cancelling_a_session_refunds_everyone_in_full(db, ctx, outbox):

    session = factories.session(klass=factories.class_(policy="strict"))
    paid = book(session, 2)
    pay(paid)
    unpaid = book(session, 1)
    _db.session.commit()
    bookings.cancel_session(session)
    _db.session.commit()
    _db.session.expire_all()
    paid, unpaid = db.session.get(Order, paid.id), db.session.get(Order, unpaid.id)
    assert paid.refunded_cents == paid.paid_cents and paid.status == OrderStatus.REFUNDED
    assert unpaid.status == OrderStatus.CANCELLED
    assert seats(db, session) == 0
    assert any("cancel" in m["Subject"].lower() for m in outbox.to("lucia@example.com"))


def test_reminders_once_per_booking(db, ctx, outbox):
    soon = factories.session(starts_at=(utcnow() + timedelta(hours=20)).replace(microsecond=0))
    later = factories.session(starts_at=utcnow() + timedelta(days=5))
    for session in (soon, later):
        pay(book(session, 1))
    _db.session.commit()
    assert bookings.send_reminders() == 1
    _db.session.commit()
    assert bookings.send_reminders() == 0
    _db.session.commit()
    reminders = [m for m in outbox.to("lucia@example.com") if "Recordatorio" in m["Subject"]]
    assert len(reminders) == 1
    attachment = next(part for part in reminders[0].iter_attachments())
    calendar = Calendar.from_ical(attachment.get_content())
    event = next(iter(calendar.walk("VEVENT")))
    assert event.decoded("dtstart").astimezone(soon.starts_at.tzinfo) == soon.starts_at
    assert factories.ADDRESS in str(event.get("location"))


def test_confirmation_carries_the_calendar_and_link_downloads_it(app, client, db, outbox):
    session = factories.session()
    _db.session.commit()
    response = post_form(
        client,
        "/cart/add-seats",
        {"session_id": str(session.id), "quantity": "2", "attendees": "Ana\nLuis"},
    )
    assert response.headers["Location"] == "/cart"
    from tests.support.checkout import place

    response, _ = place(client)
    post_form(client, response.headers["Location"], {"outcome": "pay"})
    order = db.session.scalar(select(Order))
    assert order.status == OrderStatus.PAID and order.total_cents == 2 * 3500
    message = outbox.to("gina@example.com")[0]
    assert [part.get_content_type() for part in message.iter_attachments()] == ["text/calendar"]
    line = order.lines[0]
    ics = client.get(f"/orders/{order.access_token}/bookings/{line.id}.ics")
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    assert b"BEGIN:VALARM" in ics.data
    page = client.get(f"/orders/{order.access_token}").get_data(as_text=True)
    assert factories.ADDRESS in page  # booked: the address is revealed
    stranger = app.test_client()
    assert stranger.get(f"/orders/x/bookings/{line.id}.ics").status_code == 404


def test_address_stays_private_before_booking(client, db):
    session = factories.session()
    _db.session.commit()
    html = client.get(f"/classes/{session.class_.slug}").get_data(as_text=True)
    assert factories.ADDRESS not in html
    assert "/cart/add-seats" in html


def test_thirty_threads_for_eight_seats(pg_app, db):
    session = factories.session(capacity=8)
    _db.session.commit()
    session_id = session.id  # threads must not touch the test's own db session

    def buyer(index: int):
        request = ordering.CheckoutRequest(
            entries=[CartEntry("seat", session_id, 1, (f"P{index}",))],
            contact=ordering.Contact("P", f"p{index}@example.com"),
            deliveries={},
            checkout_token=f"thread-{index}",
        )

        def buy() -> None:
            ordering.place_order(request)

        return f"buyer-{index}", buy

    def refused(error) -> str:
        if not isinstance(error, ordering.OutOfStock):
            return f"error {type(error).__name__}"
        return "full" if "full" in error.message or "completa" in error.message else error.message

    outcomes = race(pg_app, [buyer(i) for i in range(30)], refused=refused, seconds=60)
    results = [{"ok": "booked"}.get(outcome, outcome) for _name, outcome in outcomes]
    assert Counter(results) == {"booked": 8, "full": 22}, Counter(results)
    assert seats(db, session) == 8
    assert db.session.scalar(select(func.sum(OrderLine.quantity))) == 8


def test_roster_lists_paid_bookings_only(db, ctx):
    from shop.bookings.roster import roster_entries

    session = factories.session()
    paid = book(session, 2, ("Ana", "Luis"))
    pay(paid)
    book(session, 1, ("Unpaid",))
    entries = roster_entries(session)
    assert [(e.name, e.seats, e.reference) for e in entries] == [("Ana, Luis", 2, paid.reference)]
    assert not hasattr(entries[0], "email")  # artisans write through messages
