"""Property-based: random payments, partial refunds, fulfilment and payouts never break the
ledger's rules (hypothesis drives the real services on the real database)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from shop.core.errors import ValidationFailed
from shop.extensions import db
from shop.orders import lifecycle
from shop.orders.models import Delivery, FulfilmentStatus, Order, OrderStatus
from shop.payments import refunds
from shop.payouts import ledger, rules
from shop.payouts import services as payouts
from shop.payouts.models import EntryKind, LedgerEntry
from tests import factories
from tests.payouts.helpers import pay_out

K = EntryKind
PREPARABLE = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED)

pay_step = st.tuples(
    st.just("pay"),
    st.lists(
        st.tuples(st.integers(0, 2), st.integers(1, 9_999), st.integers(1, 3)),
        min_size=1,
        max_size=3,
    ),
)
refund_step = st.tuples(
    st.just("refund"), st.integers(0, 20), st.booleans(), st.integers(1, 100)
)  # which order, a line or the whole order, what per cent of what may still go back
fulfil_step = st.tuples(st.just("fulfil"), st.integers(0, 20), st.sampled_from(["ship", "done"]))
payout_step = st.tuples(st.just("payout"), st.integers(0, 2), st.integers(1, 120))
steps = st.lists(st.one_of(pay_step, refund_step, fulfil_step, payout_step), max_size=14)


def _check_every_part(order_ids: list[int]) -> None:
    """Per line and shipping: the artisan's share + the commission = what stays paid, and
    the commission is the line's rate of that, rounded once."""
    for order_id in order_ids:
        order = db.session.get(Order, order_id)
        parts = ledger.parts_of(order_id)
        assert sum(p.remaining for p in parts.values()) == order.paid_cents - order.refunded_cents
        for (group_id, line_id), part in parts.items():
            share = db.session.scalar(
                select(func.sum(LedgerEntry.amount_cents)).where(
                    LedgerEntry.order_id == order_id,
                    LedgerEntry.group_id == group_id,
                    LedgerEntry.line_id.is_(None)
                    if line_id is None
                    else LedgerEntry.line_id == line_id,
                )
            )
            assert share + part.commission == part.remaining
            assert part.commission == rules.commission_cents(part.remaining, part.rate_bps)
            assert part.remaining >= 0


@pytest.mark.parametrize("rates", [(1000, 0, 1250)])
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=steps)
def test_random_histories_keep_the_ledger_whole(db, request_ctx, rates, plan):
    artisans = [factories.artisan() for _ in rates]
    for artisan, rate in zip(artisans, rates, strict=True):
        payouts.set_terms(artisan.id, rate, "")
    artisans[1].shipping_rate_cents = 375  # the second one ships; the others hand over
    products = [
        factories.product(artisan_workshop=a, stock=10_000, shipping=True) for a in artisans
    ]
    order_ids: list[int] = []
    for step in plan:
        if step[0] == "pay":
            items = {}
            for which, price, quantity in step[1]:
                products[which].price_cents = price
                items[products[which]] = quantity
            db.session.flush()
            shipped = {products[1].artisan_id} & {p.artisan_id for p in items}
            order = factories.paid_order(
                list(items.items()),
                deliveries={
                    p.artisan_id: Delivery.SHIPPING if p.artisan_id in shipped else Delivery.PICKUP
                    for p in items
                },
                address="Calle Larga 5, Cuenca" if shipped else "",
            )
            order_ids.append(order.id)
        elif step[0] == "refund" and order_ids:
            order = db.session.get(Order, order_ids[step[1] % len(order_ids)])
            line = order.lines[step[1] % len(order.lines)] if step[2] else None
            room = order.refundable_cents
            if line is not None:
                room = min(room, line.total_cents - line.refunded_cents)
            if room > 0 and order.status != "refunded":
                refunds.give_back(order, None, max(1, room * step[3] // 100), line=line)
        elif step[0] == "fulfil" and order_ids:
            order = db.session.get(Order, order_ids[step[1] % len(order_ids)])
            group = order.groups[step[1] % len(order.groups)]
            if step[2] == "done":
                target = FulfilmentStatus.COMPLETED
            elif group.delivery == Delivery.SHIPPING:
                target = FulfilmentStatus.SHIPPED
            else:
                target = FulfilmentStatus.READY_FOR_PICKUP
            action = lifecycle.FULFIL_ACTIONS[target]
            if order.status in PREPARABLE and lifecycle.GROUP_STATES.allowed(group, action):
                lifecycle.set_fulfilment(group, group.artisan.user, target)
        elif step[0] == "payout":
            artisan = artisans[step[1]]
            before = ledger.balances(artisan.id)
            wanted = max(1, before.available * step[2] // 100)
            if wanted > before.available:
                with pytest.raises(ValidationFailed):  # never pending money, never more
                    pay_out(artisan.id, wanted)
            else:
                pay_out(artisan.id, wanted)
                after = ledger.balances(artisan.id)
                assert after.available == before.available - wanted >= 0
                assert after.pending == before.pending
        _check_every_part(order_ids)
        for artisan in artisans:
            money = ledger.balances(artisan.id)
            entries_sum = db.session.scalar(
                select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0)).where(
                    LedgerEntry.artisan_id == artisan.id
                )
            )
            assert money.balance == entries_sum
            paid = -db.session.scalar(
                select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0)).where(
                    LedgerEntry.artisan_id == artisan.id, LedgerEntry.kind == K.PAYOUT
                )
            )
            assert money.paid_out == paid
    db.session.rollback()
