"""Orders: totals, reservations, payment, expiry, refunds; each money or stock change once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shop.catalog.models import Product
from shop.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from shop.core.time import utcnow
from shop.orders import checkout as ordering
from shop.orders import lifecycle
from shop.orders.models import Delivery, FulfilmentStatus, Order, OrderStatus
from shop.payments import refunds
from shop.payments import services as payments
from tests import factories
from tests.factories import checkout_request as checkout
from tests.factories import pay

OS = OrderStatus


def stock(db, product) -> int:
    db.session.expire_all()
    return db.session.get(Product, product.id).stock


@pytest.fixture
def request_ctx(app):
    with app.test_request_context():
        yield


def test_totals_group_per_artisan_and_shipping_once_per_artisan(db, request_ctx):
    potter = factories.artisan()
    potter.shipping_rate_cents = 450
    weaver = factories.artisan()
    mug = factories.product(artisan_workshop=potter, price_cents=1800, shipping=True)
    bowl = factories.product(artisan_workshop=potter, price_cents=2400, shipping=True)
    scarf = factories.product(artisan_workshop=weaver, price_cents=3000)
    order = ordering.place_order(
        checkout(
            [(mug, 2), (bowl, 1), (scarf, 1)],
            deliveries={potter.id: Delivery.SHIPPING, weaver.id: Delivery.PICKUP},
            address="Av. Amazonas 123, Quito",
        )
    )
    assert order.subtotal_cents == 2 * 1800 + 2400 + 3000
    assert order.shipping_cents == 450  # once for the potter, none for pickup
    assert order.total_cents == order.subtotal_cents + 450
    assert len(order.groups) == 2 and len(order.lines) == 3
    assert order.status == OS.PENDING_PAYMENT
    assert order.hold_expires_at > utcnow() + timedelta(minutes=29)
    assert stock(db, mug) == 3 and stock(db, bowl) == 4 and stock(db, scarf) == 4
    assert len(order.reference) == 10 and len(order.access_token) >= 32


def test_order_lines_copy_title_and_price(db, request_ctx):
    mug = factories.product(title="Taza", price_cents=1000)
    order = ordering.place_order(checkout([(mug, 1)]))
    mug.title, mug.price_cents = "Taza nueva", 9999
    db.session.flush()
    line = order.lines[0]
    assert (line.title, line.unit_price_cents, line.total_cents) == ("Taza", 1000, 1000)


def test_out_of_stock_changes_nothing(db, request_ctx):
    mug = factories.product(stock=2)
    db.session.commit()
    with pytest.raises(ordering.OutOfStock):
        ordering.place_order(checkout([(mug, 3)]))
    db.session.rollback()
    assert stock(db, mug) == 2
    assert db.session.scalar(select(func.count(Order.id))) == 0


def test_made_to_order_does_not_touch_stock(db, request_ctx):
    commission = factories.product(stock=0, made_to_order=True, lead_time_days=10)
    order = ordering.place_order(checkout([(commission, 3)]))
    assert order.total_cents == 3 * commission.price_cents
    assert stock(db, commission) == 0


@pytest.mark.parametrize("status", ["draft", "hidden", "archived"])
def test_unlisted_products_cannot_be_ordered(db, request_ctx, status):
    product = factories.product(status=status)
    with pytest.raises(ValidationFailed):
        ordering.place_order(checkout([(product, 1)]))


def test_shipping_needs_an_address_and_a_rate(db, request_ctx):
    potter = factories.artisan()
    mug = factories.product(artisan_workshop=potter, shipping=True)
    with pytest.raises(ValidationFailed) as error:  # no rate set
        ordering.place_order(
            checkout([(mug, 1)], deliveries={potter.id: Delivery.SHIPPING}, address="x")
        )
    assert error.value.field == f"delivery_{potter.id}"
    potter.shipping_rate_cents = 300
    with pytest.raises(ValidationFailed) as error:
        ordering.place_order(checkout([(mug, 1)], deliveries={potter.id: Delivery.SHIPPING}))
    assert error.value.field == "address"


def test_same_checkout_token_makes_one_order(db, request_ctx):
    mug = factories.product(stock=5)
    ordering.place_order(checkout([(mug, 1)], token="same-form"))
    db.session.commit()
    with pytest.raises(ordering.DuplicateCheckout):
        ordering.place_order(checkout([(mug, 1)], token="same-form"))
    db.session.rollback()
    assert db.session.scalar(select(func.count(Order.id))) == 1
    assert stock(db, mug) == 4


def test_payment_marks_paid_once_and_mails_once(db, request_ctx, outbox):
    mug = factories.product()
    order = ordering.place_order(checkout([(mug, 1)]))
    db.session.commit()
    assert pay(order) == "paid"
    db.session.commit()
    assert order.status == OS.PAID and order.paid_cents == order.total_cents
    payment = order.payments[0]
    for _ in range(5):
        assert payments.confirm_payment(payment, order.total_cents, "USD") == "duplicate"
        db.session.commit()
    assert len(outbox.to("gina@example.com")) == 1
    assert len(outbox.to(mug.artisan.user.email)) == 1


def test_amount_mismatch_is_flagged_not_fulfilled(db, request_ctx):
    order = ordering.place_order(checkout([(factories.product(), 1)]))
    assert lifecycle.mark_paid(order, order.total_cents - 1, "USD") == "mismatch"
    assert order.status == OS.PENDING_PAYMENT and order.needs_review
    assert lifecycle.mark_paid(order, order.total_cents, "EUR") == "mismatch"


def test_expiry_releases_once_and_late_payment_is_flagged(db, request_ctx):
    mug = factories.product(stock=3)
    order = ordering.place_order(checkout([(mug, 2)]))
    db.session.commit()
    assert stock(db, mug) == 1
    assert lifecycle.expire_orders(utcnow()) == 0  # hold still running
    later = utcnow() + timedelta(minutes=31)
    assert lifecycle.expire_orders(later) == 1
    db.session.commit()
    assert lifecycle.expire_orders(later) == 0  # exactly once
    assert stock(db, mug) == 3
    db.session.refresh(order)
    assert order.status == OS.CANCELLED and order.released_at is not None
    assert lifecycle.release(order, "again") is False
    assert stock(db, mug) == 3
    assert lifecycle.mark_paid(order, order.total_cents, "USD") == "late"
    assert order.status == OS.CANCELLED and order.needs_review


def test_cancel_unpaid_releases_and_paid_cannot_be_cancelled(db, request_ctx):
    mug = factories.product(stock=3)
    order = ordering.place_order(checkout([(mug, 1)]))
    lifecycle.cancel_unpaid(order, None, "changed my mind")
    assert stock(db, mug) == 3
    with pytest.raises(InvalidTransition):
        lifecycle.cancel_unpaid(order, None, "twice")
    paid = ordering.place_order(checkout([(mug, 1)]))
    pay(paid)
    with pytest.raises(InvalidTransition):
        lifecycle.cancel_unpaid(paid, None, "too late")


def test_refunds_never_exceed_what_was_paid(db, request_ctx, outbox):
    admin = factories.user(is_admin=True)
    mug = factories.product(stock=5, price_cents=1000)
    order = ordering.place_order(checkout([(mug, 2)]))
    pay(order)
    line = order.lines[0]
    refunds.refund(order, admin, 500, line=line, restock_quantity=1, reason="chipped")
    assert order.status == OS.PARTIALLY_REFUNDED and order.refunded_cents == 500
    assert stock(db, mug) == 4
    with pytest.raises(ValidationFailed):
        refunds.refund(order, admin, 1501, line=line)
    with pytest.raises(ValidationFailed):
        refunds.refund(order, admin, 0)
    with pytest.raises(ValidationFailed):
        refunds.refund(order, admin, 100, line=line, restock_quantity=2)
    refunds.refund(order, admin, 1500)
    assert order.status == OS.REFUNDED and order.refunded_cents == order.paid_cents
    with pytest.raises(InvalidTransition):  # fully refunded: nothing left to give back
        refunds.refund(order, admin, 1)
    db.session.commit()
    assert len(outbox.to("gina@example.com")) == 3  # paid, and one per refund


def test_unpaid_orders_cannot_be_refunded(db, request_ctx):
    order = ordering.place_order(checkout([(factories.product(), 1)]))
    with pytest.raises(InvalidTransition):
        refunds.refund(order, factories.user(is_admin=True), 100)


def test_artisans_refund_only_their_own_lines(db, request_ctx):
    potter, weaver = factories.artisan(), factories.artisan()
    mug = factories.product(artisan_workshop=potter)
    scarf = factories.product(artisan_workshop=weaver)
    order = ordering.place_order(checkout([(mug, 1), (scarf, 1)]))
    pay(order)
    mug_line = next(line for line in order.lines if line.product_id == mug.id)
    scarf_line = next(line for line in order.lines if line.product_id == scarf.id)
    with pytest.raises(NotAllowed):
        refunds.refund(order, potter.user, 100, line=scarf_line)
    with pytest.raises(NotAllowed):
        refunds.refund(order, potter.user, 100)  # the whole order is the admins' call
    refunds.refund(order, potter.user, 100, line=mug_line)
    assert order.refunded_cents == 100


ALLOWED_STEPS = {
    (FulfilmentStatus.NEW, FulfilmentStatus.READY_FOR_PICKUP, Delivery.PICKUP),
    (FulfilmentStatus.NEW, FulfilmentStatus.SHIPPED, Delivery.SHIPPING),
    (FulfilmentStatus.NEW, FulfilmentStatus.COMPLETED, Delivery.PICKUP),
    (FulfilmentStatus.NEW, FulfilmentStatus.COMPLETED, Delivery.SHIPPING),
    # Completing is always possible from an open step, whatever the delivery.
    (FulfilmentStatus.READY_FOR_PICKUP, FulfilmentStatus.COMPLETED, Delivery.PICKUP),
    (FulfilmentStatus.READY_FOR_PICKUP, FulfilmentStatus.COMPLETED, Delivery.SHIPPING),
    (FulfilmentStatus.SHIPPED, FulfilmentStatus.COMPLETED, Delivery.SHIPPING),
    (FulfilmentStatus.SHIPPED, FulfilmentStatus.COMPLETED, Delivery.PICKUP),
}


@pytest.mark.parametrize("delivery", list(Delivery))
@pytest.mark.parametrize("start", list(FulfilmentStatus))
@pytest.mark.parametrize("target", list(FulfilmentStatus))
def test_every_fulfilment_step(db, request_ctx, outbox, delivery, start, target):
    potter = factories.artisan()
    potter.shipping_rate_cents = 300
    mug = factories.product(artisan_workshop=potter, shipping=True)
    order = ordering.place_order(
        checkout([(mug, 1)], deliveries={potter.id: delivery}, address="Calle 1")
    )
    pay(order)
    group = order.groups[0]
    group.status = start
    if (start, target, delivery) in ALLOWED_STEPS:
        lifecycle.set_fulfilment(group, potter.user, target, "tracking 123")
        assert group.status == target
        if target == FulfilmentStatus.COMPLETED:
            assert order.status == OS.FULFILLED
    else:
        with pytest.raises(InvalidTransition):
            lifecycle.set_fulfilment(group, potter.user, target)
        assert group.status == start


def test_only_the_artisan_moves_their_group(db, request_ctx):
    order = ordering.place_order(checkout([(factories.product(), 1)]))
    pay(order)
    with pytest.raises(NotAllowed):
        lifecycle.set_fulfilment(
            order.groups[0], factories.artisan().user, FulfilmentStatus.COMPLETED
        )


def test_unpaid_orders_cannot_be_fulfilled(db, request_ctx):
    product = factories.product()
    order = ordering.place_order(checkout([(product, 1)]))
    with pytest.raises(InvalidTransition):
        lifecycle.set_fulfilment(order.groups[0], product.artisan.user, FulfilmentStatus.COMPLETED)


def test_database_refuses_negative_stock(db):
    from sqlalchemy.exc import IntegrityError

    product = factories.product(stock=1)
    db.session.commit()
    product.stock = -1
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
