"""What the public and each party see of reviews: published ones of public workshops only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from shop.artisans.models import Artisan
from shop.classes.models import ClassSession
from shop.core.time import utcnow
from shop.extensions import db
from shop.orders.lifecycle import PAID_STATES
from shop.orders.models import FulfilmentStatus, Order, OrderGroup, OrderLine
from shop.reviews.models import Review, ReviewReport, ReviewStatus
from shop.reviews.services import REVIEW_WINDOW, opened_at

# Below this many reviews a listing shows "new" instead of an average (one review is luck).
MIN_SHOWN = 3
LATEST = 20


@dataclass(frozen=True)
class Summary:
    """The published reviews of a listing or workshop, counted."""

    count: int
    average: Decimal | None  # one decimal, None until MIN_SHOWN reviews

    @property
    def shown(self) -> bool:
        """Whether the average and count are shown (else the listing is "new")."""
        return self.average is not None


def _visible(**target: int):
    """Published reviews of public workshops, for one product, class or artisan."""
    columns = {
        "product_id": Review.product_id,
        "class_id": Review.class_id,
        "artisan_id": Review.artisan_id,
    }
    return [
        Review.status == ReviewStatus.PUBLISHED,
        Review.artisan.has(Artisan.public_filter()),
        *(columns[name] == value for name, value in target.items()),
    ]


def summary_and_latest(limit: int = LATEST, **target: int) -> tuple[Summary, list[Review]]:
    """The count and average of published reviews (product_id=, class_id= or artisan_id=) and
    the newest `limit` of them, in one statement: the window sums see every row the LIMIT
    later cuts."""
    rows = db.session.execute(
        select(Review, func.count().over(), func.sum(Review.rating).over())
        .where(*_visible(**target))
        .options(joinedload(Review.author), joinedload(Review.photo))
        .order_by(Review.created_at.desc(), Review.id.desc())
        .limit(max(limit, 1))
    ).all()
    count, total = (rows[0][1], rows[0][2]) if rows else (0, 0)
    if count < MIN_SHOWN:
        found = Summary(count, None)
    else:
        average = (Decimal(total) / Decimal(count)).quantize(Decimal("0.1"), ROUND_HALF_UP)
        found = Summary(count, average)
    return found, [row[0] for row in rows[:limit]]


def summary(**target: int) -> Summary:
    """Count and average of published reviews (product_id=, class_id= or artisan_id=)."""
    return summary_and_latest(1, **target)[0]


def latest(limit: int = LATEST, **target: int) -> list[Review]:
    """The newest published reviews, newest first."""
    return summary_and_latest(limit, **target)[1]


def lines_to_review(user_id: int, now: datetime | None = None) -> list[OrderLine]:
    """The account's paid lines whose review window is open and that have no review yet."""
    now = now or utcnow()
    reviewed = select(Review.line_id)
    candidates = db.session.scalars(
        select(OrderLine)
        .join(OrderLine.order)
        .join(OrderLine.group)
        .outerjoin(OrderLine.session)
        .where(
            Order.user_id == user_id,
            Order.status.in_(PAID_STATES),
            OrderLine.id.not_in(reviewed),
            OrderLine.cancelled_at.is_(None),
            (OrderGroup.status == FulfilmentStatus.COMPLETED) | (ClassSession.starts_at <= now),
        )
        .options(
            selectinload(OrderLine.order),
            selectinload(OrderLine.group).selectinload(OrderGroup.artisan),
            selectinload(OrderLine.session).selectinload(ClassSession.class_),
        )
        .order_by(OrderLine.id.desc())
    ).all()
    return [line for line in candidates if _open(line, now) and line.group.artisan.is_public]


def _open(line: OrderLine, now: datetime) -> bool:
    opened = opened_at(line)
    return opened is not None and opened <= now <= opened + REVIEW_WINDOW


def reviews_by(user_id: int) -> list[Review]:
    """The account's own reviews, hidden ones included (with the admin's reason)."""
    return list(
        db.session.scalars(
            select(Review)
            .where(Review.author_id == user_id)
            .options(selectinload(Review.line), selectinload(Review.photo))
            .order_by(Review.created_at.desc(), Review.id.desc())
        )
    )


def reviews_of_artisan(artisan_id: int):
    """A select() of every review of a workshop, newest first (the artisan's own page)."""
    return (
        select(Review)
        .where(Review.artisan_id == artisan_id)
        .options(
            selectinload(Review.author), selectinload(Review.line), selectinload(Review.reports)
        )
        .order_by(Review.created_at.desc(), Review.id.desc())
    )


def awaiting_reply(artisan_id: int) -> int:
    """How many published reviews of a workshop have no reply from the artisan yet."""
    return db.session.scalar(
        select(func.count(Review.id)).where(
            Review.artisan_id == artisan_id,
            Review.status == ReviewStatus.PUBLISHED,
            Review.reply.is_(None),
        )
    )


def for_moderation():
    """A select() of reviews with open reports, then hidden ones, for the admins."""
    open_reports = (
        select(ReviewReport.review_id).where(ReviewReport.resolved_at.is_(None)).distinct()
    )
    return (
        select(Review)
        .where(Review.id.in_(open_reports) | (Review.status == ReviewStatus.HIDDEN))
        .options(selectinload(Review.author), selectinload(Review.line))
        .order_by(Review.created_at.desc(), Review.id.desc())
    )
