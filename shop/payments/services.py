"""Payment attempts and their confirmation: the one path that marks an order paid."""

from __future__ import annotations

import logging

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from shop.core.errors import InvalidTransition
from shop.core.signals import transfer_event
from shop.core.time import utcnow
from shop.extensions import db
from shop.orders import lifecycle
from shop.orders.models import Order, OrderStatus
from shop.payments.gateways import PaymentStart, get_gateway
from shop.payments.models import Payment, PaymentStatus, ProcessedEvent

log = logging.getLogger(__name__)


def start_payment(order: Order) -> PaymentStart:
    """Open a payment attempt for an unpaid order still within its hold."""
    if order.status != OrderStatus.PENDING_PAYMENT or order.hold_expires_at <= utcnow():
        raise InvalidTransition(str(_l("This order can no longer be paid. Please order again.")))
    gateway = get_gateway()
    attempt = (
        db.session.scalar(select(func.count(Payment.id)).where(Payment.order_id == order.id)) + 1
    )
    start = gateway.start(order, attempt)
    db.session.add(
        Payment(
            order_id=order.id,
            gateway=gateway.name,
            gateway_ref=start.gateway_ref,
            amount_cents=order.total_cents,
            currency=order.currency,
        )
    )
    db.session.flush()
    return start


def payment_by_ref(gateway: str, gateway_ref: str) -> Payment | None:
    """Find a payment attempt by the gateway's reference."""
    return db.session.scalar(
        select(Payment).where(Payment.gateway == gateway, Payment.gateway_ref == gateway_ref)
    )


def confirm_payment(payment: Payment, amount_cents: int, currency: str) -> str:
    """The gateway says the money arrived. Idempotent: repeated or racing calls pay once.

    Returns the outcome of lifecycle.mark_paid, or "duplicate" when this payment was already
    confirmed. Only the first confirmation of a payment gets past the conditional update,
    so an order found paid already was paid by another payment: mark_paid is told which
    payment this is and flags it as a second charge instead of taking it for a repeat.
    """
    result = db.session.execute(
        update(Payment)
        .where(Payment.id == payment.id, Payment.status != PaymentStatus.SUCCEEDED)
        .values(status=PaymentStatus.SUCCEEDED)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return "duplicate"
    db.session.refresh(payment)
    outcome = lifecycle.mark_paid(
        payment.order, amount_cents, currency, payment_ref=payment.gateway_ref
    )
    log.info("payment %s for order %s: %s", payment.gateway_ref, payment.order.reference, outcome)
    return outcome


def fail_payment(payment: Payment, reason: str) -> None:
    """Record a failed attempt; the customer may retry while the hold lasts."""
    if payment.status == PaymentStatus.CREATED:
        payment.status = PaymentStatus.FAILED
        payment.failure_reason = reason[:300]
        lifecycle.record_event(payment.order, "payment_failed", detail=reason[:300])


def handle_stripe_event(event) -> str:
    """Apply one verified Stripe event, once per event id; returns what happened."""
    # No savepoint on purpose: with pysqlite a SAVEPOINT opened as the first statement is
    # its own transaction and RELEASE would commit the event id even if handling then fails.
    try:
        db.session.add(ProcessedEvent(id=event.id, type=event.type))
        db.session.flush()
    except IntegrityError:
        db.session.rollback()  # nothing else was written in this request yet
        return "duplicate event"
    if event.type.startswith("transfer."):  # Connect payouts: the payouts layer answers
        answers = [answer for _, answer in transfer_event.send(event) if answer]
        return answers[0] if answers else "ignored"
    if event.type not in ("payment_intent.succeeded", "payment_intent.payment_failed"):
        return "ignored"
    payment = payment_by_ref("stripe", event.object_id)
    if payment is None:
        log.warning("stripe event %s for unknown intent %s", event.id, event.object_id)
        return "unknown payment"
    if event.type == "payment_intent.payment_failed":
        fail_payment(payment, event.failure or "card declined")
        return "failed"
    return confirm_payment(payment, event.amount, event.currency)
