"""Reviews of a bought product or an attended class, their reports and invitations."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.artisans.models import Artisan
from shop.auth.models import User
from shop.core.db import enum_column
from shop.core.states import LabelledEnum
from shop.core.time import UTCDateTime, utcnow
from shop.extensions import db
from shop.media.models import Image
from shop.orders.models import OrderLine

BODY_MAX = 2000
REPLY_MAX = 2000
REASON_MAX = 500


class ReviewStatus(LabelledEnum):
    """Published reviews are shown and counted; hidden ones are neither."""

    PUBLISHED = "published"
    HIDDEN = "hidden"

    @classmethod
    def labels(cls) -> dict:
        return {cls.PUBLISHED: _l("published"), cls.HIDDEN: _l("hidden by an admin")}


class Review(db.Model):
    """One buyer's stars and words about one paid product line or attended booking."""

    __tablename__ = "reviews"
    __table_args__ = (
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
        CheckConstraint(f"length(body) <= {BODY_MAX}", name="body_length"),
        CheckConstraint(f"reply IS NULL OR length(reply) <= {REPLY_MAX}", name="reply_length"),
        CheckConstraint("(product_id IS NULL) OR (class_id IS NULL)", name="one_listing"),
        Index("ix_reviews_artisan_status_created", "artisan_id", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # One review per line: the unique key makes a double submit write nothing twice.
    line_id: Mapped[int] = mapped_column(
        ForeignKey("order_lines.id", ondelete="CASCADE"), unique=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    artisan_id: Mapped[int] = mapped_column(ForeignKey("artisans.id", ondelete="CASCADE"))
    # What is reviewed, copied from the line so listing pages need no join through orders.
    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("products.id", ondelete="SET NULL"), index=True
    )
    class_id: Mapped[int | None] = mapped_column(
        ForeignKey("classes.id", ondelete="SET NULL"), index=True
    )
    rating: Mapped[int]
    body: Mapped[str] = mapped_column(Text, default="")
    locale: Mapped[str] = mapped_column(String(8), default="es")
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("images.id", ondelete="SET NULL"))
    status: Mapped[ReviewStatus] = mapped_column(
        enum_column(ReviewStatus, "review_status"), default=ReviewStatus.PUBLISHED
    )
    # The admin's last decision (hide or restore) and why: shown to the author.
    moderation_reason: Mapped[str | None] = mapped_column(Text)
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reply: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    line: Mapped[OrderLine] = relationship()
    author: Mapped[User] = relationship()
    artisan: Mapped[Artisan] = relationship()
    photo: Mapped[Image | None] = relationship()

    @property
    def author_first_name(self) -> str:
        """All the public sees of the reviewer: the first word of their name."""
        words = self.author.name.split()
        return words[0] if words else ""

    @property
    def is_published(self) -> bool:
        return self.status == ReviewStatus.PUBLISHED

    def __repr__(self) -> str:
        return f"<Review {self.id} line={self.line_id} {self.rating}* {self.status}>"


class ReviewReport(db.Model):
    """Someone logged in thinks a review breaks the rules; an admin decides."""

    __tablename__ = "review_reports"
    __table_args__ = (
        UniqueConstraint("review_id", "reporter_id", name="uq_review_reports_reporter"),
        CheckConstraint(f"length(reason) <= {REASON_MAX}", name="reason_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    review: Mapped[Review] = relationship(backref=db.backref("reports"))
    reporter: Mapped[User] = relationship()


class ReviewInvitation(db.Model):
    """The one e-mail inviting a review of a line: its row claims the sending (unique)."""

    __tablename__ = "review_invitations"

    line_id: Mapped[int] = mapped_column(
        ForeignKey("order_lines.id", ondelete="CASCADE"), primary_key=True
    )
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
