"""Writing, editing, replying to, reporting and moderating reviews: who may, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from shop.artisans.models import ArtisanEvent
from shop.auth.models import User
from shop.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from shop.core.states import StateMachine
from shop.core.time import utcnow
from shop.extensions import db
from shop.media.models import Image
from shop.orders.lifecycle import PAID_STATES
from shop.orders.models import FulfilmentStatus, OrderLine
from shop.reviews.models import (
    BODY_MAX,
    REASON_MAX,
    REPLY_MAX,
    Review,
    ReviewReport,
    ReviewStatus,
)

# Reviews open when the goods were handed over or the class is over, for this long.
REVIEW_WINDOW = timedelta(days=60)
# The author may change their words this long after writing them.
EDIT_WINDOW = timedelta(hours=48)

RS = ReviewStatus
REVIEW_STATES = StateMachine(
    Review,
    {
        "hide": ({RS.PUBLISHED}, RS.HIDDEN),
        "restore": ({RS.HIDDEN}, RS.PUBLISHED),
    },
)


@dataclass(frozen=True)
class ReviewData:
    """What the reviewer typed (the photo, if any, is already stored)."""

    rating: int
    body: str
    locale: str = "es"
    photo: Image | None = None
    remove_photo: bool = False


def opened_at(line: OrderLine) -> datetime | None:
    """When this line became reviewable (None: not yet, or never).

    A product line once its artisan group is completed; a booking once its session has
    ended. Cancelled bookings and sessions, unpaid and fully refunded lines never open.
    """
    if line.order.status not in PAID_STATES or line.refunded_cents >= line.total_cents:
        return None
    if line.is_seat:
        session = line.session
        if session is None or session.is_cancelled or line.cancelled_at is not None:
            return None
        return session.ends_at
    group = line.group
    if line.product_id is None or group.status != FulfilmentStatus.COMPLETED:
        return None
    return group.completed_at


def check_may_review(line: OrderLine, user: User, now: datetime | None = None) -> None:
    """Raise unless this account may review this line now (before writing anything)."""
    now = now or utcnow()
    if line.order.user_id != user.id:
        raise NotAllowed()
    if not line.group.artisan.is_public:
        raise NotAllowed(str(_l("This workshop is not open on Taller at the moment.")))
    opened = opened_at(line)
    if opened is None or opened > now:
        raise ValidationFailed(
            str(_l("You can review this once the order is completed or the class is over.")),
        )
    if now > opened + REVIEW_WINDOW:
        raise ValidationFailed(
            str(_l("Reviews are open for %(days)d days; this one has closed.", days=60))
        )
    if db.session.scalar(select(Review.id).where(Review.line_id == line.id)) is not None:
        raise ValidationFailed(str(_l("You have already reviewed this.")))


def _check_words(data: ReviewData) -> str:
    if not 1 <= data.rating <= 5:
        raise ValidationFailed(str(_l("Choose from 1 to 5 stars.")), field="rating")
    body = data.body.strip()
    if len(body) > BODY_MAX:
        raise ValidationFailed(str(_l("At most %(n)d characters.", n=BODY_MAX)), field="body")
    return body


def write_review(line: OrderLine, user: User, data: ReviewData, now: datetime | None = None):
    """The buyer reviews a line they paid for, once, inside its window."""
    now = now or utcnow()
    check_may_review(line, user, now)
    body = _check_words(data)
    review = Review(
        line_id=line.id,
        author_id=user.id,
        artisan_id=line.group.artisan_id,
        product_id=None if line.is_seat else line.product_id,
        class_id=line.session.class_id if line.is_seat else None,
        rating=data.rating,
        body=body,
        locale=data.locale[:8],
        photo_id=data.photo.id if data.photo else None,
        created_at=now,
    )
    db.session.add(review)
    try:
        db.session.flush()
    except IntegrityError:  # a second submit racing this one: the line is unique
        raise ValidationFailed(str(_l("You have already reviewed this."))) from None
    return review


def may_edit(review: Review, user: User, now: datetime | None = None) -> bool:
    """The author, within EDIT_WINDOW of writing it."""
    return review.author_id == user.id and (now or utcnow()) <= review.created_at + EDIT_WINDOW


def edit_review(review: Review, user: User, data: ReviewData, now: datetime | None = None):
    """The author changes stars, words or photo within EDIT_WINDOW."""
    now = now or utcnow()
    if review.author_id != user.id:
        raise NotAllowed()
    if not may_edit(review, user, now):
        raise ValidationFailed(
            str(_l("A review can be changed for %(hours)d hours after writing it.", hours=48))
        )
    review.body = _check_words(data)
    review.rating = data.rating
    review.locale = data.locale[:8]
    if data.photo is not None:
        review.photo_id = data.photo.id
    elif data.remove_photo:
        review.photo_id = None
    review.edited_at = now
    db.session.flush()
    return review


def reply(review: Review, artisan_user: User, text: str, now: datetime | None = None):
    """The reviewed artisan answers in public, once (a second submit writes nothing)."""
    if review.artisan.user_id != artisan_user.id:
        raise NotAllowed()
    text = text.strip()
    if not text:
        raise ValidationFailed(str(_l("Write your reply.")), field="reply")
    if len(text) > REPLY_MAX:
        raise ValidationFailed(str(_l("At most %(n)d characters.", n=REPLY_MAX)), field="reply")
    moved = db.session.execute(
        update(Review)
        .where(Review.id == review.id, Review.reply.is_(None))
        .values(reply=text, replied_at=now or utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(review)
    if moved != 1:
        raise InvalidTransition(str(_l("You have already replied to this review.")))
    return review


def report(review: Review, reporter: User, reason: str) -> ReviewReport:
    """Someone logged in flags a review; the same person twice is one report."""
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(str(_l("Tell us what is wrong.")), field="reason")
    if len(reason) > REASON_MAX:
        raise ValidationFailed(str(_l("At most %(n)d characters.", n=REASON_MAX)), field="reason")
    if review.author_id == reporter.id:
        raise NotAllowed()
    found = db.session.scalar(
        select(ReviewReport).where(
            ReviewReport.review_id == review.id, ReviewReport.reporter_id == reporter.id
        )
    )
    if found is not None:
        return found
    entry = ReviewReport(review_id=review.id, reporter_id=reporter.id, reason=reason)
    db.session.add(entry)
    try:
        db.session.flush()
    except IntegrityError:  # the same person's other submit got there first
        raise ValidationFailed(str(_l("You have already reported this review."))) from None
    return entry


def moderate(review: Review, admin: User, action: str, reason: str) -> Review:
    """An admin hides or restores a review; the author sees why; reports are settled."""
    if not admin.is_admin:
        raise NotAllowed()
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(str(_l("Give the reason the author will read.")), field="reason")
    if len(reason) > REASON_MAX:
        raise ValidationFailed(str(_l("At most %(n)d characters.", n=REASON_MAX)), field="reason")
    if action not in REVIEW_STATES.transitions:
        raise InvalidTransition()
    now = utcnow()
    REVIEW_STATES.require(review, action, moderation_reason=reason, moderated_at=now)
    db.session.execute(
        update(ReviewReport)
        .where(ReviewReport.review_id == review.id, ReviewReport.resolved_at.is_(None))
        .values(resolved_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.add(
        ArtisanEvent(
            artisan_id=review.artisan_id,
            actor_id=admin.id,
            action=f"review_{REVIEW_STATES[action].target}",
            reason=f"review {review.id}: {reason}",
        )
    )
    return review
