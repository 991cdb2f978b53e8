"""Races on PostgreSQL (real threads, separate connections): one payment's entries written
once however many deliveries race; two payouts never both spend the same balance."""

from __future__ import annotations

from sqlalchemy import func, select

from shop.extensions import db as _db
from shop.orders import lifecycle
from shop.orders.models import FulfilmentStatus, Order
from shop.payments import services as payments
from shop.payments.models import Payment
from shop.payouts import ledger
from shop.payouts.models import LedgerEntry, Payout
from tests import factories
from tests.payouts.helpers import pay_out
from tests.support.threads import race


def _entries_of(db, order_id: int) -> int:
    db.session.rollback()
    return db.session.scalar(
        select(func.count(LedgerEntry.id)).where(LedgerEntry.order_id == order_id)
    )


def test_racing_confirmations_of_one_payment_write_its_entries_once(db, pg_app, request_ctx):
    potter = factories.artisan()
    mugs = [factories.product(artisan_workshop=potter, price_cents=1800) for _ in range(2)]
    order = factories.order([(mugs[0], 1), (mugs[1], 2)])
    payment = Payment(
        order_id=order.id,
        gateway="stripe",
        gateway_ref="pi_race",
        amount_cents=order.total_cents,
        currency=order.currency,
    )
    db.session.add(payment)
    db.session.commit()
    payment_id = payment.id

    def deliver():
        found = _db.session.get(Payment, payment_id)
        return payments.confirm_payment(found, found.amount_cents, found.currency)

    outcomes = race(pg_app, [(f"delivery {n}", deliver) for n in range(6)])
    assert sorted(outcome for _, outcome in outcomes) == ["ok duplicate"] * 5 + ["ok paid"]
    assert _entries_of(db, order.id) == 4  # two earnings and two commissions


def test_racing_ledger_writes_of_one_event_insert_each_key_once(db, pg_app, request_ctx):
    """Below the order's own lock: the unique keys alone keep concurrent writers from
    duplicating entries (ON CONFLICT DO NOTHING waits for the first, then skips)."""
    potter = factories.artisan()
    order = factories.paid_order([(factories.product(artisan_workshop=potter), 3)])
    order_id = order.id
    db.session.execute(LedgerEntry.__table__.delete().where(LedgerEntry.order_id == order_id))
    db.session.commit()

    def write():
        return ledger.record_payment(_db.session.get(Order, order_id))

    outcomes = race(pg_app, [(f"writer {n}", write) for n in range(6)])
    assert all(outcome.startswith("ok") for _, outcome in outcomes), outcomes
    assert sum(int(outcome.split()[1]) for _, outcome in outcomes) == 2
    assert _entries_of(db, order_id) == 2


def test_two_admins_paying_the_whole_balance_at_once_pay_it_once(db, pg_app, request_ctx):
    weaver = factories.artisan()
    order = factories.paid_order(
        [(factories.product(artisan_workshop=weaver, price_cents=5000), 1)]
    )
    lifecycle.set_fulfilment(order.groups[0], weaver.user, FulfilmentStatus.COMPLETED)
    db.session.commit()
    weaver_id = weaver.id

    outcomes = race(pg_app, [(name, lambda: pay_out(weaver_id, 4500)) for name in "ab"])
    assert sorted(outcome.split("<")[0].strip() for _, outcome in outcomes) == [
        "ok",
        "refused ValidationFailed",
    ]
    db.session.rollback()
    assert db.session.scalar(select(func.count(Payout.id))) == 1
    assert ledger.balances(weaver_id).available == 0
