"""The ledger: earnings, commission, refunds and payouts as entries, with known totals, on
both databases; every event written once however often it is reported."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shop.core.errors import ValidationFailed
from shop.core.time import utcnow
from shop.orders import checkout as ordering
from shop.orders import lifecycle
from shop.orders.models import Delivery, FulfilmentStatus, OrderGroup
from shop.payments import refunds
from shop.payments import services as payments
from shop.payouts import ledger, rules
from shop.payouts import services as payouts
from shop.payouts.models import EntryKind
from tests import factories
from tests.factories import checkout_request as checkout
from tests.factories import pay
from tests.payouts.helpers import balances, entries, entry_count, pay_out, total

K = EntryKind


def _group(order, artisan) -> OrderGroup:
    return next(g for g in order.groups if g.artisan_id == artisan.id)


def _line(order, product):
    return next(line for line in order.lines if line.product_id == product.id)


@pytest.fixture
def market(db, request_ctx):
    """A potter (platform rate 10 %, ships for 4.50) and a weaver cooperative (0 %)."""
    potter = factories.artisan(shop_name="Barro")
    potter.shipping_rate_cents = 450
    weaver = factories.artisan(shop_name="Tejidos")
    payouts.set_terms(weaver.id, 0, "")
    mug = factories.product(artisan_workshop=potter, price_cents=1800, stock=50, shipping=True)
    bowl = factories.product(artisan_workshop=potter, price_cents=2400, stock=50, shipping=True)
    scarf = factories.product(artisan_workshop=weaver, price_cents=3000, stock=50)
    return potter, weaver, mug, bowl, scarf


def _buy(potter, weaver, mug, bowl, scarf):
    order = ordering.place_order(
        checkout(
            [(mug, 2), (bowl, 1), (scarf, 1)],
            deliveries={potter.id: Delivery.SHIPPING, weaver.id: Delivery.PICKUP},
            address="Av. Amazonas 123, Quito",
        )
    )
    pay(order)
    return order


def test_seeded_scenario_reconciles_with_orders_and_refunds(db, market):
    potter, weaver, mug, _, _ = market
    admin = factories.user(is_admin=True)
    order = _buy(*market)
    assert order.total_cents == 3600 + 2400 + 450 + 3000

    # Paid: the potter earned lines and shipping, less 10 % of the lines; the weaver 0 %.
    assert total(potter.id, K.EARNING) == 3600 + 2400 + 450
    assert total(potter.id, K.COMMISSION) == -(360 + 240)
    assert total(weaver.id, K.EARNING) == 3000 and total(weaver.id, K.COMMISSION) == 0
    assert {e.rate_bps for e in entries(potter.id) if e.line_id} == {1000}
    assert balances(potter.id).pending == 5850 and balances(potter.id).available == 0

    # The potter ships: payable 7 days later. The weaver's part is picked up: payable now.
    lifecycle.set_fulfilment(_group(order, potter), potter.user, FulfilmentStatus.SHIPPED)
    lifecycle.set_fulfilment(_group(order, weaver), weaver.user, FulfilmentStatus.COMPLETED)
    assert balances(potter.id).pending == 5850
    assert balances(potter.id, utcnow() + timedelta(days=8)).available == 5850
    assert balances(weaver.id).available == 3000

    # 10.00 back on the mugs: the potter loses 9.00, the platform gives back 1.00.
    refunds.give_back(order, admin, 1000, line=_line(order, mug), reason="chipped")
    assert total(potter.id, K.REFUND) == -1000
    assert total(potter.id, K.COMMISSION) == -(260 + 240)
    # 4.50 back on the whole order, shared by what is left of each part (largest remainder):
    # mugs 2600 -> 1.38, bowl 2400 -> 1.28, shipping 450 -> 0.24, scarf 3000 -> 1.60.
    refunds.give_back(order, admin, 450, reason="late")
    assert total(potter.id, K.REFUND) == -(1000 + 138 + 128 + 24)
    assert total(weaver.id, K.REFUND) == -160
    assert total(potter.id, K.COMMISSION) == -(246 + 227)  # 10 % of 24.62 and of 22.72
    assert total(potter.id) == 4687 and total(weaver.id) == 2840

    # Reconciliation: what the customer paid net of refunds = artisans' shares + commission.
    db.session.refresh(order)
    commission = -(total(potter.id, K.COMMISSION) + total(weaver.id, K.COMMISSION))
    assert order.paid_cents - order.refunded_cents == 8000
    assert total(potter.id) + total(weaver.id) + commission == 8000

    # The weaver is paid all that is available; not one cent more without confirming.
    pay_out(weaver.id, 2840)
    weaver_money = balances(weaver.id)
    assert (weaver_money.available, weaver_money.pending, weaver_money.paid_out) == (0, 0, 2840)
    with pytest.raises(ValidationFailed):
        pay_out(weaver.id, 1)
    # The potter's money is still pending (shipped, not yet 7 days): nothing to pay out.
    with pytest.raises(ValidationFailed):
        pay_out(potter.id, 100)


def test_later_rate_changes_never_rewrite_paid_lines(db, market):
    potter, weaver, *_ = market
    first = _buy(*market)
    rules.COMMISSION_BPS.put(1500)
    payouts.set_terms(weaver.id, None, "")  # back to the platform's rate
    second = _buy(*market)
    potter_lines = [e for e in entries(potter.id) if e.kind == K.COMMISSION]
    assert [e.rate_bps for e in potter_lines] == [1000, 1000, 1500, 1500]
    assert [e.amount_cents for e in potter_lines] == [-360, -240, -540, -360]
    weaver_commission = [e for e in entries(weaver.id) if e.kind == K.COMMISSION]
    assert [(e.order_id, e.amount_cents) for e in weaver_commission] == [(second.id, -450)]
    assert first.id != second.id


def test_completed_part_is_payable_at_once_shipped_part_after_the_hold(db, market):
    potter, _, mug, *_ = market
    order = ordering.place_order(
        checkout([(mug, 1)], deliveries={potter.id: Delivery.SHIPPING}, address="Calle 1")
    )
    pay(order)
    group = _group(order, potter)
    lifecycle.set_fulfilment(group, potter.user, FulfilmentStatus.SHIPPED)
    due = utcnow() + timedelta(days=rules.PRODUCT_HOLD_DAYS.get())
    assert balances(potter.id, due - timedelta(hours=1)).available == 0
    assert balances(potter.id, due + timedelta(hours=1)).available == 1800 - 180 + 450
    assert balances(potter.id).next_available_at is not None
    lifecycle.set_fulfilment(group, potter.user, FulfilmentStatus.COMPLETED)
    assert balances(potter.id).available == 1800 - 180 + 450


def test_ready_for_pickup_keeps_money_pending_until_completed(db, market):
    potter, _, mug, *_ = market
    order = factories.paid_order([(mug, 1)])
    group = _group(order, potter)
    lifecycle.set_fulfilment(group, potter.user, FulfilmentStatus.READY_FOR_PICKUP)
    assert balances(potter.id).available == 0 and balances(potter.id).pending == 1620
    lifecycle.set_fulfilment(group, potter.user, FulfilmentStatus.COMPLETED)
    assert balances(potter.id).available == 1620 and balances(potter.id).pending == 0


def test_seats_are_payable_two_days_after_the_session_ends(db, request_ctx):
    teacher = factories.artisan()
    klass = factories.class_(artisan_workshop=teacher, price_cents=3500, duration_minutes=120)
    session = factories.session(klass=klass)
    factories.paid_booking(session, 2)
    ends = session.starts_at + timedelta(minutes=120)
    days = rules.SEAT_HOLD_DAYS.get()
    assert days == 2
    assert balances(teacher.id, ends + timedelta(days=2, minutes=-1)).available == 0
    assert balances(teacher.id, ends + timedelta(days=2)).available == 7000 - 700


def test_a_refund_before_availability_cancels_pending_money(db, request_ctx):
    teacher = factories.artisan()
    session = factories.session(klass=factories.class_(artisan_workshop=teacher))
    order = factories.paid_booking(session, 1)
    refunds.give_back(order, None, order.total_cents, line=order.lines[0], reason="cancel")
    money = balances(teacher.id)
    assert (money.pending, money.available, money.balance) == (0, 0, 0)
    assert total(teacher.id, K.COMMISSION) == 0  # all of it given back


def test_a_refund_after_a_payout_shows_a_negative_available_balance(db, market):
    _, weaver, _, _, scarf = market
    order = factories.paid_order([(scarf, 1)])
    lifecycle.set_fulfilment(order.groups[0], weaver.user, FulfilmentStatus.COMPLETED)
    pay_out(weaver.id, 3000)
    refunds.give_back(order, None, 1200, line=order.lines[0], reason="faded")
    money = balances(weaver.id)
    assert money.available == -1200 and money.paid_out == 3000 and money.pending == 0


def test_paying_more_than_available_needs_the_explicit_confirmation(db, market):
    _, weaver, _, _, scarf = market
    order = factories.paid_order([(scarf, 1)])
    lifecycle.set_fulfilment(order.groups[0], weaver.user, FulfilmentStatus.COMPLETED)
    with pytest.raises(ValidationFailed) as refused:
        pay_out(weaver.id, 3500)
    assert refused.value.field == "amount"
    payout = pay_out(weaver.id, 3500, over=True)
    assert payout.over_available is True
    assert balances(weaver.id).available == -500


def test_redelivered_payment_and_repeated_refund_write_nothing_twice(db, market):
    potter, *_ = market
    order = _buy(*market)
    written = entry_count()
    payment = order.payments[0]
    assert payments.confirm_payment(payment, order.total_cents, order.currency) == "duplicate"
    assert lifecycle.mark_paid(order, order.total_cents, order.currency) == "already_paid"
    assert ledger.record_payment(order) == 0
    assert entry_count() == written
    refund = refunds.give_back(order, None, 700, reason="one more time")
    after_refund = entry_count()
    assert after_refund > written
    assert ledger.record_refund(refund) == 0
    assert entry_count() == after_refund
    assert total(potter.id, K.REFUND) + total(market[1].id, K.REFUND) == -700


def test_adjustments_need_a_note_and_count_at_once(db, market):
    potter, *_ = market
    admin = factories.user(is_admin=True)
    with pytest.raises(ValidationFailed) as refused:
        payouts.add_adjustment(potter.id, 500, "  ", admin.id)
    assert refused.value.field == "note"
    payouts.add_adjustment(potter.id, 500, "Fair fee returned", admin.id)
    payouts.add_adjustment(potter.id, -200, "Packaging bought for you", admin.id)
    assert balances(potter.id).available == 300
    assert [e.note for e in entries(potter.id)] == ["Fair fee returned", "Packaging bought for you"]


def test_payouts_due_lists_artisans_over_the_threshold_oldest_first(db, market):
    potter, weaver, mug, _, scarf = market
    first = factories.paid_order([(scarf, 1)])
    lifecycle.set_fulfilment(first.groups[0], weaver.user, FulfilmentStatus.COMPLETED)
    second = factories.paid_order([(mug, 1)])
    lifecycle.set_fulfilment(second.groups[0], potter.user, FulfilmentStatus.COMPLETED)
    due = payouts.payouts_due(1000)
    assert [(d.artisan.id, d.available) for d in due] == [(weaver.id, 3000), (potter.id, 1620)]
    assert [d.artisan.id for d in payouts.payouts_due(2000)] == [weaver.id]
    pay_out(weaver.id, 3000)
    assert [d.artisan.id for d in payouts.payouts_due(1000)] == [potter.id]
