"""What needs an admin's attention now: each queue with its count, a few rows and a link."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import url_for
from flask_babel import format_timedelta, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from shop.artisans.models import Artisan, ArtisanStatus
from shop.catalog.models import Product
from shop.classes.models import MAX_DECISION_HOURS, Class, ClassSession, SessionStatus
from shop.core.time import utcnow
from shop.extensions import db
from shop.messages.models import Conversation
from shop.moderation import reports
from shop.moderation.services import listings_asking_review
from shop.orders.models import Order, OrderStatus
from shop.payouts import rules
from shop.payouts import services as payouts
from shop.reviews.models import ReviewReport

ROWS = 5
HOLD_WARNING = timedelta(minutes=10)
DECISION_WARNING = timedelta(hours=48)


@dataclass
class Row:
    """One thing to look at: a sentence, where to go, and how old it is."""

    text: str
    url: str
    age: str = ""


@dataclass
class Queue:
    """One kind of work: how many, the first few, and the page that lists them all."""

    key: str
    title: str
    count: int
    url: str
    rows: list[Row] = field(default_factory=list)


def _age(since: datetime | None, now: datetime) -> str:
    return format_timedelta(now - since, add_direction=False) if since else ""


def _applications(now: datetime) -> Queue:
    waiting = Artisan.status == ArtisanStatus.PENDING
    count = db.session.scalar(select(func.count(Artisan.id)).where(waiting)) or 0
    oldest = db.session.scalars(
        select(Artisan).where(waiting).order_by(Artisan.submitted_at, Artisan.id).limit(ROWS)
    ).all()
    rows = [
        Row(a.shop_name, url_for("admin.review", artisan_id=a.id), _age(a.submitted_at, now))
        for a in oldest
    ]
    return Queue(
        "applications", str(_l("Applications waiting")), count, url_for("admin.artisans"), rows
    )


def _reported_reviews() -> Queue:
    count = (
        db.session.scalar(
            select(func.count(func.distinct(ReviewReport.review_id))).where(
                ReviewReport.resolved_at.is_(None)
            )
        )
        or 0
    )
    return Queue("reviews", str(_l("Reported reviews")), count, url_for("reviews.moderation"))


def _reported_conversations() -> Queue:
    count = (
        db.session.scalar(
            select(func.count(Conversation.id)).where(Conversation.reported_at.is_not(None))
        )
        or 0
    )
    return Queue(
        "conversations",
        str(_l("Reported conversations")),
        count,
        url_for("messages.admin_queue"),
    )


def _reported_listings(now: datetime) -> Queue:
    reported = reports.reported_listings()
    rows = [
        Row(
            ngettext(
                "%(title)s: %(num)d report",
                "%(title)s: %(num)d reports",
                item.count,
                title=item.listing.title,
            ),
            url_for("admin.listing_report", report_id=item.oldest.id),
            _age(item.oldest.created_at, now),
        )
        for item in reported[:ROWS]
    ]
    return Queue(
        "reports",
        str(_l("Reported listings")),
        sum(item.count for item in reported),
        url_for("admin.listing_reports"),
        rows,
    )


def _listings(now: datetime) -> Queue:
    waiting = listings_asking_review()
    rows = [
        Row(
            listing.title,
            url_for("admin.listing", kind=kind, listing_id=listing.id),
            _age(listing.review_requested_at, now),
        )
        for kind, listing in waiting[:ROWS]
    ]
    return Queue(
        "listings",
        str(_l("Hidden listings asking for review")),
        len(waiting),
        url_for("admin.hidden_listings"),
        rows,
    )


def _flagged_orders(now: datetime) -> Queue:
    flagged = Order.needs_review.is_(True)
    count = db.session.scalar(select(func.count(Order.id)).where(flagged)) or 0
    orders = db.session.scalars(
        select(Order).where(flagged).order_by(Order.created_at.desc()).limit(ROWS)
    ).all()
    rows = [
        Row(
            f"{o.reference}: {o.review_reason or ''}".strip(": "),
            url_for("admin.order", order_id=o.id),
            _age(o.created_at, now),
        )
        for o in orders
    ]
    return Queue(
        "orders",
        str(_l("Orders flagged by payments")),
        count,
        url_for("admin.orders", status="review"),
        rows,
    )


def _expiring_holds(now: datetime) -> Queue:
    expiring = (Order.status == OrderStatus.PENDING_PAYMENT) & Order.hold_expires_at.between(
        now, now + HOLD_WARNING
    )
    count = db.session.scalar(select(func.count(Order.id)).where(expiring)) or 0
    orders = db.session.scalars(
        select(Order).where(expiring).order_by(Order.hold_expires_at).limit(ROWS)
    ).all()
    rows = [
        Row(
            str(
                _l(
                    "%(ref)s expires in %(left)s",
                    ref=o.reference,
                    left=format_timedelta(o.hold_expires_at - now, add_direction=False),
                )
            ),
            url_for("admin.order", order_id=o.id),
        )
        for o in orders
    ]
    return Queue(
        "holds",
        str(_l("Unpaid holds about to expire")),
        count,
        url_for("admin.orders", status=OrderStatus.PENDING_PAYMENT.value),
        rows,
    )


def _short_sessions(now: datetime) -> Queue:
    horizon = now + DECISION_WARNING + timedelta(hours=MAX_DECISION_HOURS)
    candidates = db.session.scalars(
        select(ClassSession)
        .where(
            ClassSession.status != SessionStatus.CANCELLED,
            ClassSession.confirmed_at.is_(None),
            ClassSession.starts_at.between(now, horizon),
        )
        .options(selectinload(ClassSession.class_).selectinload(Class.artisan))
        .order_by(ClassSession.starts_at)
    ).all()
    short = [
        s for s in candidates if s.awaits_minimum(now) and s.decides_at <= now + DECISION_WARNING
    ]
    rows = [
        Row(
            str(
                _l(
                    "%(title)s (%(shop)s): %(taken)s of %(minimum)s booked",
                    title=s.class_.title,
                    shop=s.class_.artisan.shop_name,
                    taken=s.seats_taken,
                    minimum=s.class_.min_participants,
                )
            ),
            url_for("admin.listing", kind="class", listing_id=s.class_id),
            str(
                _l(
                    "decides in %(left)s",
                    left=format_timedelta(s.decides_at - now, add_direction=False),
                )
            ),
        )
        for s in short[:ROWS]
    ]
    return Queue("sessions", str(_l("Sessions below their minimum")), len(short), "#sessions", rows)


def _payouts_due(now: datetime) -> Queue:
    due = payouts.payouts_due(rules.PAYOUT_THRESHOLD_CENTS.get(), now)
    rows = [
        Row(
            d.artisan.shop_name,
            url_for("admin.artisan_payouts", artisan_id=d.artisan.id),
            _age(d.waiting_since, now),
        )
        for d in due[:ROWS]
    ]
    return Queue("payouts", str(_l("Payouts due")), len(due), url_for("admin.payouts_due"), rows)


def queues(now: datetime | None = None) -> list[Queue]:
    """Every queue, in the order an admin should work through them."""
    now = now or utcnow()
    return [
        _applications(now),
        _reported_reviews(),
        _reported_conversations(),
        _reported_listings(now),
        _listings(now),
        _flagged_orders(now),
        _expiring_holds(now),
        _short_sessions(now),
        _payouts_due(now),
    ]


def product_or_class(kind: str):
    """The model behind a listing kind in URLs ("product" or "class"), or None."""
    return {"product": Product, "class": Class}.get(kind)
