"""Artisan profiles, the goals they support, and the audit log of admin decisions."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import ClassVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    and_,
    false,
    select,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from shop.auth.models import User
from shop.core.db import enum_column
from shop.core.states import LabelledEnum
from shop.core.time import UTCDateTime, utcnow
from shop.extensions import db
from shop.goals import Goal, get_goal
from shop.media.models import Image

STORY_MAX = 20_000


class ArtisanStatus(LabelledEnum):
    """Where an application stands; only `approved` is public."""

    PENDING = "pending"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUSPENDED = "suspended"

    @classmethod
    def labels(cls) -> dict:
        return {
            cls.PENDING: _l("waiting for review"),
            cls.CHANGES_REQUESTED: _l("changes requested"),
            cls.APPROVED: _l("approved"),
            cls.REJECTED: _l("not approved"),
            cls.SUSPENDED: _l("suspended"),
        }


class PublicName(enum.StrEnum):
    """What the public sees as the artisan's name (privacy: never the full legal name)."""

    FIRST_NAME = "first_name"
    SHOP_NAME = "shop_name"


class Artisan(db.Model):
    """A workshop: one per user, public once approved and while consent stands."""

    __tablename__ = "artisans"
    __table_args__ = (
        CheckConstraint("length(story) <= 20000", name="story_length"),
        CheckConstraint(
            "shipping_rate_cents IS NULL OR shipping_rate_cents >= 0", name="shipping_not_negative"
        ),
        Index("ix_artisans_status_submitted", "status", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    shop_name: Mapped[str] = mapped_column(String(120), unique=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    first_name: Mapped[str] = mapped_column(String(60))
    public_name_choice: Mapped[PublicName] = mapped_column(
        enum_column(PublicName, "public_name_choice"), default=PublicName.SHOP_NAME
    )
    craft: Mapped[str] = mapped_column(String(80), index=True)
    city: Mapped[str] = mapped_column(String(80), index=True)
    country: Mapped[str] = mapped_column(String(2))  # ISO 3166-1 alpha-2, where they work
    origin_country: Mapped[str | None] = mapped_column(String(2))
    show_origin: Mapped[bool] = mapped_column(default=False)
    # The artisan opted in to an impact line on their page (pieces sold, students taught).
    show_impact: Mapped[bool] = mapped_column(default=False, server_default=false())
    languages: Mapped[str] = mapped_column(String(200), default="")
    tagline: Mapped[str] = mapped_column(String(160), default="")
    story: Mapped[str] = mapped_column(Text, default="")
    # What the tagline and story are written in: pages mark them with it (lang="...").
    profile_language: Mapped[str] = mapped_column(String(2), default="es", server_default="es")
    story_url: Mapped[str | None] = mapped_column(String(500))
    profile_image_id: Mapped[int | None] = mapped_column(
        ForeignKey("images.id", ondelete="SET NULL")
    )
    cover_image_id: Mapped[int | None] = mapped_column(ForeignKey("images.id", ondelete="SET NULL"))

    # Flat shipping charged once per order for this artisan's items; None: no shipping.
    shipping_rate_cents: Mapped[int | None]
    # The artisan's own returns and cancellation terms for products, shown on product pages.
    returns_policy: Mapped[str] = mapped_column(Text, default="", server_default="")
    status: Mapped[ArtisanStatus] = mapped_column(
        enum_column(ArtisanStatus, "artisan_status"), default=ArtisanStatus.PENDING
    )
    status_reason: Mapped[str | None] = mapped_column(Text)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    consent_withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(backref=db.backref("artisan", uselist=False))
    profile_image: Mapped[Image | None] = relationship(foreign_keys=[profile_image_id])
    cover_image: Mapped[Image | None] = relationship(foreign_keys=[cover_image_id])
    goals: Mapped[list[ArtisanGoal]] = relationship(
        back_populates="artisan",
        cascade="all, delete-orphan",
        order_by=lambda: (ArtisanGoal.kind.desc(), ArtisanGoal.number),
    )

    @property
    def public_name(self) -> str:
        """The name shown to the public: first name or shop name, as the artisan chose."""
        if self.public_name_choice == PublicName.FIRST_NAME:
            return self.first_name
        return self.shop_name

    @property
    def has_consent(self) -> bool:
        """True while the artisan agrees to their story being published."""
        return self.consent_at is not None and self.consent_withdrawn_at is None

    @property
    def is_public(self) -> bool:
        """Visible to everyone: approved and consenting."""
        return self.status == ArtisanStatus.APPROVED and self.has_consent

    @classmethod
    def public_filter(cls):
        """SQL condition matching `is_public`, for every public query."""
        return and_(
            cls.status == ArtisanStatus.APPROVED,
            cls.consent_at.is_not(None),
            cls.consent_withdrawn_at.is_(None),
        )

    @classmethod
    def select_public(cls):
        """A select() of the public artisans."""
        return select(cls).where(cls.public_filter())

    def __repr__(self) -> str:
        return f"<Artisan {self.id} {self.slug} {self.status}>"


class GoalLink:
    """Columns and constraints of a goal an artisan, product or class supports.

    The owner's foreign key column is named by `owner_column`; the rest is the same everywhere.
    """

    owner_column: ClassVar[str]

    @declared_attr.directive
    def __table_args__(cls) -> tuple:
        table = cls.__tablename__
        return (
            UniqueConstraint(cls.owner_column, "kind", "number", name=f"uq_{table}_goal"),
            CheckConstraint(
                "(kind = 'sdg' AND number BETWEEN 1 AND 17)"
                " OR (kind = 'gcm' AND number BETWEEN 1 AND 23)",
                name="goal_known",
            ),
            Index(f"ix_{table}_kind_number", "kind", "number"),
        )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(3))
    number: Mapped[int]

    @property
    def goal(self) -> Goal:
        """The reference goal (number, titles, colour)."""
        return get_goal(self.kind, self.number)


class ArtisanGoal(GoalLink, db.Model):
    """An SDG or GCM objective an artisan supports, with how their work contributes."""

    __tablename__ = "artisan_goals"
    owner_column = "artisan_id"

    artisan_id: Mapped[int] = mapped_column(ForeignKey("artisans.id", ondelete="CASCADE"))
    statement: Mapped[str] = mapped_column(String(200), default="")
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    artisan: Mapped[Artisan] = relationship(back_populates="goals")

    @property
    def is_verified(self) -> bool:
        """An admin checked the contribution statement."""
        return self.verified_at is not None


class ArtisanEvent(db.Model):
    """Audit log: who changed an application's status or goals, when and why."""

    __tablename__ = "artisan_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    artisan_id: Mapped[int] = mapped_column(
        ForeignKey("artisans.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    artisan: Mapped[Artisan] = relationship()
    actor: Mapped[User | None] = relationship()


class ApplicationDraft(db.Model):
    """An application in progress: what the applicant typed, step by step, kept on the server
    so they can stop on a phone and resume later. Removed once the application is sent."""

    __tablename__ = "application_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    # Field name -> value as typed (text, booleans, goal keys such as "sdg-8", image ids).
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    # Names of the steps whose answers passed validation, in no particular order.
    steps_done: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
