"""Bookings: a customer cancelling seats, an artisan cancelling a session, the roster and the
reminders."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from shop.auth.models import User
from shop.classes.models import ACTIVE_WAITLIST, ClassSession, SessionStatus, WaitlistEntry
from shop.classes.policy import refund_cents
from shop.classes.services import SESSION_STATES
from shop.core.errors import InvalidTransition, NotAllowed
from shop.core.time import utcnow
from shop.extensions import db
from shop.inventory import services as inventory
from shop.mail import email_after_commit
from shop.orders.lifecycle import (
    PAID_STATES,
    booking_ics_attachment,
    cancel_group_if_nothing_left,
    cancel_unpaid,
    record_event,
    release_line,
)
from shop.orders.models import Order, OrderLine, OrderStatus
from shop.payments.refunds import give_back
from shop.waitlist import services as waitlist

log = logging.getLogger(__name__)
OS = OrderStatus


def booking_refund_cents(line: OrderLine, now: datetime | None = None) -> int:
    """What cancelling this booking now gives back, by the class's policy (integer cents)."""
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
    now = now or utcnow()
    if not line.is_seat or line.session is None:
        raise InvalidTransition()
    inventory.lock_sessions([line.session_id])  # a double click waits here, then sees it cancelled
    db.session.refresh(line)
    if line.cancelled_at is not None:
        raise InvalidTransition(str(_l("This booking is already cancelled.")))
    if line.order.status not in PAID_STATES:
        raise InvalidTransition(str(_l("Only paid bookings can be cancelled here.")))
    if line.session.starts_at <= now:
        raise InvalidTransition(str(_l("The class has already started.")))
    amount = booking_refund_cents(line, now)
    release_line(line)
    line.cancelled_at = now
    cancel_group_if_nothing_left(line.group)
    record_event(line.order, "booking_cancelled", actor, f"line={line.id} refund={amount}")
    if amount > 0:
        give_back(line.order, actor, amount, line=line, reason="booking cancelled")
    return amount


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


@dataclass(frozen=True)
class SessionCancelPreview:
    """What cancelling a session would do, for the confirmation page."""

    bookings: int
    seats: int
    refund_cents: int
    currency: str
    waitlisted: int


def session_cancel_preview(session: ClassSession) -> SessionCancelPreview:
    """Count who would be refunded (in full) and told if the session were cancelled now."""
    lines = bookings_for_session(session.id)
    waitlisted = db.session.scalar(
        select(func.count(WaitlistEntry.id)).where(
            WaitlistEntry.session_id == session.id, WaitlistEntry.status.in_(ACTIVE_WAITLIST)
        )
    )
    return SessionCancelPreview(
        bookings=len(lines),
        seats=sum(line.quantity for line in lines),
        refund_cents=sum(line.total_cents - line.refunded_cents for line in lines),
        currency=session.class_.currency,
        waitlisted=waitlisted or 0,
    )


def cancel_session_bookings(session, *, short_of_minimum: bool = False) -> int:
    """The session was cancelled: every paid booking is refunded in full and told why."""
    lines = bookings_for_session(session.id)
    for line in lines:
        amount = line.total_cents - line.refunded_cents
        release_line(line)
        line.cancelled_at = utcnow()
        cancel_group_if_nothing_left(line.group)
        if amount > 0:
            give_back(line.order, None, amount, line=line, reason="session cancelled")
        email_after_commit(
            line.order.email,
            "session_cancelled",
            locale=line.order.locale,
            line=line,
            session=session,
            amount_cents=amount,
            short_of_minimum=short_of_minimum,
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
            email_after_commit(
                line.order.email,
                "booking_reminder",
                locale=line.order.locale,
                line=line,
                session=line.session,
                attachments=[booking_ics_attachment(line)],
            )
            sent += 1
    return sent


def cancel_session(
    session: ClassSession,
    *conditions,
    now: datetime | None = None,
    short_of_minimum: bool = False,
) -> ClassSession:
    """The artisan (or the decision time, short_of_minimum) cancels an upcoming session, in
    one transaction: every booking is refunded in full (an artisan's cancellation always
    refunds, see policy.refund_cents) and told, unpaid orders holding its seats are cancelled,
    and everyone on its waitlist is told. `conditions` narrow the cancelling UPDATE; when they
    do not hold, InvalidTransition is raised and nothing is written."""
    inventory.lock_sessions(sessions_sharing_orders_with(session.id))  # what refunds touch
    db.session.refresh(session)
    if session.is_cancelled:
        raise InvalidTransition(str(_l("This session is already cancelled.")))
    now = now or utcnow()
    if session.starts_at <= now:
        raise NotAllowed(str(_l("A session that has started cannot be cancelled.")))
    SESSION_STATES.require(session, "cancel", *conditions, cancelled_at=now)
    cancel_session_bookings(session, short_of_minimum=short_of_minimum)
    waitlist.cancel_for_session(session)
    log.info("class session %s cancelled", session.id)
    return session
