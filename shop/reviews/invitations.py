"""The one e-mail that invites a buyer to review, with a signed link to the form."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload

from shop.auth.models import User
from shop.classes.models import ClassSession
from shop.core.time import utcnow
from shop.extensions import db
from shop.mail import email_after_commit
from shop.orders.lifecycle import PAID_STATES
from shop.orders.models import FulfilmentStatus, Order, OrderGroup, OrderLine
from shop.reviews.models import Review, ReviewInvitation
from shop.reviews.services import REVIEW_WINDOW, opened_at

# A link outlives the window a little; the window itself is checked when the form opens.
LINK_MAX_AGE = REVIEW_WINDOW + timedelta(days=7)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="review-invite")


def invitation_token(line: OrderLine) -> str:
    """A signed token naming the line (it grants nothing: the form still checks the account)."""
    return _serializer().dumps({"l": line.id})


def line_for_token(token: str) -> int | None:
    """The line id a token names, or None when it is forged or too old."""
    try:
        data = _serializer().loads(token, max_age=int(LINK_MAX_AGE.total_seconds()))
    except BadSignature:
        return None
    line_id = data.get("l") if isinstance(data, dict) else None
    return line_id if isinstance(line_id, int) else None


def _candidates(now: datetime) -> list[OrderLine]:
    """Lines of accounts, reviewable now, with no review and no invitation yet."""
    since = now - REVIEW_WINDOW
    return list(
        db.session.scalars(
            select(OrderLine)
            .join(OrderLine.order)
            .join(OrderLine.group)
            .outerjoin(OrderLine.session)
            .where(
                Order.user_id.is_not(None),
                Order.status.in_(PAID_STATES),
                OrderLine.cancelled_at.is_(None),
                OrderLine.id.not_in(select(Review.line_id)),
                OrderLine.id.not_in(select(ReviewInvitation.line_id)),
                (
                    (OrderGroup.status == FulfilmentStatus.COMPLETED)
                    & (OrderGroup.completed_at > since)
                    & OrderLine.product_id.is_not(None)
                )
                | ((ClassSession.starts_at <= now) & (ClassSession.starts_at > since)),
            )
            .options(
                selectinload(OrderLine.order).selectinload(Order.user),
                selectinload(OrderLine.group).selectinload(OrderGroup.artisan),
                selectinload(OrderLine.session).selectinload(ClassSession.class_),
            )
            .order_by(OrderLine.id)
        )
    )


def _claim(line: OrderLine, now: datetime) -> bool:
    """Insert the invitation row; False when another run already did (its key is the line)."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    inserted = db.session.execute(
        dialect.insert(ReviewInvitation.__table__)
        .values(line_id=line.id, sent_at=now)
        .on_conflict_do_nothing(index_elements=["line_id"])
        .returning(ReviewInvitation.__table__.c.line_id)
    ).first()
    return inserted is not None


def send_invitations(now: datetime | None = None) -> int:
    """E-mail each buyer once per reviewable line (safe to run again, and on several hosts)."""
    now = now or utcnow()
    sent = 0
    for line in _candidates(now):
        opened = opened_at(line)
        if opened is None or not opened <= now <= opened + REVIEW_WINDOW:
            continue  # a session still running, a refunded line
        if not line.group.artisan.is_public or not _claim(line, now):
            continue
        user: User = line.order.user
        email_after_commit(
            user.email,
            "review_invitation",
            locale=user.locale,
            user=user,
            line=line,
            token=invitation_token(line),
            days=REVIEW_WINDOW.days,
        )
        sent += 1
    return sent
