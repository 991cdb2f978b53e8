"""Adversarial waitlist tests: races that mix every operation on one session (PostgreSQL),
lock-order interleavings forced step by step, and single-threaded edge cases (both backends).

Tests named test_pg_* need PostgreSQL (TEST_DATABASE_URL) and are skipped on SQLite.
"""

from __future__ import annotations

import itertools
import random
import threading
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from shop.bookings import services as bookings
from shop.classes import display
from shop.classes import services as class_services
from shop.classes.models import ClassSession, ClassStatus, WaitlistEntry, WaitlistStatus
from shop.core.errors import DomainError
from shop.core.time import utcnow
from shop.extensions import db as _db
from shop.inventory import services as inventory
from shop.orders import checkout, lifecycle
from shop.orders.cart import CartEntry
from shop.orders.models import Order, OrderLine, OrderStatus
from shop.payments import refunds
from shop.waitlist import services as waitlist
from tests import factories
from tests.conftest import count_queries, login, post_form
from tests.factories import book, full_session, pay
from tests.factories import join_waitlist as join
from tests.support.threads import (
    Gate,
    Worker,
    errors_of,
    finish,
    gate_function,
    race,
    wait_for_lock_waiters,
)

W = WaitlistStatus
OFFER_SUBJECT = "Se liberaron cupos para ti"
_tokens = itertools.count(1)


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


# Helpers


def invariant_problems(db, session_id: int, outbox=None, *, liveness: bool = True) -> list[str]:
    """Everything that must hold for a session's seats and queue, as a list of violations."""
    db.session.expire_all()
    s = db.session.get(ClassSession, session_id)
    entries = db.session.scalars(
        select(WaitlistEntry).where(WaitlistEntry.session_id == session_id)
    ).all()
    lines = db.session.scalars(
        select(OrderLine).join(OrderLine.order).where(OrderLine.session_id == session_id)
    ).all()
    problems = []
    if s.seats_taken + s.seats_held > s.capacity:
        problems.append(f"overbooked: {s.seats_taken}+{s.seats_held} > {s.capacity}")
    offered = sum(e.quantity for e in entries if e.status == W.OFFERED)
    if s.seats_held != offered:
        problems.append(f"seats_held {s.seats_held} != offered {offered}")
    live = sum(
        ln.quantity - ln.restocked_quantity
        for ln in lines
        if ln.order.released_at is None
        and ln.cancelled_at is None
        and ln.order.status != OrderStatus.CANCELLED
    )
    if live + s.seats_held > s.capacity:
        problems.append(f"really overbooked: {live} booked + {s.seats_held} held > {s.capacity}")
    if s.seats_taken != live:
        problems.append(f"seats_taken {s.seats_taken} != seats of live bookings {live}")
    for ln in lines:
        if ln.order.status == OrderStatus.CANCELLED and ln.order.released_at is None:
            problems.append(f"cancelled order {ln.order.id} still holds seats")
    for e in entries:
        if e.status == W.OFFERED and e.offer_expires_at is None:
            problems.append(f"entry {e.id} offered without a deadline")
        if e.status == W.BOOKED and e.order_id is None:
            problems.append(f"entry {e.id} booked without an order")
        if s.is_cancelled and e.is_active:
            problems.append(f"entry {e.id} still {e.status} on a cancelled session")
    if outbox is not None:
        offers = Counter()
        for message in outbox.messages():
            if OFFER_SUBJECT in message["Subject"]:
                for e in entries:
                    if f"/waitlist/{e.token}" in outbox.body(message):
                        offers[e.id] += 1
        twice = {i: n for i, n in offers.items() if n > 1}
        if twice:
            problems.append(f"entries offered more than once: {twice}")
        for e in entries:
            if e.offered_at is not None and offers[e.id] == 0:
                problems.append(f"entry {e.id} was offered seats but never e-mailed")
    bookable = (
        liveness
        and not s.is_cancelled
        and s.starts_at > utcnow()
        and s.class_.status == ClassStatus.ACTIVE
    )
    if bookable:
        stuck = [
            e.id
            for e in entries
            if e.status == W.WAITING and e.is_confirmed and e.quantity <= s.seats_left
        ]
        if stuck:
            problems.append(f"{s.seats_left} free seats while {stuck} wait and fit")
    return problems


def seats(db, session_id: int) -> tuple[int, int, int]:
    db.session.expire_all()
    s = db.session.get(ClassSession, session_id)
    return s.capacity, s.seats_taken, s.seats_held


def statuses(db, ids) -> list[WaitlistStatus]:
    db.session.expire_all()
    return [db.session.get(WaitlistEntry, i).status for i in ids]


def contact(entry: WaitlistEntry) -> checkout.Contact:
    return checkout.Contact(entry.name, entry.email)


def one_offer_out(app, db, capacity=2, waiting=2, **kwargs):
    """A full session, `waiting` people in line, one booking cancelled: the first is offered."""
    with app.test_request_context():
        session, paid = full_session(db, capacity=capacity, **kwargs)
        queue = [join(session) for _ in range(waiting)]
        db.session.commit()
        bookings.cancel_booking(paid.pop(0).lines[0])
        db.session.commit()
    return session.id, [e.id for e in queue], paid


# PostgreSQL: lock order, forced step by step


def interleave_with_session_cancel(pg_app, db, monkeypatch, session_id, job, gate_at) -> None:
    """Stop `job` at the call `gate_at` (module, name), after it has taken its first locks;
    start the artisan's cancellation of the session; let `job` go on. Neither may fail (a
    lock-order deadlock kills one of them), and afterwards nothing is taken or held."""
    gates = {"job": Gate()}
    gate_function(monkeypatch, *gate_at, gates)
    worker = Worker(pg_app, "job", job)
    canceller = Worker(
        pg_app,
        "canceller",
        lambda: bookings.cancel_session(_db.session.get(ClassSession, session_id)),
    )
    worker.start()
    assert gates["job"].arrived.wait(15)
    canceller.start()
    wait_for_lock_waiters(db)  # the cancellation waits for what `job` holds
    gates["job"].go.set()
    finish(worker, canceller)
    assert errors_of(worker, canceller) == {}
    assert canceller.error is None  # the artisan's cancellation must never fail
    assert invariant_problems(db, session_id, liveness=False) == []
    assert seats(db, session_id)[1:] == (0, 0)


def test_pg_cancel_session_while_an_offer_is_declined_does_not_deadlock(
    pg_app, app, db, monkeypatch
):
    session_id, (first, second), _ = one_offer_out(app, db)
    decline = lambda: waitlist.withdraw(_db.session.get(WaitlistEntry, first))  # noqa: E731
    interleave_with_session_cancel(
        pg_app, db, monkeypatch, session_id, decline, (inventory, "unhold_seats")
    )
    assert statuses(db, [first, second]) == [W.DECLINED, W.CANCELLED]


def test_pg_cancel_session_while_an_offer_is_claimed_does_not_deadlock(
    pg_app, app, db, monkeypatch
):
    session_id, (first, _second), _ = one_offer_out(app, db)

    def claim():
        entry = _db.session.get(WaitlistEntry, first)
        return checkout.book_offer(entry, contact(entry), checkout_token="claim-vs-cancel").id

    interleave_with_session_cancel(
        pg_app, db, monkeypatch, session_id, claim, (inventory, "reserve_seats")
    )


def test_pg_cancel_session_while_an_offer_expires_does_not_deadlock(pg_app, app, db, monkeypatch):
    session_id, (first, _second), _ = one_offer_out(app, db)
    with app.test_request_context():
        deadline = db.session.get(WaitlistEntry, first).offer_expires_at
    interleave_with_session_cancel(
        pg_app,
        db,
        monkeypatch,
        session_id,
        lambda: waitlist.expire_offers(deadline + timedelta(seconds=1)),
        (inventory, "unhold_seats"),
    )


def test_pg_cancel_session_while_a_claimed_unpaid_order_expires_does_not_deadlock(
    pg_app, app, db, monkeypatch
):
    """Waitlist claims create exactly these pending orders on full sessions."""
    session_id, (first, _), _ = one_offer_out(app, db)
    with app.test_request_context():
        entry = db.session.get(WaitlistEntry, first)
        checkout.book_offer(entry, contact(entry), checkout_token="claimed-unpaid")
        db.session.commit()
    interleave_with_session_cancel(
        pg_app,
        db,
        monkeypatch,
        session_id,
        lambda: lifecycle.expire_orders(utcnow() + timedelta(minutes=31)),
        (inventory, "free_seats"),
    )


def test_pg_expiring_two_due_offers_while_one_is_declined_does_not_deadlock(
    pg_app, app, db, monkeypatch
):
    """The cron holds the session (after the first offer) and wants the second entry; the
    customer letting the second offer go holds that entry and wants the session."""
    with app.test_request_context():
        session, paid = full_session(db, capacity=2)
        a, b, c = join(session), join(session), join(session)
        db.session.commit()
        for order in paid:
            bookings.cancel_booking(order.lines[0])
            db.session.commit()
        ids = [a.id, b.id, c.id]
        assert statuses(db, ids) == [W.OFFERED, W.OFFERED, W.WAITING]
        due = utcnow() + timedelta(hours=13)
    gates = {"decliner": Gate()}
    gate_function(monkeypatch, inventory, "unhold_seats", gates)

    decliner = Worker(
        pg_app, "decliner", lambda: waitlist.withdraw(_db.session.get(WaitlistEntry, b.id))
    )
    expirer = Worker(pg_app, "expirer", lambda: waitlist.expire_offers(due))
    decliner.start()
    assert gates["decliner"].arrived.wait(15)
    expirer.start()
    wait_for_lock_waiters(db)
    gates["decliner"].go.set()
    finish(decliner, expirer)

    assert errors_of(decliner, expirer) == {}
    assert invariant_problems(db, session.id, liveness=False) == []


def test_pg_a_double_clicked_booking_cancellation_frees_its_seat_once(pg_app, app, db):
    """Two racing submits of "cancel my booking" (strict policy: no refund, so no refund limit
    check rolls the twin back). The seat must go back, and to the waitlist, exactly once."""
    klass = factories.class_(policy="strict")
    with app.test_request_context():
        session, paid = full_session(db, capacity=2, klass=klass)
        first, second = join(session), join(session)
        db.session.commit()
    line_id = paid[0].lines[0].id
    release_first = threading.Event()

    def cancel():
        return bookings.cancel_booking(_db.session.get(OrderLine, line_id))

    one_waits = threading.Event()

    def hold_first() -> None:
        one_waits.set()
        assert release_first.wait(30), "never released"

    one = Worker(pg_app, "one", cancel, before_commit=hold_first)
    two = Worker(pg_app, "two", cancel)
    one.start()
    # `one` has freed the seat and waits before its commit (an event, not a guessed sleep:
    # on a loaded machine 0.3 s was not always enough for `one` to get there first).
    assert one_waits.wait(30), f"one did not get to its commit: {one.error!r}"
    two.start()
    wait_for_lock_waiters(db)  # `two` waits for the session row
    release_first.set()
    finish(one, two)

    assert one.error is None
    assert errors_of(one, two) == {}
    assert invariant_problems(db, session.id) == []
    assert seats(db, session.id) == (2, 1, 1)  # one paid booking left, one seat held
    assert statuses(db, [first.id, second.id]) == [W.OFFERED, W.WAITING]


def test_pg_double_submit_of_an_offer_finds_the_first_order(pg_app, app, db):
    """Two racing submits of the same offer form (same checkout token): one order, and the
    twin must be recognised as a duplicate (the page then shows the order), not told that the
    offer has ended."""
    session_id, (first, _), _ = one_offer_out(app, db)
    release_first = threading.Event()

    def submit():
        entry = _db.session.get(WaitlistEntry, first)
        return checkout.book_offer(entry, contact(entry), checkout_token="twin-token").id

    one_waits = threading.Event()

    def hold_first() -> None:
        one_waits.set()
        assert release_first.wait(30), "never released"

    one = Worker(pg_app, "one", submit, before_commit=hold_first)
    two = Worker(pg_app, "two", submit)
    one.start()
    # `one` has claimed the offer and waits before its commit (an event, not a guessed sleep:
    # on a loaded machine 0.3 s was not always enough for `one` to get there first).
    assert one_waits.wait(30), f"one did not get to its commit: {one.error!r}"
    two.start()
    wait_for_lock_waiters(db)  # `two` waits for the entry row
    release_first.set()
    finish(one, two)

    assert one.error is None
    assert isinstance(two.error, checkout.DuplicateCheckout), repr(two.error)
    assert invariant_problems(db, session_id) == []


def test_pg_join_racing_the_session_cancel_leaves_no_live_place(pg_app, app, db, outbox):
    """A join that commits just after the artisan's cancellation must not leave someone
    'number 1 in line' for a cancelled session (and untold)."""
    # Nobody has booked: the only seat is held for the first in line (nothing to release,
    # so cancel_session takes no FOR UPDATE lock that would wait for the join).
    session_id, (first,), _ = one_offer_out(app, db, capacity=1, waiting=1)
    assert seats(db, session_id) == (1, 0, 1)
    joined = threading.Event()
    release = threading.Event()

    def join_late():
        entry = waitlist.join(
            waitlist.JoinRequest(session_id, "late@example.com", "Late", 1, ["Late"])
        )
        joined.set()
        release.wait(30)
        return entry.id

    joiner = Worker(pg_app, "joiner", join_late)
    canceller = Worker(
        pg_app,
        "canceller",
        lambda: bookings.cancel_session(_db.session.get(ClassSession, session_id)),
    )
    joiner.start()
    assert joined.wait(15)
    canceller.start()
    wait_for_lock_waiters(db)  # the cancellation waits for the join's shared lock
    release.set()
    finish(joiner, canceller)

    assert errors_of(joiner, canceller) == {}
    assert canceller.error is None
    db.session.expire_all()
    live = db.session.scalars(
        select(WaitlistEntry).where(
            WaitlistEntry.session_id == session_id,
            WaitlistEntry.status.in_([W.WAITING, W.OFFERED]),
        )
    ).all()
    assert [(e.email, e.status) for e in live] == [], "a live place on a cancelled session"
    assert statuses(db, [first]) == [W.CANCELLED]


# PostgreSQL: many of one kind at once


def test_pg_eight_cancellations_and_eight_buyers_at_once(pg_app, app, db):
    """Every freed seat goes to the queue in order; buyers never slip in between."""
    with app.test_request_context():
        session, paid = full_session(db, capacity=8)
        queue = [join(session).id for _ in range(12)]
        db.session.commit()
    session_id = session.id

    def cancel(line_id):
        def job():
            bookings.cancel_booking(_db.session.get(OrderLine, line_id))

        return job

    def buy(index):
        def job():
            checkout.place_order(
                checkout.CheckoutRequest(
                    entries=[CartEntry("seat", session_id, 1, (f"Buyer {index}",))],
                    contact=checkout.Contact("Buyer", f"buyer{index}@example.com"),
                    deliveries={},
                    checkout_token=f"buyer-{index}",
                )
            )

        return job

    jobs = [(f"cancel-{o.id}", cancel(o.lines[0].id)) for o in paid]
    jobs += [(f"buy-{i}", buy(i)) for i in range(8)]
    outcomes = Counter(outcome for _name, outcome in race(pg_app, jobs))
    assert outcomes == {"ok": 8, "refused OutOfStock": 8}, outcomes
    assert seats(db, session_id) == (8, 0, 8)
    assert statuses(db, queue) == [W.OFFERED] * 8 + [W.WAITING] * 4  # first come, first served
    assert invariant_problems(db, session_id) == []


def test_pg_an_offer_booked_while_it_expires_is_booked_or_passed_on_never_both(pg_app, app, db):
    for round_ in range(15):
        session_id, (first, second), _ = one_offer_out(app, db, capacity=1)
        with app.test_request_context():
            deadline = db.session.get(WaitlistEntry, first).offer_expires_at

        def book(round_=round_, deadline=deadline, first=first):
            entry = _db.session.get(WaitlistEntry, first)
            checkout.book_offer(
                entry,
                contact(entry),
                checkout_token=f"claim-{round_}",
                now=deadline - timedelta(seconds=1),
            )

        def expire(deadline=deadline):
            return waitlist.expire_offers(deadline + timedelta(seconds=1))

        results = dict(race(pg_app, [("book", book), ("expire", expire)]))
        now = statuses(db, [first, second])
        if results == {"book": "ok", "expire": "ok 0"}:
            assert (now, seats(db, session_id)) == ([W.BOOKED, W.WAITING], (1, 1, 0)), now
        else:
            assert results == {"book": "refused OfferExpired", "expire": "ok 1"}, results
            assert (now, seats(db, session_id)) == ([W.EXPIRED, W.OFFERED], (1, 0, 1)), now
        assert invariant_problems(db, session_id, liveness=False) == []


def test_pg_ten_identical_join_requests_queue_once(pg_app, app, db):
    with app.test_request_context():
        session, _ = full_session(db, capacity=1)
    session_id = session.id

    def join_once():
        waitlist.join(waitlist.JoinRequest(session_id, "twin@example.com", "Twin", 1, ["Twin"]))

    outcomes = Counter(outcome for _name, outcome in race(pg_app, [("join", join_once)] * 10))
    assert outcomes == {"ok": 1, "refused ValidationFailed": 9}, outcomes
    rows = db.session.scalars(select(WaitlistEntry).where(WaitlistEntry.session_id == session_id))
    assert len(rows.all()) == 1


# PostgreSQL: everything at once, several rounds


def _mixed_jobs(db, session_id: int, round_: int, rng: random.Random, with_cancel: bool):
    """Pick this round's operations from the current state (ids only: threads reload)."""
    db.session.expire_all()
    s = db.session.get(ClassSession, session_id)
    lines = db.session.scalars(
        select(OrderLine)
        .join(OrderLine.order)
        .where(
            OrderLine.session_id == session_id,
            OrderLine.cancelled_at.is_(None),
            Order.status.in_(lifecycle.PAID_STATES),
        )
    ).all()
    pending = (
        db.session.scalars(
            select(Order)
            .join(Order.lines)
            .where(OrderLine.session_id == session_id, Order.status == OrderStatus.PENDING_PAYMENT)
        )
        .unique()
        .all()
    )
    offered = db.session.scalars(
        select(WaitlistEntry).where(
            WaitlistEntry.session_id == session_id, WaitlistEntry.status == W.OFFERED
        )
    ).all()
    waiting = db.session.scalars(
        select(WaitlistEntry).where(
            WaitlistEntry.session_id == session_id, WaitlistEntry.status == W.WAITING
        )
    ).all()
    rng.shuffle(lines)
    rng.shuffle(offered)
    jobs: list[tuple[str, Callable[[], object]]] = []

    for line in lines[:3]:

        def cancel_line(line_id=line.id):
            bookings.cancel_booking(_db.session.get(OrderLine, line_id))

        jobs.append((f"cancel-line-{line.id}", cancel_line))

    # Offers: claim (paid or not, one double-submitted), decline, let one run out.
    for index, entry in enumerate(offered):
        kind = ("claim-pay", "decline", "claim", "expire", "claim-twin")[index % 5]
        if kind.startswith("claim"):
            token = f"r{round_}-claim-{entry.id}"

            def claim(entry_id=entry.id, token=token, pay_it=kind == "claim-pay"):
                row = _db.session.get(WaitlistEntry, entry_id)
                order = checkout.book_offer(row, contact(row), checkout_token=token)
                if pay_it:
                    _db.session.flush()
                    pay(order)
                return order.id

            jobs.append((f"{kind}-{entry.id}", claim))
            if kind == "claim-twin":
                jobs.append((f"{kind}-again-{entry.id}", claim))
        elif kind == "decline":

            def decline(entry_id=entry.id):
                return waitlist.withdraw(_db.session.get(WaitlistEntry, entry_id)).value

            jobs.append((f"decline-{entry.id}", decline))
            # the same person clicks twice
            jobs.append((f"decline-again-{entry.id}", decline))
        else:  # make it due now; the cron below passes it on
            db.session.execute(
                update(WaitlistEntry)
                .where(WaitlistEntry.id == entry.id)
                .values(offer_expires_at=utcnow() - timedelta(seconds=1))
            )
            db.session.commit()

    def expire_offers():
        return waitlist.expire_offers()

    jobs.append(("expire-offers", expire_offers))
    jobs.append(("expire-offers-other-host", expire_offers))

    if pending and round_ % 2:

        def expire_unpaid():
            return lifecycle.expire_orders(utcnow() + timedelta(minutes=31))

        jobs.append(("expire-orders", expire_unpaid))
    for order in pending[:1]:

        def cancel_unpaid(order_id=order.id):
            lifecycle.cancel_unpaid(_db.session.get(Order, order_id), None, "changed my mind")

        jobs.append((f"cancel-unpaid-{order.id}", cancel_unpaid))

    def raise_capacity():
        row = _db.session.get(ClassSession, session_id)
        inventory.change_capacity(row, row.capacity + 1)
        return row.capacity

    def lower_capacity():
        row = _db.session.get(ClassSession, session_id)
        inventory.change_capacity(row, max(1, row.seats_taken + row.seats_held))
        return row.capacity

    jobs.append(("raise-capacity", raise_capacity))
    if round_ % 3 == 2:
        jobs.append(("lower-capacity", lower_capacity))

    for buyer in range(3):

        def buy(buyer=buyer):
            checkout.place_order(
                checkout.CheckoutRequest(
                    entries=[CartEntry("seat", session_id, 1, (f"Buyer {round_}.{buyer}",))],
                    contact=checkout.Contact("Buyer", f"buyer{round_}.{buyer}@example.com"),
                    deliveries={},
                    checkout_token=f"r{round_}-buyer-{buyer}",
                )
            )

        jobs.append((f"buy-{buyer}", buy))

    for joiner, size in enumerate(rng.choice([1, 1, 2]) for _ in range(2)):

        def join_queue(joiner=joiner, quantity=size):
            entry = waitlist.join(
                waitlist.JoinRequest(
                    session_id,
                    f"joiner{round_}.{joiner}@example.com",
                    f"Joiner {round_}.{joiner}",
                    quantity,
                    [f"J{round_}.{joiner}.{i}" for i in range(quantity)],
                )
            )
            # The guest confirms from the e-mail: a later request (its own transaction, as a
            # join holds a shared session lock that confirming would have to upgrade).
            _db.session.commit()
            waitlist.confirm(entry)
            return entry.id

        jobs.append((f"join-{joiner}", join_queue))
    for entry in waiting[-1:]:

        def leave(entry_id=entry.id):
            return waitlist.withdraw(_db.session.get(WaitlistEntry, entry_id)).value

        jobs.append((f"leave-{entry.id}", leave))

    if with_cancel:

        def cancel_session():
            bookings.cancel_session(_db.session.get(ClassSession, session_id))

        jobs.append(("cancel-session", cancel_session))
    assert s is not None
    return jobs


def _mixed_setup(app, db, capacity=6, queue=14):
    with app.test_request_context():
        session, _ = full_session(db, capacity=capacity)
        for index in range(queue):
            join(session, quantity=(1, 1, 2, 1, 3)[index % 5])
        db.session.commit()
    return session.id


def test_pg_mixed_operations_keep_every_invariant_over_rounds(pg_app, app, db, outbox):
    session_id = _mixed_setup(app, db)
    rng = random.Random(20261201)
    seen = Counter()
    for round_ in range(8):
        with app.test_request_context():
            jobs = _mixed_jobs(db, session_id, round_, rng, with_cancel=False)
        results = race(pg_app, jobs)
        errors = [r for r in results if r[1].startswith("error")]
        assert errors == [], f"round {round_}: {errors}"
        seen.update(name.split("-")[0] for name, outcome in results if outcome.startswith("ok"))
        with app.test_request_context():
            problems = invariant_problems(db, session_id, outbox)
        assert problems == [], f"round {round_}: {problems} after {sorted(results)}"
    # The race did exercise every kind of operation successfully at least once.
    for kind in ("cancel", "claim", "decline", "expire", "raise", "join", "buy"):
        assert seen[kind] > 0, (kind, seen)


def test_pg_mixed_operations_with_the_artisan_cancelling_the_session(pg_app, app, db, outbox):
    """The same mix, with the session cancelled in the middle of it: nothing fails, and
    afterwards no seat is taken or held and no place is live."""
    failures = []
    for attempt in range(4):
        session_id = _mixed_setup(app, db, capacity=5, queue=10)
        rng = random.Random(attempt)
        with app.test_request_context():
            warmup = _mixed_jobs(db, session_id, 0, rng, with_cancel=False)
        race(pg_app, warmup)  # creates offers, pending claims, paid claims
        with app.test_request_context():
            jobs = _mixed_jobs(db, session_id, 1, rng, with_cancel=True)
        results = race(pg_app, jobs)
        failures += [(attempt, r) for r in results if r[1].startswith("error")]
        cancelled = dict(results)["cancel-session"] == "ok"
        with app.test_request_context():
            problems = invariant_problems(db, session_id, outbox, liveness=not cancelled)
        failures += [(attempt, p) for p in problems]
        if cancelled:
            assert seats(db, session_id)[1:] == (0, 0), attempt
    assert not failures, "\n".join(f"round {a}: {str(r)[:900]}" for a, r in failures)


# Single-threaded edge cases (SQLite and PostgreSQL)


def test_republishing_a_hidden_class_gives_freed_seats_to_the_queue_first(db, ctx):
    """Seats freed while the class was hidden are not offered (fine), but once it is public
    again the first in line must get them before a stranger can book them."""
    session, paid = full_session(db)
    entry = join(session)
    db.session.commit()
    klass = session.class_
    class_services.change_status(klass, "hide")
    db.session.commit()
    bookings.cancel_booking(paid[0].lines[0])
    db.session.commit()
    class_services.change_status(db.session.get(type(klass), klass.id), "publish")
    db.session.commit()

    stranger_got_it = True
    try:
        book(db.session.get(ClassSession, session.id), 1, ("Stranger",))
        db.session.commit()
    except checkout.OutOfStock:
        db.session.rollback()
        stranger_got_it = False
    assert not stranger_got_it, "a stranger booked the seat ahead of the waitlist"
    assert db.session.get(WaitlistEntry, entry.id).status == W.OFFERED


def test_capacity_raised_while_hidden_then_published_goes_to_the_queue(db, ctx):
    session, _ = full_session(db)
    entry = join(session)
    db.session.commit()
    class_services.change_status(session.class_, "hide")
    inventory.change_capacity(db.session.get(ClassSession, session.id), 3)
    db.session.commit()
    assert db.session.get(WaitlistEntry, entry.id).status == W.WAITING  # hidden: no offer yet
    class_services.change_status(session.class_, "publish")
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(WaitlistEntry, entry.id).status == W.OFFERED
    assert invariant_problems(db, session.id) == []


def test_entry_page_does_not_say_booked_after_the_claim_expired_unpaid(app, client, db):
    """The person claimed the offer but never paid; the order expired and the seat went on.
    Their page must not keep saying 'You booked these seats'."""
    with app.test_request_context():
        session, paid = full_session(db)
        entry = join(session)
        db.session.commit()
        bookings.cancel_booking(paid[0].lines[0])
        db.session.commit()
        entry = db.session.get(WaitlistEntry, entry.id)
        checkout.book_offer(entry, contact(entry), checkout_token="claimed-never-paid")
        db.session.commit()
        assert lifecycle.expire_orders(utcnow() + timedelta(minutes=31)) == 1
        db.session.commit()
        token = entry.token
    db.session.expire_all()
    order = db.session.scalar(select(Order).where(Order.checkout_token == "claimed-never-paid"))
    assert order.status == OrderStatus.CANCELLED
    page = client.get(f"/waitlist/{token}").get_data(as_text=True)
    assert "Reservaste estos cupos." not in page


def test_offer_deadline_is_shown_in_the_class_time_zone_everywhere(
    app, customer_client, customer, db, outbox
):
    klass = factories.class_(timezone="Asia/Tokyo")
    starts = (utcnow() + timedelta(days=3)).replace(microsecond=0)
    with app.test_request_context():
        session, paid = full_session(db, klass=klass, starts_at=starts)
    post_form(
        customer_client,
        f"/classes/sessions/{session.id}/waitlist",
        {"session_id": str(session.id), "quantity": "1", "attendees": "Carla"},
    )
    with app.test_request_context():
        bookings.cancel_booking(db.session.get(Order, paid[0].id).lines[0])
        db.session.commit()
    db.session.expire_all()
    entry = db.session.scalar(select(WaitlistEntry).where(WaitlistEntry.email == customer.email))
    assert entry.status == W.OFFERED
    with app.test_request_context():
        tokyo = display.local_datetime(entry.offer_expires_at, "Asia/Tokyo", "es")
        server = display.local_datetime(entry.offer_expires_at, "UTC", "es")
    assert tokyo != server
    mail = outbox.body(next(m for m in outbox.to(customer.email) if OFFER_SUBJECT in m["Subject"]))
    assert tokyo in mail
    assert tokyo in customer_client.get(f"/waitlist/{entry.token}").get_data(as_text=True)
    bookings_page = customer_client.get("/bookings").get_data(as_text=True)
    assert display.local_time(entry.offer_expires_at, "Asia/Tokyo", "es") in bookings_page
    artisan = app.test_client()
    login(artisan, klass.artisan.user.email)
    roster = artisan.get(f"/workshop/classes/{klass.id}/sessions/{session.id}")
    assert tokyo in roster.get_data(as_text=True)


def test_waitlist_pages_and_mails_never_reveal_the_address_or_other_people(app, client, db, outbox):
    with app.test_request_context():
        session, paid = full_session(db)
        first = join(session, email="first@example.com")
        second = join(session, email="second@example.com")
        db.session.commit()
        bookings.cancel_booking(paid[0].lines[0])
        db.session.commit()
    address = factories.ADDRESS
    for message in outbox.to("first@example.com") + outbox.to("second@example.com"):
        body = outbox.body(message)
        assert address not in body and "Calle Secreta" not in body
    for me, other in ((first, second), (second, first)):
        page = client.get(f"/waitlist/{me.token}").get_data(as_text=True)
        assert "Calle Secreta" not in page
        assert other.email not in page and other.name not in page
    detail = client.get(f"/classes/{session.class_.slug}").get_data(as_text=True)
    assert "first@example.com" not in detail and "second@example.com" not in detail
    assert "Calle Secreta" not in detail


def test_an_account_place_cannot_be_booked_or_let_go_by_anyone_else(
    app, customer_client, customer, db
):
    with app.test_request_context():
        session, paid = full_session(db)
    post_form(
        customer_client,
        f"/classes/sessions/{session.id}/waitlist",
        {"session_id": str(session.id), "quantity": "1", "attendees": "Carla"},
    )
    with app.test_request_context():
        bookings.cancel_booking(db.session.get(Order, paid[0].id).lines[0])
        db.session.commit()
    entry = db.session.scalar(select(WaitlistEntry).where(WaitlistEntry.email == customer.email))
    assert entry.status == W.OFFERED
    form = {"checkout_token": "stolen", "name": "Thief", "email": "thief@example.com"}

    anonymous = app.test_client()
    booked = post_form(anonymous, f"/waitlist/{entry.token}/book", form)
    left = post_form(anonymous, f"/waitlist/{entry.token}/leave")
    assert booked.status_code == 302 and "/auth/login" in booked.headers["Location"]
    assert left.status_code == 302 and "/auth/login" in left.headers["Location"]

    other = app.test_client()
    factories.user(email="other@example.com")
    db.session.commit()
    login(other, "other@example.com")
    assert post_form(other, f"/waitlist/{entry.token}/book", form).status_code == 404
    assert post_form(other, f"/waitlist/{entry.token}/leave").status_code == 404

    db.session.expire_all()
    assert db.session.get(WaitlistEntry, entry.id).status == W.OFFERED
    assert db.session.scalar(select(Order).where(Order.checkout_token == "stolen")) is None
    assert invariant_problems(db, session.id) == []


def test_join_without_a_csrf_token_or_with_huge_inputs_creates_nothing(app, client, db):
    with app.test_request_context():
        session, _ = full_session(db)
    path = f"/classes/sessions/{session.id}/waitlist"
    base = {
        "session_id": str(session.id),
        "quantity": "1",
        "attendees": "Gina",
        "name": "Gina",
        "email": "gina@example.com",
    }
    assert client.post(path, data=base).status_code in (400, 422)
    for bad in (
        {"quantity": "1000000000000"},
        {"quantity": "-1"},
        {"quantity": "3"},  # more than the capacity (2)
        {"attendees": "x" * 5000},
        {"name": "n" * 5000},
        {"email": ("e" * 300) + "@example.com"},
        {"email": "not-an-address"},
        {"session_id": ""},
    ):
        response = post_form(client, path, {**base, **bad})
        assert response.status_code == 422, (bad, response.status_code)
    assert db.session.scalars(select(WaitlistEntry)).all() == []


def test_class_page_queries_do_not_grow_with_full_sessions_and_places(
    app, customer_client, customer, db
):
    klass = factories.class_()

    def add_full_sessions(count, start):
        with app.test_request_context():
            for day in range(start, start + count):
                session = factories.session(
                    klass=klass,
                    capacity=1,
                    seats_taken=1,
                    starts_at=(utcnow() + timedelta(days=day + 2)).replace(microsecond=0),
                )
                db.session.commit()
                waitlist.join(
                    waitlist.JoinRequest(
                        session.id, customer.email, customer.name, 1, ["Carla"], customer.id
                    )
                )
                db.session.commit()

    def queries():
        with count_queries(db.engine) as statements:
            response = customer_client.get(f"/classes/{klass.slug}")
        assert response.status_code == 200
        return len(statements)

    add_full_sessions(2, 0)
    few = queries()
    add_full_sessions(10, 2)
    many = queries()
    assert many == few, (few, many)


def test_a_partial_restock_refund_then_a_cancellation_frees_each_seat_once(db, ctx, admin):
    session = factories.session(capacity=3)
    order = book(session, 3, ("A", "B", "C"))
    pay(order)
    db.session.commit()
    first, second = join(session), join(session)
    db.session.commit()
    line = db.session.get(Order, order.id).lines[0]
    refunds.refund(
        db.session.get(Order, order.id), admin, 100, line=line, restock_quantity=1, reason="one"
    )
    db.session.commit()
    assert statuses(db, [first.id, second.id]) == [W.OFFERED, W.WAITING]
    assert invariant_problems(db, session.id) == []
    bookings.cancel_booking(db.session.get(OrderLine, line.id))
    db.session.commit()
    assert statuses(db, [first.id, second.id]) == [W.OFFERED, W.OFFERED]
    assert seats(db, session.id) == (3, 0, 2)
    assert invariant_problems(db, session.id) == []


def test_an_offer_let_go_after_its_deadline_passes_on_once(db, ctx, outbox):
    session, paid = full_session(db)
    first, second, third = join(session), join(session), join(session)
    db.session.commit()
    bookings.cancel_booking(paid[0].lines[0])
    db.session.commit()
    entry = db.session.get(WaitlistEntry, first.id)
    late = entry.offer_expires_at + timedelta(seconds=30)  # cron has not run yet
    assert waitlist.withdraw(entry, late) in (W.DECLINED, W.EXPIRED)
    db.session.commit()
    assert waitlist.expire_offers(late) == 0
    db.session.commit()
    assert statuses(db, [second.id, third.id]) == [W.OFFERED, W.WAITING]
    assert invariant_problems(db, session.id, outbox) == []


def test_capacity_squeezed_to_taken_plus_held_then_the_offer_is_let_go(db, ctx, outbox):
    session, paid = full_session(db, capacity=4)
    first, second, third = join(session), join(session), join(session)
    db.session.commit()
    bookings.cancel_booking(paid[0].lines[0])
    bookings.cancel_booking(paid[1].lines[0])
    db.session.commit()
    assert seats(db, session.id) == (4, 2, 2)
    inventory.change_capacity(db.session.get(ClassSession, session.id), 4)
    with pytest.raises(DomainError):
        inventory.change_capacity(db.session.get(ClassSession, session.id), 3)
    db.session.rollback()
    waitlist.withdraw(db.session.get(WaitlistEntry, first.id))
    db.session.commit()
    assert statuses(db, [first.id, second.id, third.id]) == [W.DECLINED, W.OFFERED, W.OFFERED]
    assert seats(db, session.id) == (4, 2, 2)
    assert invariant_problems(db, session.id, outbox) == []


def test_seats_freed_after_the_start_are_not_offered(db, ctx, admin, outbox):
    session, paid = full_session(db)
    entry = join(session)
    db.session.commit()
    db.session.execute(
        update(ClassSession)
        .where(ClassSession.id == session.id)
        .values(starts_at=utcnow() - timedelta(minutes=5))
    )
    db.session.commit()
    order = db.session.get(Order, paid[0].id)
    refunds.refund(order, admin, 100, line=order.lines[0], restock_quantity=1, reason="late")
    db.session.commit()
    assert statuses(db, [entry.id]) == [W.WAITING]
    assert seats(db, session.id) == (2, 1, 0)
    assert not [m for m in outbox.to(entry.email) if OFFER_SUBJECT in m["Subject"]]
