"""Private sessions: a group asks for a day, the artisan accepts by scheduling a private session
whose seats are all held for that group (the waitlist's held-seat offer), and the group pays
the higher of seats x price and the artisan's minimum."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import select

from shop.classes import queries
from shop.classes.models import ClassSession, WaitlistEntry, WaitlistStatus
from shop.classes.policy import private_seat_cents
from shop.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from shop.core.time import utcnow
from shop.extensions import db as _db
from shop.orders import checkout
from shop.waitlist import private
from shop.waitlist import services as waitlist
from shop.waitlist.models import PrivateRequest, PrivateRequestStatus
from tests import factories


def _private_class(minimum: int | None = 20000, **kwargs):
    klass = factories.class_(price_cents=3000, max_participants=8, **kwargs)
    klass.private_min_cents = minimum
    _db.session.flush()
    return klass


def _ask(klass, user, party=3, days=10, names=None):
    return private.request_private(
        private.PrivateRequestData(
            class_id=klass.id,
            user_id=user.id,
            wanted_on=(utcnow() + timedelta(days=days)).date(),
            party_size=party,
            attendees=names if names is not None else [f"Guest {n}" for n in range(party)],
            message="Cumpleaños de mi hija",
        )
    )


def test_the_group_pays_the_higher_of_seats_times_price_and_the_minimum():
    assert private_seat_cents(3000, 20000, 3) == 6667  # 3 x 66.67 = 200.01 >= 200
    assert private_seat_cents(3000, 20000, 8) == 3000  # 8 x 30 = 240 > 200
    assert private_seat_cents(3000, 18000, 6) == 3000  # exactly the minimum
    assert private_seat_cents(3000, None, 3) == 3000


def test_accepting_holds_every_seat_of_a_private_session_for_the_group(db, outbox):
    klass = _private_class()
    customer = factories.user(name="Carla")
    request = _ask(klass, customer)
    assert request.status == PrivateRequestStatus.REQUESTED
    session = private.accept(request, time(15, 0))
    db.session.commit()
    assert session.private and session.capacity == 3
    assert (session.seats_taken, session.seats_held, session.seats_left) == (0, 3, 0)
    assert session.local_start().time() == time(15, 0)
    assert session.local_start().date() == request.wanted_on
    offer = db.session.get(WaitlistEntry, request.offer_id)
    assert (offer.status, offer.quantity, offer.user_id) == (WaitlistStatus.OFFERED, 3, customer.id)
    assert offer.attendees == ["Guest 0", "Guest 1", "Guest 2"]
    assert request.status == PrivateRequestStatus.OFFERED and request.session_id == session.id
    assert outbox.to(customer.email), "the customer gets the offer by e-mail"
    # Never listed: not on the class page, and it does not count as an upcoming date.
    assert session not in queries.public_sessions(klass)
    assert queries.next_sessions([klass.id]) == {}
    with pytest.raises(InvalidTransition):
        private.accept(request, time(16, 0))


def test_booking_the_offer_charges_the_minimum_and_takes_the_held_seats(db):
    klass = _private_class(minimum=20000)
    request = _ask(klass, factories.user(), party=3)
    session = private.accept(request, time(10, 0))
    order = checkout.book_offer(
        request.offer, checkout.Contact(request.name, request.email), checkout_token="private-1"
    )
    db.session.commit()
    [line] = order.lines
    assert (line.quantity, line.unit_price_cents, line.total_cents) == (3, 6667, 20001)
    db.session.refresh(session)
    assert (session.seats_taken, session.seats_held) == (3, 0)


def test_a_larger_group_pays_its_seats(db):
    klass = _private_class(minimum=10000)
    request = _ask(klass, factories.user(), party=5)
    private.accept(request, time(10, 0))
    order = checkout.book_offer(
        request.offer, checkout.Contact(request.name, request.email), checkout_token="private-2"
    )
    assert order.lines[0].total_cents == 5 * 3000


def test_requests_are_checked(db):
    customer = factories.user()
    with pytest.raises(NotAllowed):
        _ask(_private_class(minimum=None), customer)
    klass = _private_class()
    with pytest.raises(ValidationFailed) as error:
        _ask(klass, customer, days=0)
    assert error.value.field == "wanted_on"
    with pytest.raises(ValidationFailed) as error:
        _ask(klass, customer, party=9)
    assert error.value.field == "party_size"
    with pytest.raises(ValidationFailed) as error:
        _ask(klass, customer, party=2, names=["Only one"])
    assert error.value.field == "attendees"
    with pytest.raises(NotAllowed):
        _ask(klass, factories.user(verified=False))
    hidden = _private_class(status="hidden")
    with pytest.raises(NotAllowed):
        _ask(hidden, customer)


def test_a_declined_request_schedules_nothing(db):
    klass = _private_class()
    request = _ask(klass, factories.user())
    private.decline(request)
    assert request.status == PrivateRequestStatus.DECLINED
    assert db.session.scalars(select(ClassSession)).all() == []
    with pytest.raises(InvalidTransition):
        private.decline(request)


def test_an_expired_private_offer_lets_the_seats_go_but_stays_unlisted(db):
    klass = _private_class()
    request = _ask(klass, factories.user())
    session = private.accept(request, time(10, 0))
    later = request.offer.offer_expires_at + timedelta(minutes=1)
    assert waitlist.expire_offers(later) == 1
    db.session.refresh(session)
    assert (session.seats_held, session.private) == (0, True)
    assert session not in queries.public_sessions(klass)


def test_requests_per_artisan_and_per_customer(db):
    klass = _private_class()
    other = _private_class()
    customer = factories.user()
    mine = _ask(klass, customer)
    _ask(other, factories.user())
    assert private.requests_for_artisan(klass.artisan_id) == [mine]
    assert private.requests_of_user(customer.id) == [mine]
    assert db.session.scalar(
        select(PrivateRequest.attendee_names).where(PrivateRequest.id == mine.id)
    )


def test_a_group_takes_an_empty_session_whole_and_pays_the_minimum(db):
    klass = _private_class(minimum=18000)
    session = factories.session(klass=klass, capacity=8)
    customer = factories.user()
    offer = private.book_whole_session(session.id, customer.id, ["Ana", "Luis", "Eva"])
    db.session.commit()
    db.session.refresh(session)
    assert (session.private, session.capacity, session.seats_held) == (True, 3, 3)
    assert session not in queries.public_sessions(klass)
    order = checkout.book_offer(
        offer, checkout.Contact(customer.name, customer.email), checkout_token="whole-1"
    )
    assert order.lines[0].total_cents == 18000  # 3 x 30 = 90 < the 180 minimum
    db.session.refresh(session)
    assert (session.seats_taken, session.seats_held) == (3, 0)


def test_an_abandoned_whole_session_reopens_to_everyone(db):
    klass = _private_class()
    session = factories.session(klass=klass, capacity=8)
    offer = private.book_whole_session(session.id, factories.user().id, ["Ana", "Luis"])
    assert waitlist.expire_offers(offer.offer_expires_at + timedelta(seconds=1)) == 1
    db.session.refresh(session)
    assert (session.private, session.capacity, session.seats_held) == (False, 8, 0)
    assert session in queries.public_sessions(klass)


def test_only_an_empty_session_of_a_private_class_can_be_taken_whole(db):
    klass = _private_class()
    booked = factories.session(klass=klass, seats_taken=1)
    customer = factories.user()
    with pytest.raises(NotAllowed):
        private.book_whole_session(booked.id, customer.id, ["Ana"])
    public_only = factories.session(klass=_private_class(minimum=None))
    with pytest.raises(NotAllowed):
        private.book_whole_session(public_only.id, customer.id, ["Ana"])
    empty = factories.session(klass=klass, capacity=2)
    with pytest.raises(ValidationFailed):
        private.book_whole_session(empty.id, customer.id, ["A", "B", "C"])
