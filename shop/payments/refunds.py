"""Refunds: money given back through the gateway, never more than was paid or than the line
cost; seats or units given back with it when asked.

A refund is recorded (pending) with every counter in the caller's transaction; the gateway is
called only after that commits (payments.settlement). A refund the gateway refused stays
recorded as money owed: the order's and line's counters keep it, and admins see it failed
until a retry goes through.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from shop.auth.models import User
from shop.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from shop.core.money import format_money_here
from shop.core.signals import refund_recorded
from shop.core.time import utcnow
from shop.extensions import db
from shop.inventory import services as inventory
from shop.mail import email_after_commit
from shop.orders.lifecycle import ORDER_STATES, record_event
from shop.orders.models import Order, OrderLine, OrderStatus
from shop.payments.models import Refund, RefundStatus
from shop.payments.settlement import REFUND_STATES, RETRY_AFTER, send_after_commit

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
    """Record money to give back through the gateway: never more than was paid (or than the
    line cost); it is sent once the caller commits.

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
    """Record a refund within every limit, sent to the gateway once the caller commits;
    permission is the caller's job."""
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
    record = Refund(
        order_id=order.id,
        line_id=line.id if line else None,
        payment_id=payment.id if payment else None,
        amount_cents=amount_cents,
        reason=reason.strip()[:300],
        actor_id=actor.id if actor else None,
        # Paid outside any gateway (no payment to refund): nothing is left to send.
        status=RefundStatus.PENDING if payment else RefundStatus.SUCCEEDED,
        settled_at=None if payment else utcnow(),
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
    if record.status == RefundStatus.PENDING:
        send_after_commit(db.session, record)
    refund_recorded.send(record)
    email_after_commit(
        order.email, "order_refund", locale=order.locale, order=order, amount_cents=amount_cents
    )
    return record


def retry(record: Refund, actor: User) -> Refund:
    """An admin sends a failed refund again, with its same idempotency key, once the caller
    commits; the counters already hold it."""
    if not actor.is_admin:
        raise NotAllowed()
    REFUND_STATES.require(
        record,
        "retry",
        attempted_at=None,
        message=str(_l("This refund is not waiting for a retry.")),
    )
    record_event(record.order, "refund_retry", actor, f"refund={record.id}")
    send_after_commit(db.session, record)
    return record


def resend_due(now: datetime | None = None) -> list[int]:
    """Queue every refund that must be sent again (failed ones, and pending ones whose attempt
    never recorded an answer) to go out when the caller commits; returns their ids."""
    stale = (now or utcnow()) - RETRY_AFTER
    due = db.session.scalars(
        select(Refund)
        .where(
            or_(
                Refund.status == RefundStatus.FAILED,
                and_(
                    Refund.status == RefundStatus.PENDING,
                    func.coalesce(Refund.attempted_at, Refund.created_at) <= stale,
                ),
            )
        )
        .order_by(Refund.id)
    ).all()
    queued = []
    for record in due:
        # A failed one goes back to pending; another host doing the same wins or loses here.
        if record.status == RefundStatus.FAILED and not REFUND_STATES.move(
            record, "retry", attempted_at=None
        ):
            continue
        send_after_commit(db.session, record)
        queued.append(record.id)
    return queued


def refunds_of(order: Order) -> list[Refund]:
    """An order's refunds, oldest first, for the admin's order page."""
    return list(
        db.session.scalars(
            select(Refund)
            .where(Refund.order_id == order.id)
            .options(selectinload(Refund.line), selectinload(Refund.actor))
            .order_by(Refund.id)
        )
    )


def refunds_by_status(refund_ids: list[int]) -> dict[str, int]:
    """How many of these refunds stand in each status ("pending", "succeeded", "failed")."""
    counts = dict.fromkeys((s.value for s in RefundStatus), 0)
    if refund_ids:
        rows = db.session.execute(
            select(Refund.status, func.count(Refund.id))
            .where(Refund.id.in_(refund_ids))
            .group_by(Refund.status)
        )
        counts.update({status.value: count for status, count in rows})
    return counts
