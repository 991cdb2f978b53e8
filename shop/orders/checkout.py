"""Checkout: placing an order prices the cart from the database and reserves its stock and
seats in the same transaction."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shop.catalog.models import Product
from shop.classes.models import WaitlistEntry
from shop.core.dates import format_when
from shop.core.errors import DomainError, ValidationFailed
from shop.core.settings import ORDER_HOLD_MINUTES
from shop.core.time import utcnow
from shop.extensions import db
from shop.inventory import services as inventory
from shop.orders.cart import CartEntry, availability_problem, price
from shop.orders.lifecycle import record_event
from shop.orders.models import Delivery, Order, OrderGroup, OrderLine, OrderStatus
from shop.waitlist import services as waitlist

log = logging.getLogger(__name__)
OS = OrderStatus


class OutOfStock(DomainError):
    """Someone else bought the last units first."""


class DuplicateCheckout(DomainError):
    """The same checkout form was submitted twice; the first order stands."""


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


def find_by_checkout_token(token: str) -> Order | None:
    """The order a checkout form already created, if any."""
    return db.session.scalar(select(Order).where(Order.checkout_token == token))


def _line_title(line) -> str:
    if line.session is None:
        return line.title
    # Copied into the order in the buyer's language: "… · vie 11 dic 2026, 10:00 (hora de Ecuador)".
    return f"{line.title} · {format_when(line.session.starts_at, line.session.class_.timezone)}"


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

    now = now or utcnow()
    if find_by_checkout_token(request.checkout_token) is not None:
        raise DuplicateCheckout()
    if not request.entries:
        raise ValidationFailed(str(_l("Your cart is empty.")))
    seat_sessions = [entry.item_id for entry in request.entries if entry.kind == "seat"]
    if seat_sessions:
        inventory.lock_sessions(seat_sessions)
        if find_by_checkout_token(request.checkout_token) is not None:
            raise DuplicateCheckout()  # a twin submit got the seats while this one waited
    held: dict[int, int] = {}
    if offer is not None:
        waitlist.claim(offer, now)
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
        hold_expires_at=now + timedelta(minutes=ORDER_HOLD_MINUTES.get()),
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
        if not inventory.reserve_stock(line.product.id, line.quantity):
            db.session.expire(line.product)
            fresh = db.session.get(Product, line.product.id)
            problem = availability_problem(fresh, line.quantity) if fresh else None
            raise OutOfStock(f"{line.title}: {problem or _l('Sold out.')}")
    for line in sorted((ln for ln in priced.lines if ln.session), key=lambda ln: ln.session.id):
        if not inventory.reserve_seats(
            line.session.id, line.quantity, now, held.get(line.session.id, 0)
        ):
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


def book_offer(
    entry: WaitlistEntry,
    contact,
    *,
    checkout_token: str,
    user_id: int | None = None,
    locale: str = "es",
    now: datetime | None = None,
):
    """Order the seats a waitlist offer holds (the order's own payment hold then applies)."""
    request = CheckoutRequest(
        entries=[CartEntry("seat", entry.session_id, entry.quantity, tuple(entry.attendees))],
        contact=contact,
        deliveries={},
        checkout_token=checkout_token,
        user_id=user_id,
        locale=locale,
    )
    return place_order(request, now=now, offer=entry)
