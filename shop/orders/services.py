"""Order rules: placing an order reserves stock in the same transaction; payment, expiry,
cancellation and refunds each change stock and money exactly once."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from shop.artisans.models import Artisan
from shop.auth.models import User
from shop.catalog.models import Product, ProductStatus
from shop.core.time import utcnow
from shop.errors import DomainError, InvalidTransition, NotAllowed, ValidationFailed
from shop.extensions import db
from shop.mail import queue_email, render_email
from shop.orders.cart import CartEntry, availability_problem, price
from shop.orders.models import (
    Delivery,
    FulfilmentStatus,
    Order,
    OrderEvent,
    OrderGroup,
    OrderLine,
    OrderStatus,
    Refund,
)

log = logging.getLogger(__name__)
OS = OrderStatus
F = FulfilmentStatus


class OutOfStock(DomainError):
    """Someone else bought the last units first."""


@dataclass
class Contact:
    """Who the order is for."""

    name: str
    email: str
    phone: str = ""


@dataclass
class CheckoutRequest:
    """Everything checkout needs; prices are deliberately absent (the database has them)."""

    entries: list[CartEntry]
    contact: Contact
    deliveries: dict[int, Delivery]  # artisan id -> choice
    checkout_token: str
    address: str = ""
    user_id: int | None = None
    locale: str = "es"


def record_event(order: Order, action: str, actor: User | None = None, detail: str = "") -> None:
    db.session.add(
        OrderEvent(
            order_id=order.id, actor_id=actor.id if actor else None, action=action, detail=detail
        )
    )


def find_by_checkout_token(token: str) -> Order | None:
    """The order a checkout form already created, if any."""
    return db.session.scalar(select(Order).where(Order.checkout_token == token))


def _reserve(product_id: int, quantity: int) -> bool:
    """Take quantity off the stock if (and only if) it is there: one conditional UPDATE."""
    result = db.session.execute(
        update(Product)
        .where(
            Product.id == product_id,
            Product.status == ProductStatus.ACTIVE,
            or_(Product.made_to_order.is_(True), Product.stock >= quantity),
        )
        .values(
            stock=case(
                (Product.made_to_order.is_(True), Product.stock), else_=Product.stock - quantity
            )
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _restock(product_id: int | None, quantity: int) -> None:
    if product_id is None or quantity <= 0:
        return
    db.session.execute(
        update(Product)
        .where(Product.id == product_id, Product.made_to_order.is_(False))
        .values(stock=Product.stock + quantity)
        .execution_options(synchronize_session=False)
    )


def place_order(request: CheckoutRequest, now: datetime | None = None) -> Order:
    """Create the order and reserve its stock atomically; raise OutOfStock or ValidationFailed.

    Stock rows are updated in product-id order, so two carts never wait on each other in
    opposite orders (no deadlock). The caller commits; any exception means roll back.
    """
    now = now or utcnow()
    if find_by_checkout_token(request.checkout_token) is not None:
        raise DuplicateCheckout()
    if not request.entries:
        raise ValidationFailed(str(_l("Your cart is empty.")))
    priced = price(request.entries)
    if priced.dropped:
        raise ValidationFailed(
            str(_l("Some items are no longer for sale; please review your cart."))
        )
    for line in priced.lines:
        if line.problem:
            raise OutOfStock(f"{line.product.title}: {line.problem}")
    currencies = {line.product.currency for line in priced.lines}
    if len(currencies) != 1:
        raise ValidationFailed(str(_l("Items in different currencies cannot be paid together.")))

    order = Order(
        checkout_token=request.checkout_token,
        user_id=request.user_id,
        email=request.contact.email.strip().lower(),
        name=request.contact.name.strip(),
        phone=request.contact.phone.strip(),
        locale=request.locale,
        currency=currencies.pop(),
        hold_expires_at=now + timedelta(minutes=current_app.config["ORDER_HOLD_MINUTES"]),
        status=OS.PENDING_PAYMENT,
    )
    subtotal = shipping = 0
    for group in priced.groups:
        choice = request.deliveries.get(group.artisan.id)
        if choice == Delivery.SHIPPING and not group.can_ship:
            raise ValidationFailed(
                str(_l("%(artisan)s cannot ship these items.", artisan=group.artisan.public_name)),
                field=f"delivery_{group.artisan.id}",
            )
        if choice == Delivery.PICKUP and not group.can_pickup:
            raise ValidationFailed(
                str(
                    _l(
                        "%(artisan)s does not offer pickup for these items.",
                        artisan=group.artisan.public_name,
                    )
                ),
                field=f"delivery_{group.artisan.id}",
            )
        if choice is None:
            raise ValidationFailed(
                str(
                    _l(
                        "Choose how to receive the items from %(artisan)s.",
                        artisan=group.artisan.public_name,
                    )
                ),
                field=f"delivery_{group.artisan.id}",
            )
        group_shipping = group.artisan.shipping_rate_cents if choice == Delivery.SHIPPING else 0
        if choice == Delivery.SHIPPING and not request.address.strip():
            raise ValidationFailed(str(_l("Give the address to ship to.")), field="address")
        order_group = OrderGroup(
            artisan_id=group.artisan.id,
            delivery=choice,
            shipping_cents=group_shipping,
            address=request.address.strip()
            if group_shipping or choice == Delivery.SHIPPING
            else "",
        )
        order.groups.append(order_group)
        for line in group.lines:
            order_line = OrderLine(
                product_id=line.product.id,
                title=line.product.title,
                unit_price_cents=line.product.price_cents,
                quantity=line.quantity,
                total_cents=line.product.price_cents * line.quantity,
            )
            order_group.lines.append(order_line)
            order.lines.append(order_line)
        subtotal += group.subtotal_cents
        shipping += group_shipping
    order.subtotal_cents = subtotal
    order.shipping_cents = shipping
    order.total_cents = subtotal + shipping

    for line in sorted(priced.lines, key=lambda line: line.product.id):
        if not _reserve(line.product.id, line.quantity):
            db.session.expire(line.product)
            fresh = db.session.get(Product, line.product.id)
            problem = availability_problem(fresh, line.quantity) if fresh else None
            raise OutOfStock(f"{line.product.title}: {problem or _l('Sold out.')}")
    db.session.add(order)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise DuplicateCheckout() from None
    for line in priced.lines:
        db.session.expire(line.product, ["stock"])
    record_event(order, "placed", detail=f"total={order.total_cents}")
    log.info(
        "order %s placed: %s lines, total %s", order.reference, len(order.lines), order.total_cents
    )
    return order


class DuplicateCheckout(DomainError):
    """The same checkout form was submitted twice; the first order stands."""


def release(order: Order, reason: str, actor: User | None = None) -> bool:
    """Give back the stock an order holds, exactly once; False when already released."""
    result = db.session.execute(
        update(Order)
        .where(Order.id == order.id, Order.released_at.is_(None))
        .values(released_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    for line in order.lines:
        remaining = line.quantity - line.restocked_quantity
        _restock(line.product_id, remaining)
        line.restocked_quantity = line.quantity
    db.session.refresh(order, ["released_at"])
    record_event(order, "released", actor, reason)
    return True


def _move(order: Order, sources: set[OrderStatus], target: OrderStatus, **values) -> bool:
    """Conditional status change: only one of several racing requests wins."""
    result = db.session.execute(
        update(Order)
        .where(Order.id == order.id, Order.status.in_(sources))
        .values(status=target, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(order)
    return result.rowcount == 1


def cancel_unpaid(order: Order, actor: User | None, reason: str) -> Order:
    """Cancel an order that was not paid, and release what it held."""
    if not _move(order, {OS.PENDING_PAYMENT}, OS.CANCELLED, cancelled_at=utcnow()):
        raise InvalidTransition(str(_l("Only unpaid orders can be cancelled this way.")))
    for group in order.groups:
        group.status = F.CANCELLED
    release(order, reason, actor)
    record_event(order, "cancelled", actor, reason)
    return order


def expire_orders(now: datetime | None = None) -> int:
    """Cancel unpaid orders past their hold and release their stock (idempotent)."""
    now = now or utcnow()
    ids = list(
        db.session.scalars(
            select(Order.id).where(Order.status == OS.PENDING_PAYMENT, Order.hold_expires_at < now)
        )
    )
    expired = 0
    for order_id in ids:
        order = db.session.get(Order, order_id)
        try:
            with db.session.begin_nested():
                cancel_unpaid(order, None, "hold expired")
        except InvalidTransition:
            continue  # paid or cancelled meanwhile by another process
        expired += 1
    return expired


def mark_paid(order: Order, amount_cents: int, currency: str) -> str:
    """The gateway confirmed a payment: move the order to paid once; say what happened.

    Returns "paid", "already_paid", "mismatch" (flagged, not fulfilled) or "late" (the order
    was no longer waiting: flagged for an admin to refund or honour).
    """
    if amount_cents != order.total_cents or currency.upper() != order.currency:
        order.needs_review = True
        order.review_reason = (
            f"payment of {amount_cents} {currency} does not match the "
            f"order total {order.total_cents} {order.currency}"
        )
        record_event(order, "payment_mismatch", detail=order.review_reason)
        return "mismatch"
    if _move(order, {OS.PENDING_PAYMENT}, OS.PAID, paid_at=utcnow(), paid_cents=amount_cents):
        record_event(order, "paid", detail=f"{amount_cents} {currency}")
        _notify_paid(order)
        return "paid"
    if (
        order.status in (OS.PAID, OS.FULFILLED, OS.PARTIALLY_REFUNDED, OS.REFUNDED)
        and order.paid_cents == amount_cents
    ):
        return "already_paid"
    order.needs_review = True
    order.review_reason = (
        f"payment of {amount_cents} {currency} arrived while the order "
        f"was {order.status}: refund it or honour it"
    )
    record_event(order, "late_payment", detail=order.review_reason)
    log.warning("order %s: %s", order.reference, order.review_reason)
    return "late"


def _notify_paid(order: Order) -> None:
    queue_email(
        db.session, render_email(order.email, "order_paid", locale=order.locale, order=order)
    )
    for group in order.groups:
        owner = group.artisan.user
        queue_email(
            db.session,
            render_email(
                owner.email, "artisan_new_order", locale=owner.locale, order=order, group=group
            ),
        )


FULFILMENT_STEPS: dict[FulfilmentStatus, set[FulfilmentStatus]] = {
    F.NEW: {F.READY_FOR_PICKUP, F.SHIPPED, F.COMPLETED},
    F.READY_FOR_PICKUP: {F.COMPLETED},
    F.SHIPPED: {F.COMPLETED},
    F.COMPLETED: set(),
    F.CANCELLED: set(),
}


def set_fulfilment(
    group: OrderGroup, actor: User, target: FulfilmentStatus, note: str = ""
) -> OrderGroup:
    """An artisan moves their part of a paid order forward; the customer is told."""
    if group.artisan.user_id != actor.id and not actor.is_admin:
        raise NotAllowed()
    if group.order.status not in (OS.PAID, OS.PARTIALLY_REFUNDED):
        raise InvalidTransition(str(_l("Only paid orders can be prepared.")))
    if target not in FULFILMENT_STEPS[group.status]:
        raise InvalidTransition()
    if target == F.READY_FOR_PICKUP and group.delivery != Delivery.PICKUP:
        raise InvalidTransition()
    if target == F.SHIPPED and group.delivery != Delivery.SHIPPING:
        raise InvalidTransition()
    group.status = target
    if note:
        group.tracking_note = note.strip()[:300]
    order = group.order
    record_event(order, f"fulfilment_{target}", actor, group.tracking_note)
    if all(g.status in (F.COMPLETED, F.CANCELLED) for g in order.groups):
        _move(order, {OS.PAID}, OS.FULFILLED)
    queue_email(
        db.session,
        render_email(order.email, "order_status", locale=order.locale, order=order, group=group),
    )
    return group


def refund(
    order: Order,
    actor: User,
    amount_cents: int,
    *,
    line: OrderLine | None = None,
    restock_quantity: int = 0,
    reason: str = "",
) -> Refund:
    """Give money back through the gateway: never more than was paid (or than the line cost).

    Admins may refund anything; an artisan only lines of their own group.
    """
    from shop.payments.gateway import get_gateway

    if not actor.is_admin and (line is None or line.group.artisan.user_id != actor.id):
        raise NotAllowed()
    if line is not None and line.order_id != order.id:
        raise NotAllowed()
    if order.status not in (OS.PAID, OS.FULFILLED, OS.PARTIALLY_REFUNDED):
        raise InvalidTransition(str(_l("Only paid orders can be refunded.")))
    if amount_cents <= 0:
        raise ValidationFailed(str(_l("Enter an amount above zero.")), field="amount")
    # Lock the order row so two refunds cannot both pass the limit check.
    db.session.execute(select(Order.id).where(Order.id == order.id).with_for_update())
    db.session.refresh(order)
    if amount_cents > order.refundable_cents:
        raise ValidationFailed(
            str(
                _l(
                    "At most %(amount)s can still be refunded.",
                    amount=_money(order.refundable_cents, order.currency),
                )
            ),
            field="amount",
        )
    if line is not None:
        db.session.refresh(line)
        if amount_cents > line.total_cents - line.refunded_cents:
            raise ValidationFailed(
                str(
                    _l(
                        "At most %(amount)s can still be refunded for this item.",
                        amount=_money(line.total_cents - line.refunded_cents, order.currency),
                    )
                ),
                field="amount",
            )
        if not 0 <= restock_quantity <= line.quantity - line.restocked_quantity:
            raise ValidationFailed(str(_l("Cannot restock more than was sold.")), field="restock")
    payment = next((p for p in order.payments if p.status == "succeeded"), None)
    gateway_ref = get_gateway().refund(payment, amount_cents, reason) if payment else None
    record = Refund(
        order_id=order.id,
        line_id=line.id if line else None,
        payment_id=payment.id if payment else None,
        amount_cents=amount_cents,
        reason=reason.strip()[:300],
        gateway_ref=gateway_ref,
        actor_id=actor.id,
    )
    db.session.add(record)
    order.refunded_cents += amount_cents
    if line is not None:
        line.refunded_cents += amount_cents
        if restock_quantity:
            _restock(line.product_id, restock_quantity)
            line.restocked_quantity += restock_quantity
    order.status = (
        OS.REFUNDED if order.refunded_cents == order.paid_cents else OS.PARTIALLY_REFUNDED
    )
    record_event(order, "refund", actor, f"{amount_cents} {reason}".strip())
    db.session.flush()
    queue_email(
        db.session,
        render_email(
            order.email, "order_refund", locale=order.locale, order=order, amount_cents=amount_cents
        ),
    )
    return record


def _money(cents: int, currency: str) -> str:
    from flask_babel import get_locale

    from shop.core.money import format_money

    return format_money(cents, currency, str(get_locale()))


def orders_for_artisan(artisan: Artisan):
    """A select() of the order groups of one artisan, newest first, paid or later."""
    return (
        select(OrderGroup)
        .join(OrderGroup.order)
        .where(
            OrderGroup.artisan_id == artisan.id,
            Order.status != OS.PENDING_PAYMENT,
            Order.status != OS.CANCELLED,
        )
        .options(selectinload(OrderGroup.lines), selectinload(OrderGroup.order))
        .order_by(Order.created_at.desc())
    )


ORDER_STATUS_LABELS = {
    OS.PENDING_PAYMENT: _l("waiting for payment"),
    OS.PAID: _l("paid"),
    OS.FULFILLED: _l("completed"),
    OS.CANCELLED: _l("cancelled"),
    OS.REFUNDED: _l("refunded"),
    OS.PARTIALLY_REFUNDED: _l("partly refunded"),
}
FULFILMENT_LABELS = {
    F.NEW: _l("new"),
    F.READY_FOR_PICKUP: _l("ready for pickup"),
    F.SHIPPED: _l("shipped"),
    F.COMPLETED: _l("completed"),
    F.CANCELLED: _l("cancelled"),
}


def order_status_label(status: OrderStatus) -> str:
    """Words for an order status in the current language."""
    return str(ORDER_STATUS_LABELS[status])


def fulfilment_label(status: FulfilmentStatus) -> str:
    """Words for a fulfilment step in the current language."""
    return str(FULFILMENT_LABELS[status])
