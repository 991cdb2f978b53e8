"""Races for the last units, on PostgreSQL with real threads and separate connections."""

from __future__ import annotations

import random
from collections import Counter

from sqlalchemy import func, select

from shop.catalog.models import Product
from shop.orders import checkout as ordering
from shop.orders.cart import CartEntry
from shop.orders.models import Delivery, Order, OrderLine
from tests import factories
from tests.support.threads import race

# What the tests count: a buyer either placed the order or found the units sold out.
OUTCOMES = {"ok": "ok", "refused OutOfStock": "sold out"}


def _buyer(index: int, entries, artisan_ids):
    request = ordering.CheckoutRequest(
        entries=entries,
        contact=ordering.Contact("Buyer", f"buyer{index}@example.com"),
        deliveries=dict.fromkeys(artisan_ids, Delivery.PICKUP),
        checkout_token=f"race-{index}-{random.random()}",
    )

    def buy() -> None:
        ordering.place_order(request)

    return f"buyer-{index}", buy


def _race(app, jobs):
    outcomes = race(app, [_buyer(i, entries, ids) for i, (entries, ids) in enumerate(jobs)])
    return [OUTCOMES.get(outcome, outcome) for _name, outcome in outcomes]


def test_fifty_buyers_for_ten_units(pg_app, db):
    product = factories.product(stock=10)
    db.session.commit()
    jobs = [([CartEntry("product", product.id, 1)], [product.artisan_id])] * 50
    results = _race(pg_app, jobs)
    counts = Counter(results)
    assert counts == {"ok": 10, "sold out": 40}, counts
    db.session.expire_all()
    assert db.session.get(Product, product.id).stock == 0
    sold = db.session.scalar(select(func.sum(OrderLine.quantity)))
    assert sold == 10


def test_mixed_quantities_never_oversell(pg_app, db):
    for _round in range(20):
        product = factories.product(stock=10)
        db.session.commit()
        quantities = [random.randint(1, 3) for _ in range(12)]
        jobs = [([CartEntry("product", product.id, q)], [product.artisan_id]) for q in quantities]
        results = _race(pg_app, jobs)
        assert all(r in ("ok", "sold out") for r in results), results
        db.session.expire_all()
        left = db.session.get(Product, product.id).stock
        sold = db.session.scalar(
            select(func.coalesce(func.sum(OrderLine.quantity), 0)).where(
                OrderLine.product_id == product.id
            )
        )
        assert left >= 0 and left + sold == 10, (left, sold, quantities, results)


def test_opposite_cart_orders_do_not_deadlock(pg_app, db):
    artisan = factories.artisan()
    first = factories.product(artisan_workshop=artisan, stock=1000)
    second = factories.product(artisan_workshop=artisan, stock=1000)
    db.session.commit()
    for _round in range(20):
        jobs = []
        for index in range(10):
            pair = [CartEntry("product", first.id, 1), CartEntry("product", second.id, 1)]
            jobs.append((pair if index % 2 else pair[::-1], [artisan.id]))
        results = _race(pg_app, jobs)
        assert results.count("ok") == 10, results
    db.session.expire_all()
    assert db.session.get(Product, first.id).stock == 800
    assert db.session.get(Product, second.id).stock == 800
    assert db.session.scalar(select(func.count(Order.id))) == 200
