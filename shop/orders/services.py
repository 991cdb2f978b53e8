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
from shop.classes.models import WaitlistEntry
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


def _reserve_seats(session_id: int, quantity: int, now: datetime, held: int = 0) -> bool:
    """Take seats if (and only if) they are free and the session is still ahead.

    `held` seats were held for this buyer by a waitlist offer: they turn into taken seats.
    """
    from shop.classes.models import ClassSession, SessionStatus

    result = db.session.execute(
        update(ClassSession)
        .where(
            ClassSession.id == session_id,
            ClassSession.status == SessionStatus.SCHEDULED,
            ClassSession.starts_at > now,
            ClassSession.seats_held >= held,
            ClassSession.seats_taken + ClassSession.seats_held - held + quantity
            <= ClassSession.capacity,
        )
        .values(
            seats_taken=ClassSession.seats_taken + quantity,
            seats_held=ClassSession.seats_held - held,
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _free_seats(session_id: int | None, quantity: int) -> None:
    """Give seats back; people on the session's waitlist get the first claim on them."""
    from shop.classes.models import ClassSession
    from shop.classes.waitlist import offer_free_seats

    if session_id is None or quantity <= 0:
        return
    db.session.execute(
        update(ClassSession)
        .where(ClassSession.id == session_id)
        .values(seats_taken=ClassSession.seats_taken - quantity)
        .execution_options(synchronize_session=False)
    )
    offer_free_seats(session_id)


def _line_title(line) -> str:
    if line.session is None:
        return line.title
    start = line.session.local_start()
    return f"{line.title} · {start:%Y-%m-%d %H:%M} ({line.session.class_.timezone})"


def place_order(
    request: CheckoutRequest, now: datetime | None = None, offer: WaitlistEntry | None = None
) -> Order:
    """Create the order and reserve its stock and seats atomically.

    Raises OutOfStock (someone was faster), DuplicateCheckout (same form twice) or
    ValidationFailed. Rows are locked in the shop's one order (class sessions by id, then
    products by id; see classes.services.lock_sessions), so two carts never wait on each
    other in opposite orders (no deadlock). With a waitlist `offer`, its held seats are
    claimed (OfferExpired once it has ended) and become this order's. The caller commits;
    any exception means roll back.
    """
    from shop.classes.services import lock_sessions
    from shop.classes.waitlist import claim

    now = now or utcnow()
    if find_by_checkout_token(request.checkout_token) is not None:
        raise DuplicateCheckout()
    if not request.entries:
        raise ValidationFailed(str(_l("Your cart is empty.")))
    seat_sessions = [entry.item_id for entry in request.entries if entry.kind == "seat"]
    if seat_sessions:
        lock_sessions(seat_sessions)
        if find_by_checkout_token(request.checkout_token) is not None:
            raise DuplicateCheckout()  # a twin submit got the seats while this one waited
    held: dict[int, int] = {}
    if offer is not None:
        claim(offer, now)
        held[offer.session_id] = offer.quantity
    priced = price(request.entries, held)
    if priced.dropped:
        raise ValidationFailed(
            str(_l("Some items are no longer for sale; please review your cart."))
        )
    for line in priced.lines:
        if line.problem:
            raise OutOfStock(f"{line.title}: {line.problem}")
    currencies = {line.currency for line in priced.lines}
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
    shipping = 0
    for group in priced.groups:
        choice = _delivery_for(group, request)
        group_shipping = group.artisan.shipping_rate_cents if choice == Delivery.SHIPPING else 0
        order_group = OrderGroup(
            artisan_id=group.artisan.id,
            delivery=choice,
            shipping_cents=group_shipping,
            address=request.address.strip() if choice == Delivery.SHIPPING else "",
        )
        order.groups.append(order_group)
        for line in group.lines:
            order_line = OrderLine(
                kind=line.kind,
                product_id=line.product.id if line.product else None,
                session_id=line.session.id if line.session else None,
                attendee_names="\n".join(line.attendees),
                title=_line_title(line),
                unit_price_cents=line.unit_price_cents,
                quantity=line.quantity,
                total_cents=line.total_cents,
            )
            order_group.lines.append(order_line)
            order.lines.append(order_line)
        shipping += group_shipping
    order.subtotal_cents = priced.subtotal_cents
    order.shipping_cents = shipping
    order.total_cents = priced.subtotal_cents + shipping

    for line in sorted((ln for ln in priced.lines if ln.product), key=lambda ln: ln.product.id):
        if not _reserve(line.product.id, line.quantity):
            db.session.expire(line.product)
            fresh = db.session.get(Product, line.product.id)
            problem = availability_problem(fresh, line.quantity) if fresh else None
            raise OutOfStock(f"{line.title}: {problem or _l('Sold out.')}")
    for line in sorted((ln for ln in priced.lines if ln.session), key=lambda ln: ln.session.id):
        if not _reserve_seats(line.session.id, line.quantity, now, held.get(line.session.id, 0)):
            raise OutOfStock(f"{line.title}: {_l('This session is full.')}")
    db.session.add(order)
    try:
        db.session.flush()
    except IntegrityError:  # the checkout token is unique: a racing twin submit lost
        raise DuplicateCheckout() from None
    if offer is not None:
        offer.order_id = order.id
    for line in priced.lines:
        db.session.expire(line.item)
    record_event(order, "placed", detail=f"total={order.total_cents}")
    log.info(
        "order %s placed: %s lines, total %s", order.reference, len(order.lines), order.total_cents
    )
    return order


def _delivery_for(group, request: CheckoutRequest) -> Delivery:
    """The artisan's delivery choice, checked; seat-only groups are attended in person."""
    if not group.needs_delivery:
        return Delivery.PICKUP
    choice = request.deliveries.get(group.artisan.id)
    field = f"delivery_{group.artisan.id}"
    name = group.artisan.public_name
    if choice is None:
        raise ValidationFailed(
            str(_l("Choose how to receive the items from %(artisan)s.", artisan=name)), field=field
        )
    if choice == Delivery.SHIPPING and not group.can_ship:
        raise ValidationFailed(
            str(_l("%(artisan)s cannot ship these items.", artisan=name)), field=field
        )
    if choice == Delivery.PICKUP and not group.can_pickup:
        raise ValidationFailed(
            str(_l("%(artisan)s does not offer pickup for these items.", artisan=name)), field=field
        )
    if choice == Delivery.SHIPPING and not request.address.strip():
        raise ValidationFailed(str(_l("Give the address to ship to.")), field="address")
    return choice


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
    # Products by id (the caller holds the sessions already): the order place_order uses.
    for line in sorted(
        order.lines, key=lambda ln: (ln.is_seat, ln.product_id or ln.session_id or 0)
    ):
        _release_line(line)
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
    from shop.classes.services import lock_sessions

    lock_sessions(line.session_id for line in order.lines)  # sessions before the order
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
        try:  # the conditional status update writes nothing when it refuses
            cancel_unpaid(order, None, "hold expired")
        except InvalidTransition:
            continue  # paid or cancelled meanwhile by another process
        expired += 1
    return expired


def mark_paid(
    order: Order, amount_cents: int, currency: str, payment_ref: str | None = None
) -> str:
    """The gateway confirmed a payment: move the order to paid once; say what happened.

    Returns "paid", "already_paid", "mismatch" (flagged, not fulfilled), "second_payment"
    (another payment had paid the order: flagged for an admin to refund this one) or "late"
    (the order was no longer waiting: flagged for an admin to refund or honour).

    payment_ref is the gateway reference of a payment confirmed for the first time, as
    confirm_payment passes it. Such a payment is never the one that paid the order, so an
    order already paid means the customer was charged twice, whatever the amounts. Without
    it, a call for an order already paid this amount repeats that payment: "already_paid".
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
        _end_waitlist_places(order)
        return "paid"
    if order.status in (OS.PAID, OS.FULFILLED, OS.PARTIALLY_REFUNDED, OS.REFUNDED):
        if payment_ref is None and order.paid_cents == amount_cents:
            return "already_paid"
        order.needs_review = True
        order.review_reason = (
            f"second payment {payment_ref or '(no reference)'} of {amount_cents} {currency} "
            f"arrived for an order already {order.status} (another payment paid "
            f"{order.paid_cents} {order.currency}): refund this one"
        )
        record_event(order, "second_payment", detail=order.review_reason)
        log.warning("order %s: %s", order.reference, order.review_reason)
        return "second_payment"
    order.needs_review = True
    order.review_reason = (
        f"payment of {amount_cents} {currency} arrived while the order "
        f"was {order.status}: refund it or honour it"
    )
    record_event(order, "late_payment", detail=order.review_reason)
    log.warning("order %s: %s", order.reference, order.review_reason)
    return "late"


def _end_waitlist_places(order: Order) -> None:
    """Whoever booked a session no longer waits for it (no seat is later held for them)."""
    from shop.classes.waitlist import leave_when_booked

    sessions = [line.session_id for line in order.lines if line.session_id is not None]
    leave_when_booked(order.email, sessions, order.user_id)


def _notify_paid(order: Order) -> None:
    calendars = [booking_ics_attachment(line) for line in order.lines if line.is_seat]
    queue_email(
        db.session,
        render_email(
            order.email, "order_paid", locale=order.locale, order=order, attachments=calendars
        ),
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
    if not actor.is_admin and (line is None or line.group.artisan.user_id != actor.id):
        raise NotAllowed()
    return _give_back(
        order, actor, amount_cents, line=line, restock_quantity=restock_quantity, reason=reason
    )


def _give_back(
    order: Order,
    actor: User | None,
    amount_cents: int,
    *,
    line: OrderLine | None = None,
    restock_quantity: int = 0,
    reason: str = "",
) -> Refund:
    """Refund through the gateway within every limit; permission is the caller's job."""
    from shop.payments.gateway import get_gateway

    if line is not None and line.order_id != order.id:
        raise NotAllowed()
    if order.status not in (OS.PAID, OS.FULFILLED, OS.PARTIALLY_REFUNDED):
        raise InvalidTransition(str(_l("Only paid orders can be refunded.")))
    if amount_cents <= 0:
        raise ValidationFailed(str(_l("Enter an amount above zero.")), field="amount")
    if line is None and restock_quantity:  # never drop a restock silently
        raise ValidationFailed(
            str(_l("Choose the item whose units go back into stock.")), field="restock"
        )
    if line is not None and line.is_seat:  # seats may go back: the session before the order
        from shop.classes.services import lock_sessions

        lock_sessions([line.session_id])
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
        actor_id=actor.id if actor else None,
    )
    db.session.add(record)
    order.refunded_cents += amount_cents
    if line is not None:
        line.refunded_cents += amount_cents
        if restock_quantity:
            if line.is_seat:
                _free_seats(line.session_id, restock_quantity)
            else:
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


PAID_STATES = (OS.PAID, OS.FULFILLED, OS.PARTIALLY_REFUNDED)


def booking_refund_cents(line: OrderLine, now: datetime | None = None) -> int:
    """What cancelling this booking now gives back, by the class's policy (integer cents)."""
    from shop.classes.policy import refund_cents

    session = line.session
    return refund_cents(
        session.class_.cancellation_policy,
        line.total_cents - line.refunded_cents,
        session.starts_at,
        now or utcnow(),
    )


def cancel_booking(line: OrderLine, now: datetime | None = None, actor: User | None = None) -> int:
    """The customer cancels their seats: seats go back, the policy's refund is sent.

    The caller has checked that the customer may act on this order. Returns the refund.
    """
    from shop.classes.services import lock_sessions

    now = now or utcnow()
    if not line.is_seat or line.session is None:
        raise InvalidTransition()
    lock_sessions([line.session_id])  # a double click waits here, then sees it cancelled
    db.session.refresh(line)
    if line.cancelled_at is not None:
        raise InvalidTransition(str(_l("This booking is already cancelled.")))
    if line.order.status not in PAID_STATES:
        raise InvalidTransition(str(_l("Only paid bookings can be cancelled here.")))
    if line.session.starts_at <= now:
        raise InvalidTransition(str(_l("The class has already started.")))
    amount = booking_refund_cents(line, now)
    _release_line(line)
    line.cancelled_at = now
    record_event(line.order, "booking_cancelled", actor, f"line={line.id} refund={amount}")
    if amount > 0:
        _give_back(line.order, actor, amount, line=line, reason="booking cancelled")
    return amount


def _release_line(line: OrderLine) -> None:
    """Give back what one line still holds (seats or stock), once."""
    remaining = line.quantity - line.restocked_quantity
    if remaining <= 0:
        return
    if line.is_seat:
        _free_seats(line.session_id, remaining)
    else:
        _restock(line.product_id, remaining)
    line.restocked_quantity = line.quantity


def sessions_sharing_orders_with(session_id: int) -> set[int]:
    """The session and every other session booked in the same paid or unpaid orders: what
    cancelling it may touch, so all of them can be locked first, in order."""
    orders_with_it = select(OrderLine.order_id).where(OrderLine.session_id == session_id)
    others = db.session.scalars(
        select(OrderLine.session_id)
        .join(OrderLine.order)
        .where(
            OrderLine.order_id.in_(orders_with_it),
            OrderLine.session_id.is_not(None),
            Order.status.in_((*PAID_STATES, OS.PENDING_PAYMENT)),
        )
        .distinct()
    )
    return {session_id, *others}


def cancel_session_bookings(session) -> int:
    """The artisan cancelled a session: every paid booking is refunded in full and told."""
    lines = db.session.scalars(
        select(OrderLine)
        .join(OrderLine.order)
        .where(
            OrderLine.session_id == session.id,
            OrderLine.cancelled_at.is_(None),
            Order.status.in_(PAID_STATES),
        )
    ).all()
    for line in lines:
        amount = line.total_cents - line.refunded_cents
        _release_line(line)
        line.cancelled_at = utcnow()
        if amount > 0:
            _give_back(line.order, None, amount, line=line, reason="session cancelled")
        queue_email(
            db.session,
            render_email(
                line.order.email,
                "session_cancelled",
                locale=line.order.locale,
                line=line,
                session=session,
                amount_cents=amount,
            ),
        )
    unpaid = (
        db.session.scalars(
            select(Order)
            .join(Order.lines)
            .where(OrderLine.session_id == session.id, Order.status == OS.PENDING_PAYMENT)
        )
        .unique()
        .all()
    )
    for order in unpaid:
        cancel_unpaid(order, None, "the class session was cancelled")
    return len(lines)


def bookings_for_session(session_id: int) -> list[OrderLine]:
    """Paid, not cancelled bookings of a session, for the artisan's roster."""
    return list(
        db.session.scalars(
            select(OrderLine)
            .join(OrderLine.order)
            .where(
                OrderLine.session_id == session_id,
                OrderLine.cancelled_at.is_(None),
                Order.status.in_(PAID_STATES),
            )
            .options(selectinload(OrderLine.order))
            .order_by(OrderLine.id)
        )
    )


def send_reminders(now: datetime | None = None, within: timedelta = timedelta(hours=24)) -> int:
    """E-mail attendees of sessions starting soon, once per booking (safe to run again)."""
    from shop.classes.models import ClassSession, SessionStatus

    now = now or utcnow()
    candidates = db.session.scalars(
        select(OrderLine)
        .join(OrderLine.order)
        .join(OrderLine.session)
        .where(
            OrderLine.reminder_sent_at.is_(None),
            OrderLine.cancelled_at.is_(None),
            Order.status.in_(PAID_STATES),
            ClassSession.status == SessionStatus.SCHEDULED,
            ClassSession.starts_at > now,
            ClassSession.starts_at <= now + within,
        )
    ).all()
    sent = 0
    for line in candidates:
        claimed = db.session.execute(  # several cron hosts: only one claims each booking
            update(OrderLine)
            .where(OrderLine.id == line.id, OrderLine.reminder_sent_at.is_(None))
            .values(reminder_sent_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed:
            queue_email(
                db.session,
                render_email(
                    line.order.email,
                    "booking_reminder",
                    locale=line.order.locale,
                    line=line,
                    session=line.session,
                    attachments=[booking_ics_attachment(line)],
                ),
            )
            sent += 1
    return sent


def booking_ics(line: OrderLine) -> bytes:
    """The calendar file of a booking (with the exact address: the customer booked)."""
    from shop.classes.ics import session_ics

    return session_ics(
        line.session,
        include_address=True,
        attendee_count=line.quantity,
        uid=f"booking-{line.id}@taller",
    )


def booking_ics_attachment(line: OrderLine):
    """The .ics file as an e-mail attachment."""
    from shop.mail import Attachment

    return Attachment(
        f"taller-{line.order.reference}-{line.id}.ics", booking_ics(line), "text/calendar"
    )
