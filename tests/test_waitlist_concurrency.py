"""Waitlist races on PostgreSQL, with real threads and separate connections: freed seats are
held for the queue exactly once, an offer is either booked or passed on, never both."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select

from shop.classes import waitlist
from shop.classes.models import ClassSession, WaitlistEntry, WaitlistStatus
from shop.errors import ValidationFailed
from shop.extensions import db as _db
from shop.orders import services as orders
from shop.orders.cart import CartEntry
from shop.orders.models import OrderLine
from tests.test_waitlist import full_session, join

W = WaitlistStatus


def race(app, jobs: list[Callable[[], str]]) -> list[str]:
    """Run each job in its own thread and app context, all released at once."""
    barrier = threading.Barrier(len(jobs))
    results: list[str] = []

    def run(job):
        with app.app_context(), app.test_request_context():
            barrier.wait()
            try:
                results.append(job())
                _db.session.commit()
            except orders.OutOfStock:
                _db.session.rollback()
                results.append("full")
            except waitlist.OfferExpired:
                _db.session.rollback()
                results.append("offer ended")
            except ValidationFailed as error:
                _db.session.rollback()
                results.append(f"refused: {error.message}")
            except Exception as error:  # anything else fails the test
                _db.session.rollback()
                results.append(f"error: {type(error).__name__}: {error}")
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (deadlock?)"
    return results


def seats(db, session_id: int) -> tuple[int, int]:
    db.session.expire_all()
    session = db.session.get(ClassSession, session_id)
    return session.seats_taken, session.seats_held


def statuses(db, ids: list[int]) -> list[WaitlistStatus]:
    db.session.expire_all()
    return [db.session.get(WaitlistEntry, i).status for i in ids]


def test_eight_cancellations_and_eight_buyers_at_once(pg_app, db, app):
    """Every freed seat goes to the queue in order; buyers never slip in between."""
    with app.test_request_context():
        session, paid = full_session(db, capacity=8)
        queue = [join(session).id for _ in range(12)]
        db.session.commit()
    session_id = session.id
    lines = [order.lines[0].id for order in paid]

    def cancel(line_id):
        def job():
            orders.cancel_booking(_db.session.get(OrderLine, line_id))
            return "cancelled"

        return job

    def buy(index):
        def job():
            orders.place_order(
                orders.CheckoutRequest(
                    entries=[CartEntry("seat", session_id, 1, (f"Buyer {index}",))],
                    contact=orders.Contact("Buyer", f"buyer{index}@example.com"),
                    deliveries={},
                    checkout_token=f"buyer-{index}",
                )
            )
            return "bought"

        return job

    results = race(pg_app, [cancel(i) for i in lines] + [buy(i) for i in range(8)])
    assert Counter(results) == {"cancelled": 8, "full": 8}, Counter(results)
    assert seats(db, session_id) == (0, 8)
    assert statuses(db, queue) == [W.OFFERED] * 8 + [W.WAITING] * 4  # first come, first served


def test_an_offer_booked_while_it_expires_is_booked_or_passed_on_never_both(pg_app, db, app):
    outcomes = Counter()
    for round_ in range(15):
        with app.test_request_context():
            session, paid = full_session(db, capacity=1)
            first, second = join(session), join(session)
            db.session.commit()
            orders.cancel_booking(paid[0].lines[0])
            db.session.commit()
            entry = db.session.get(WaitlistEntry, first.id)
            deadline = entry.offer_expires_at
        ids = (first.id, second.id)

        def book(round_=round_, deadline=deadline, ids=ids):
            entry = _db.session.get(WaitlistEntry, ids[0])
            waitlist.book_offer(
                entry,
                orders.Contact(entry.name, entry.email),
                checkout_token=f"claim-{round_}",
                now=deadline - timedelta(seconds=1),
            )
            return "booked"

        def expire(deadline=deadline):
            return f"expired {waitlist.expire_offers(deadline + timedelta(seconds=1))}"

        results = sorted(race(pg_app, [book, expire]))
        taken_held = seats(db, session.id)
        now = statuses(db, list(ids))
        if results == ["booked", "expired 0"]:
            assert (now, taken_held) == ([W.BOOKED, W.WAITING], (1, 0)), (now, taken_held)
        else:
            assert results == ["expired 1", "offer ended"], results
            assert (now, taken_held) == ([W.EXPIRED, W.OFFERED], (0, 1)), (now, taken_held)
        outcomes[results[0]] += 1
    assert sum(outcomes.values()) == 15


def test_ten_identical_join_requests_queue_once(pg_app, db, app):
    with app.test_request_context():
        session, _ = full_session(db, capacity=1)
    session_id = session.id

    def join_once():
        waitlist.join(waitlist.JoinRequest(session_id, "twin@example.com", "Twin", 1, ["Twin"]))
        return "joined"

    results = race(pg_app, [join_once] * 10)
    already = "refused: Ya estás en la lista de espera de esta sesión."
    assert Counter(results) == {"joined": 1, already: 9}, Counter(results)
    rows = db.session.scalars(select(WaitlistEntry).where(WaitlistEntry.session_id == session_id))
    assert len(rows.all()) == 1
