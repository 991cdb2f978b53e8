"""Waitlists of full sessions: joining, offers that hold freed seats, hand-off, booking."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shop.bookings import services as bookings
from shop.classes import services as class_services
from shop.classes.models import ClassSession, WaitlistEntry, WaitlistStatus
from shop.core.errors import InvalidTransition, ValidationFailed
from shop.core.time import utcnow
from shop.extensions import db as _db
from shop.inventory import services as inventory
from shop.orders import checkout, lifecycle
from shop.orders.cart import CartEntry
from shop.orders.models import Order
from shop.waitlist import queries as waitlist_queries
from shop.waitlist import services as waitlist
from tests import factories
from tests.factories import book, full_session, pay
from tests.factories import join_waitlist as join

W = WaitlistStatus


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def fresh(db, session: ClassSession) -> ClassSession:
    db.session.expire_all()
    return db.session.get(ClassSession, session.id)


def state(db, entry: WaitlistEntry) -> WaitlistStatus:
    db.session.expire_all()
    return db.session.get(WaitlistEntry, entry.id).status


def cancel_first_booking(db, paid: list[Order]) -> None:
    bookings.cancel_booking(paid.pop(0).lines[0])
    db.session.commit()


# Joining


def test_join_needs_a_full_session_and_confirms_the_place(db, ctx, outbox):
    session = factories.session(capacity=2)
    db.session.commit()
    with pytest.raises(ValidationFailed, match="libres"):
        join(session)  # seats are free: book them
    session, _ = full_session(db)
    first = join(session, email="Ana@Example.com")
    second = join(session, 2)
    db.session.commit()
    assert (first.status, first.email) == (W.WAITING, "ana@example.com")
    assert waitlist_queries.position(first) == 1 and waitlist_queries.position(second) == 2
    message = outbox.to("ana@example.com")[0]
    body = outbox.body(message)
    assert "lista de espera" in message["Subject"]
    assert f"/waitlist/{first.token}" in body


def test_the_same_address_cannot_queue_twice(db, ctx):
    session, _ = full_session(db)
    join(session, email="ana@example.com")
    db.session.commit()
    with pytest.raises(ValidationFailed, match="Ya estás"):
        join(session, email=" ANA@example.com ")
    db.session.rollback()
    assert waitlist_queries.queue_sizes([session.id]) == {session.id: 1}


@pytest.mark.parametrize(
    ("setup", "quantity", "message"),
    [
        ({"status": "cancelled"}, 1, "cancelada"),
        ({"starts_at": "past"}, 1, "empezó"),
        ({}, 3, "de 1 a 2"),
    ],
)
def test_join_refuses_what_could_never_be_booked(db, ctx, setup, quantity, message):
    if setup.get("starts_at") == "past":
        setup = {"starts_at": utcnow() - timedelta(hours=1)}
    session = factories.session(capacity=2, seats_taken=2, **setup)
    db.session.commit()
    with pytest.raises(ValidationFailed, match=message):
        join(session, quantity)


def test_join_wants_one_name_per_seat_and_a_public_class(db, ctx):
    session, _ = full_session(db)
    with pytest.raises(ValidationFailed) as error:
        waitlist.join(waitlist.JoinRequest(session.id, "a@example.com", "A", 2, ["Only one"]))
    assert error.value.field == "attendees"
    hidden = factories.session(klass=factories.class_(status="hidden"), capacity=1, seats_taken=1)
    with pytest.raises(ValidationFailed):
        join(hidden)


# Offers and the hand-off


def test_a_cancelled_booking_is_held_for_the_first_in_line(db, ctx, outbox):
    session, paid = full_session(db)
    first, second = join(session), join(session)
    db.session.commit()
    cancel_first_booking(db, paid)

    assert state(db, first) == W.OFFERED and state(db, second) == W.WAITING
    held = fresh(db, session)
    assert (held.seats_taken, held.seats_held, held.seats_left) == (1, 1, 0)
    entry = db.session.get(WaitlistEntry, first.id)
    assert entry.offer_expires_at == entry.offered_at + timedelta(hours=12)
    assert waitlist_queries.position(db.session.get(WaitlistEntry, second.id)) == 1
    offer = outbox.to(first.email)[-1]
    assert f"/waitlist/{first.token}" in outbox.body(offer)
    assert outbox.to(second.email)[-1]["Subject"] == outbox.to(second.email)[0]["Subject"]
    # Nobody else can take the held seat.
    with pytest.raises(checkout.OutOfStock):
        book(held, 1)


def test_a_party_that_does_not_fit_keeps_its_place_for_a_larger_opening(db, ctx):
    session, paid = full_session(db, capacity=3)
    group, single = join(session, 2), join(session, 1)
    db.session.commit()
    cancel_first_booking(db, paid)
    assert state(db, single) == W.OFFERED and state(db, group) == W.WAITING
    assert waitlist_queries.position(db.session.get(WaitlistEntry, group.id)) == 1

    inventory.change_capacity(fresh(db, session), 5)  # two more seats: the group fits
    db.session.commit()
    assert state(db, group) == W.OFFERED
    assert (fresh(db, session).seats_taken, fresh(db, session).seats_held) == (2, 3)


def test_booking_the_offer_turns_held_seats_into_a_paid_booking(db, ctx, outbox):
    session, paid = full_session(db)
    entry = join(session)
    db.session.commit()
    cancel_first_booking(db, paid)
    entry = db.session.get(WaitlistEntry, entry.id)

    order = checkout.book_offer(
        entry, checkout.Contact(entry.name, entry.email), checkout_token="offer-1"
    )
    db.session.commit()
    assert (fresh(db, session).seats_taken, fresh(db, session).seats_held) == (2, 0)
    entry = db.session.get(WaitlistEntry, entry.id)
    assert entry.status == W.BOOKED and entry.order_id == order.id
    assert order.lines[0].attendees == entry.attendees
    assert order.total_cents == session.class_.price_cents
    assert pay(db.session.get(Order, order.id)) == "paid"
    db.session.commit()
    assert any("confirm" in m["Subject"].lower() for m in outbox.to(entry.email))
    with pytest.raises(waitlist.OfferExpired):  # the same offer cannot be booked twice
        checkout.book_offer(entry, checkout.Contact("X", entry.email), checkout_token="offer-2")


def test_an_unanswered_offer_expires_and_passes_on_once(db, ctx, outbox):
    session, paid = full_session(db)
    first, second = join(session), join(session)
    db.session.commit()
    cancel_first_booking(db, paid)
    later = utcnow() + timedelta(hours=12, minutes=1)

    assert waitlist.expire_offers(utcnow()) == 0  # not yet
    assert waitlist.expire_offers(later) == 1
    db.session.commit()
    assert waitlist.expire_offers(later) == 0  # idempotent
    assert state(db, first) == W.EXPIRED and state(db, second) == W.OFFERED
    assert fresh(db, session).seats_held == 1
    with pytest.raises(waitlist.OfferExpired):
        checkout.book_offer(
            db.session.get(WaitlistEntry, first.id),
            checkout.Contact("Late", first.email),
            checkout_token="late",
        )
    db.session.rollback()

    # The last offer running out gives the seat back to everyone.
    assert waitlist.expire_offers(later + timedelta(hours=13)) == 1
    db.session.commit()
    assert (fresh(db, session).seats_held, fresh(db, session).seats_left) == (0, 1)


def test_an_offer_booked_a_second_before_its_end_is_honoured(db, ctx):
    session, paid = full_session(db)
    entry = join(session)
    db.session.commit()
    cancel_first_booking(db, paid)
    entry = db.session.get(WaitlistEntry, entry.id)
    deadline = entry.offer_expires_at
    checkout.book_offer(
        entry,
        checkout.Contact(entry.name, entry.email),
        checkout_token="just-in-time",
        now=deadline - timedelta(seconds=1),
    )
    db.session.commit()
    assert state(db, entry) == W.BOOKED
    assert waitlist.expire_offers(deadline + timedelta(seconds=1)) == 0


def test_declining_passes_the_seats_on_at_once_and_leaving_drops_the_place(db, ctx):
    session, paid = full_session(db)
    first, second, third = join(session), join(session), join(session)
    db.session.commit()
    cancel_first_booking(db, paid)
    assert waitlist.withdraw(db.session.get(WaitlistEntry, first.id)) == W.DECLINED
    assert waitlist.withdraw(db.session.get(WaitlistEntry, third.id)) == W.LEFT
    db.session.commit()
    assert state(db, second) == W.OFFERED and fresh(db, session).seats_held == 1
    with pytest.raises(InvalidTransition):
        waitlist.withdraw(db.session.get(WaitlistEntry, first.id))


def test_an_unpaid_claim_that_expires_frees_the_seat_for_the_next(db, ctx):
    session, paid = full_session(db)
    first, second = join(session), join(session)
    db.session.commit()
    cancel_first_booking(db, paid)
    checkout.book_offer(
        db.session.get(WaitlistEntry, first.id),
        checkout.Contact("First", first.email),
        checkout_token="never-paid",
    )
    db.session.commit()
    assert lifecycle.expire_orders(utcnow() + timedelta(minutes=31)) == 1
    db.session.commit()
    assert state(db, first) == W.BOOKED and state(db, second) == W.OFFERED
    session = fresh(db, session)
    assert (session.seats_taken, session.seats_held) == (1, 1)


def test_capacity_cannot_drop_below_booked_and_held_seats(db, ctx):
    session, paid = full_session(db, capacity=3)
    join(session)
    db.session.commit()
    cancel_first_booking(db, paid)  # 2 taken + 1 held
    with pytest.raises(ValidationFailed, match="3"):
        inventory.change_capacity(fresh(db, session), 2)
    db.session.rollback()
    assert fresh(db, session).capacity == 3


def test_cancelling_the_session_ends_every_place_and_tells_everyone(db, ctx, outbox):
    session, paid = full_session(db)
    offered, waiting = join(session), join(session)
    db.session.commit()
    cancel_first_booking(db, paid)
    bookings.cancel_session(fresh(db, session))
    db.session.commit()
    assert state(db, offered) == W.CANCELLED and state(db, waiting) == W.CANCELLED
    session = fresh(db, session)
    assert (session.seats_taken, session.seats_held) == (0, 0)
    for entry in (offered, waiting):
        assert "cancel" in outbox.to(entry.email)[-1]["Subject"].lower()


def test_an_offer_ends_an_hour_before_the_start_and_none_is_made_later(db, ctx):
    starts = (utcnow() + timedelta(hours=3)).replace(microsecond=0)
    session, paid = full_session(db, starts_at=starts)
    entry = join(session)
    db.session.commit()
    cancel_first_booking(db, paid)
    assert db.session.get(WaitlistEntry, entry.id).offer_expires_at == starts - timedelta(hours=1)

    soon = (utcnow() + timedelta(minutes=110)).replace(microsecond=0)
    session, paid = full_session(db, starts_at=soon)
    entry = join(session)
    db.session.commit()
    cancel_first_booking(db, paid)  # under an hour would be left to answer: open to anyone
    assert state(db, entry) == W.WAITING
    assert fresh(db, session).seats_left == 1


def test_booking_the_session_directly_ends_the_waiting_place(db, ctx):
    session, paid = full_session(db)
    pair = join(session, 2, email="ana@example.com")
    db.session.commit()
    cancel_first_booking(db, paid)  # one seat: the pair does not fit, so anyone may book it
    assert state(db, pair) == W.WAITING and fresh(db, session).seats_left == 1
    order = checkout.place_order(
        checkout.CheckoutRequest(
            entries=[CartEntry("seat", session.id, 1, ("Ana",))],
            contact=checkout.Contact("Ana", "ANA@example.com"),
            deliveries={},
            checkout_token="ana-books-one",
        )
    )
    assert pay(order) == "paid"
    db.session.commit()
    assert state(db, pair) == W.LEFT  # no seat will be held later for someone who has one


def test_an_unconfirmed_guest_place_is_skipped_by_an_offer_and_a_confirmed_one_gets_it(
    db, ctx, outbox
):
    session, paid = full_session(db)
    flood = join(session, email="invented@example.com", confirmed=False)
    real = join(session, email="real@example.com", confirmed=False)
    db.session.commit()
    assert (
        waitlist_queries.position(flood) is None
        and waitlist_queries.queue_sizes([session.id]) == {}
    )
    body = outbox.body(outbox.to("real@example.com")[0])
    assert f"/waitlist/{real.token}" in body and "Confirma tu lugar" in body
    assert waitlist.confirm(real) is True
    db.session.commit()
    assert waitlist.confirm(real) is False  # once
    cancel_first_booking(db, paid)
    assert state(db, flood) == W.WAITING  # first in time, but never confirmed: no seats held
    assert state(db, real) == W.OFFERED
    assert outbox.to("invented@example.com")[-1]["Subject"].startswith("Estás en la lista")


def test_confirming_when_seats_are_free_offers_them_at_once(db, ctx):
    session, paid = full_session(db)
    late = join(session, email="late@example.com", confirmed=False)
    db.session.commit()
    cancel_first_booking(db, paid)  # nobody confirmed in line: the seat is free for anyone
    assert state(db, late) == W.WAITING and fresh(db, session).seats_left == 1
    waitlist.confirm(db.session.get(WaitlistEntry, late.id))
    db.session.commit()
    assert state(db, late) == W.OFFERED


def test_unconfirmed_places_do_not_fill_the_queue_for_others(db, ctx, monkeypatch):
    monkeypatch.setattr(waitlist, "MAX_QUEUE", 2)
    session, _ = full_session(db)
    for _ in range(3):
        join(session, confirmed=False)  # a flood of invented addresses
    real = join(session)
    late = join(session, confirmed=False)
    second = join(session)
    db.session.commit()
    assert waitlist_queries.position(real) == 1 and waitlist_queries.position(second) == 2
    with pytest.raises(ValidationFailed, match="completa"):
        join(session)
    with pytest.raises(ValidationFailed, match="completa"):
        waitlist.confirm(late)  # asked in time, but confirming cannot pass the cap either


def test_an_unverified_account_cannot_take_a_guest_place(db, ctx, outbox):
    from tests import factories

    session, _ = full_session(db)
    guest = join(session, email="gina@example.com")
    squatter = factories.user(email="gina@example.com", verified=False)
    db.session.commit()
    with pytest.raises(ValidationFailed, match="Ya estás"):
        join(session, email=squatter.email, user_id=squatter.id)
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(WaitlistEntry, guest.id).user_id is None


def test_an_unverified_account_joins_like_a_guest(db, ctx):
    from tests import factories

    session, _ = full_session(db)
    account = factories.user(verified=False)
    db.session.commit()
    entry = join(session, email=account.email, user_id=account.id, confirmed=False)
    assert entry.user_id is None and not entry.is_confirmed


def test_a_guest_place_joins_the_account_that_has_its_address(db, ctx, customer):
    session, _ = full_session(db)
    guest = join(session, email=customer.email)
    db.session.commit()
    again = join(session, email=customer.email, user_id=customer.id)
    db.session.commit()
    assert again.id == guest.id and again.user_id == customer.id
    assert [e.id for e in waitlist_queries.entries_of_user(customer.id)] == [guest.id]


def test_no_offers_while_the_class_is_not_public(db, ctx):
    session, paid = full_session(db)
    entry = join(session)
    db.session.commit()
    session.class_.status = class_services.C.HIDDEN
    db.session.commit()
    cancel_first_booking(db, paid)
    assert state(db, entry) == W.WAITING and fresh(db, session).seats_held == 0


def test_expire_orders_command_passes_on_offers(app, db, ctx, runner):
    session, paid = full_session(db)
    entry = join(session)
    db.session.commit()
    cancel_first_booking(db, paid)
    waiting_entry = db.session.get(WaitlistEntry, entry.id)
    waiting_entry.offer_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    result = runner.invoke(args=["expire-orders"])
    assert result.exit_code == 0, result.output
    assert "1 waitlist offers" in result.output
    assert state(db, entry) == W.EXPIRED


def test_held_seats_survive_the_database_checks(db, ctx):
    from sqlalchemy.exc import IntegrityError

    session = factories.session(capacity=2, seats_taken=1)
    session.seats_held = 2  # 1 + 2 > 2
    with pytest.raises(IntegrityError):
        _db.session.flush()
    _db.session.rollback()


@pytest.mark.parametrize("hide", ["suspend", "withdraw_consent"])
def test_a_workshop_public_again_offers_seats_freed_meanwhile_to_the_queue(db, ctx, admin, hide):
    from shop.artisans import services as artisans

    session, paid = full_session(db)
    entry = join(session)
    db.session.commit()
    workshop = session.class_.artisan
    if hide == "suspend":
        artisans.decide(workshop, admin, "suspend", "Checking the listing")
    else:
        artisans.withdraw_consent(workshop, workshop.user)
    db.session.commit()
    cancel_first_booking(db, paid)
    assert state(db, entry) == W.WAITING  # not public: nothing is offered
    if hide == "suspend":
        artisans.decide(workshop, admin, "reinstate")
    else:
        artisans.give_consent(workshop, workshop.user)
    db.session.commit()
    assert state(db, entry) == W.OFFERED
    assert fresh(db, session).seats_left == 0
