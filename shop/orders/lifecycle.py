"""An order's life after checkout: release exactly once, expiry, cancellation, payment,
fulfilment; its audit trail and the confirmation e-mails."""

from __future__ import annotations

import logging
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from shop.artisans.models import Artisan
from shop.auth.models import User
from shop.classes.ics import session_ics
from shop.core.errors import InvalidTransition, NotAllowed
from shop.core.signals import fulfilment_changed, order_paid
from shop.core.states import LabelledEnum, StateMachine
from shop.core.time import utcnow
from shop.extensions import db
from shop.inventory import services as inventory
from shop.mail import Attachment, email_after_commit
from shop.orders.models import (
    Delivery,
    FulfilmentStatus,
    Order,
    OrderEvent,
    OrderGroup,
    OrderLine,
    OrderStatus,
)
from shop.waitlist import services as waitlist

log = logging.getLogger(__name__)

OS = OrderStatus
F = FulfilmentStatus

REFUNDABLE = {OS.PAID, OS.FULFILLED, OS.PARTIALLY_REFUNDED}
ORDER_STATES = StateMachine(
    Order,
    {
        "pay": ({OS.PENDING_PAYMENT}, OS.PAID),
        "cancel": ({OS.PENDING_PAYMENT}, OS.CANCELLED),
        "fulfil": ({OS.PAID}, OS.FULFILLED),
        "refund_part": (REFUNDABLE, OS.PARTIALLY_REFUNDED),
        "refund_all": (REFUNDABLE, OS.REFUNDED),
    },
)
# An artisan's part of an order; "cancel" is the whole unpaid order's cancellation.
GROUP_STATES = StateMachine(
    OrderGroup,
    {
        "ready": ({F.NEW}, F.READY_FOR_PICKUP),
        "ship": ({F.NEW}, F.SHIPPED),
        "complete": ({F.NEW, F.READY_FOR_PICKUP, F.SHIPPED}, F.COMPLETED),
        "cancel": ({F.NEW}, F.CANCELLED),
    },
)
FULFIL_ACTIONS = {F.READY_FOR_PICKUP: "ready", F.SHIPPED: "ship", F.COMPLETED: "complete"}


class PaymentOutcome(LabelledEnum):
    """What a confirmed payment did to its order."""

    PAID = "paid"
    ALREADY_PAID = "already_paid"  # the same payment reported again: nothing to do
    MISMATCH = "mismatch"  # amount or currency differ: flagged, not fulfilled
    SECOND_PAYMENT = "second_payment"  # another payment had paid it: flagged for a refund
    LATE = "late"  # the order was no longer waiting: flagged to refund or honour


def record_event(order: Order, action: str, actor: User | None = None, detail: str = "") -> None:
    db.session.add(
        OrderEvent(
            order_id=order.id, actor_id=actor.id if actor else None, action=action, detail=detail
        )
    )


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
        release_line(line)
    db.session.refresh(order, ["released_at"])
    record_event(order, "released", actor, reason)
    return True


def release_line(line: OrderLine) -> None:
    """Give back what one line still holds (seats or stock), once."""
    remaining = line.quantity - line.restocked_quantity
    if remaining <= 0:
        return
    if line.is_seat:
        inventory.free_seats(line.session_id, remaining)
    else:
        inventory.restock(line.product_id, remaining)
    line.restocked_quantity = line.quantity


def cancel_unpaid(order: Order, actor: User | None, reason: str) -> Order:
    """Cancel an order that was not paid, and release what it held."""
    inventory.lock_sessions(line.session_id for line in order.lines)  # sessions before the order
    message = str(_l("Only unpaid orders can be cancelled this way."))
    ORDER_STATES.require(order, "cancel", message=message, cancelled_at=utcnow())
    for group in order.groups:
        GROUP_STATES.move(group, "cancel")
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
) -> PaymentOutcome:
    """The gateway confirmed a payment: move the order to paid once; say what happened.

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
        return PaymentOutcome.MISMATCH
    if ORDER_STATES.move(order, "pay", paid_at=utcnow(), paid_cents=amount_cents):
        record_event(order, "paid", detail=f"{amount_cents} {currency}")
        order_paid.send(order)
        _notify_paid(order)
        _end_waitlist_places(order)
        return PaymentOutcome.PAID
    if order.status in (OS.PAID, OS.FULFILLED, OS.PARTIALLY_REFUNDED, OS.REFUNDED):
        if payment_ref is None and order.paid_cents == amount_cents:
            return PaymentOutcome.ALREADY_PAID
        order.needs_review = True
        order.review_reason = (
            f"second payment {payment_ref or '(no reference)'} of {amount_cents} {currency} "
            f"arrived for an order already {order.status} (another payment paid "
            f"{order.paid_cents} {order.currency}): refund this one"
        )
        record_event(order, "second_payment", detail=order.review_reason)
        log.warning("order %s: %s", order.reference, order.review_reason)
        return PaymentOutcome.SECOND_PAYMENT
    order.needs_review = True
    order.review_reason = (
        f"payment of {amount_cents} {currency} arrived while the order "
        f"was {order.status}: refund it or honour it"
    )
    record_event(order, "late_payment", detail=order.review_reason)
    log.warning("order %s: %s", order.reference, order.review_reason)
    return PaymentOutcome.LATE


def _end_waitlist_places(order: Order) -> None:
    """Whoever booked a session no longer waits for it (no seat is later held for them)."""
    sessions = [line.session_id for line in order.lines if line.session_id is not None]
    waitlist.leave_when_booked(order.email, sessions, order.user_id)


def _notify_paid(order: Order) -> None:
    calendars = [booking_ics_attachment(line) for line in order.lines if line.is_seat]
    email_after_commit(
        order.email, "order_paid", locale=order.locale, order=order, attachments=calendars
    )
    for group in order.groups:
        owner = group.artisan.user
        email_after_commit(
            owner.email, "artisan_new_order", locale=owner.locale, order=order, group=group
        )


def next_fulfilment_steps(group: OrderGroup) -> list[FulfilmentStatus]:
    """The statuses an artisan can move their part to now: only those that fit its delivery
    (no "ready for pickup" on a shipped order), in the order they happen."""
    fits = {F.READY_FOR_PICKUP: Delivery.PICKUP, F.SHIPPED: Delivery.SHIPPING}
    return [
        target
        for target, action in FULFIL_ACTIONS.items()
        if GROUP_STATES.allowed(group, action)
        and fits.get(target, group.delivery) == group.delivery
    ]


def set_fulfilment(
    group: OrderGroup, actor: User, target: FulfilmentStatus, note: str = ""
) -> OrderGroup:
    """An artisan moves their part of a paid order forward; the customer is told."""
    if group.artisan.user_id != actor.id and not actor.is_admin:
        raise NotAllowed()
    if group.order.status not in (OS.PAID, OS.PARTIALLY_REFUNDED):
        raise InvalidTransition(str(_l("Only paid orders can be prepared.")))
    if target not in next_fulfilment_steps(group):  # the state machine and the delivery agree
        raise InvalidTransition()
    values = {"tracking_note": note.strip()[:300]} if note else {}
    if target == F.COMPLETED:
        values["completed_at"] = utcnow()
    GROUP_STATES.require(group, FULFIL_ACTIONS[target], **values)
    fulfilment_changed.send(group, status=target)
    order = group.order
    record_event(order, f"fulfilment_{target}", actor, group.tracking_note)
    if all(g.status in (F.COMPLETED, F.CANCELLED) for g in order.groups):
        ORDER_STATES.move(order, "fulfil")
    email_after_commit(order.email, "order_status", locale=order.locale, order=order, group=group)
    return group


def cancel_group_if_nothing_left(group: OrderGroup) -> bool:
    """An artisan's part whose every line was cancelled (seats given back) is cancelled, not
    left "new" with nothing to prepare; say whether it moved."""
    if group.lines and all(line.cancelled_at is not None for line in group.lines):
        return GROUP_STATES.move(group, "cancel")
    return False


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


PAID_STATES = (OS.PAID, OS.FULFILLED, OS.PARTIALLY_REFUNDED)


def booking_ics(line: OrderLine) -> bytes:
    """The calendar file of a booking (with the exact address: the customer booked)."""
    return session_ics(
        line.session,
        include_address=True,
        attendee_count=line.quantity,
        uid=f"booking-{line.id}@taller",
    )


def booking_ics_attachment(line: OrderLine):
    """The .ics file as an e-mail attachment."""
    return Attachment(
        f"taller-{line.order.reference}-{line.id}.ics", booking_ics(line), "text/calendar"
    )


def order_for_viewer(token: str, viewer) -> Order | None:
    """The order behind a private link, if this viewer may see it: a guest order needs only
    the link; an account's order also needs that account (or an admin)."""
    order = db.session.scalar(
        select(Order)
        .where(Order.access_token == token)
        .options(
            selectinload(Order.groups).selectinload(OrderGroup.lines),
            selectinload(Order.groups).selectinload(OrderGroup.artisan),
        )
    )
    if order is None or order.user_id is None:
        return order
    if not viewer.is_authenticated or (viewer.id != order.user_id and not viewer.is_admin):
        return None
    return order


def count_to_prepare(artisan_id: int) -> int:
    """How many paid order parts of an artisan still wait for them (not completed)."""
    return db.session.scalar(
        select(func.count(OrderGroup.id))
        .join(OrderGroup.order)
        .where(
            OrderGroup.artisan_id == artisan_id,
            Order.status.in_((OS.PAID, OS.PARTIALLY_REFUNDED)),
            OrderGroup.status.in_((F.NEW, F.READY_FOR_PICKUP, F.SHIPPED)),
        )
    )
