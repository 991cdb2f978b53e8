"""Refunds: money given back through the gateway, never more than was paid or than the line
cost; seats or units given back with it when asked."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from shop.auth.models import User
from shop.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from shop.core.money import format_money_here
from shop.core.signals import refund_recorded
from shop.extensions import db
from shop.inventory import services as inventory
from shop.mail import queue_email, render_email
from shop.orders.lifecycle import ORDER_STATES, record_event
from shop.orders.models import Order, OrderLine, OrderStatus
from shop.payments.gateways import get_gateway
from shop.payments.models import Refund

OS = OrderStatus


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
    return give_back(
        order, actor, amount_cents, line=line, restock_quantity=restock_quantity, reason=reason
    )


def give_back(
    order: Order,
    actor: User | None,
    amount_cents: int,
    *,
    line: OrderLine | None = None,
    restock_quantity: int = 0,
    reason: str = "",
) -> Refund:
    """Refund through the gateway within every limit; permission is the caller's job."""
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
        inventory.lock_sessions([line.session_id])
    # Lock the order row so two refunds cannot both pass the limit check.
    db.session.execute(select(Order.id).where(Order.id == order.id).with_for_update())
    db.session.refresh(order)
    if amount_cents > order.refundable_cents:
        raise ValidationFailed(
            str(
                _l(
                    "At most %(amount)s can still be refunded.",
                    amount=format_money_here(order.refundable_cents, order.currency),
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
                        amount=format_money_here(
                            line.total_cents - line.refunded_cents, order.currency
                        ),
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
                inventory.free_seats(line.session_id, restock_quantity)
            else:
                inventory.restock(line.product_id, restock_quantity)
            line.restocked_quantity += restock_quantity
    ORDER_STATES.require(
        order, "refund_all" if order.refunded_cents == order.paid_cents else "refund_part"
    )
    record_event(order, "refund", actor, f"{amount_cents} {reason}".strip())
    db.session.flush()
    refund_recorded.send(record)
    queue_email(
        db.session,
        render_email(
            order.email, "order_refund", locale=order.locale, order=order, amount_cents=amount_cents
        ),
    )
    return record
