"""Classes an artisan teaches, their dated sessions, photos and goals."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from shop.artisans.listings import BilingualListing
from shop.artisans.models import Artisan, GoalLink
from shop.core.db import enum_column
from shop.core.money import DEFAULT_CURRENCY
from shop.core.states import LabelledEnum
from shop.core.time import UTCDateTime, to_local, utcnow
from shop.extensions import db
from shop.media.models import Image

if TYPE_CHECKING:
    from shop.orders.models import Order

MAX_PHOTOS = 8
DEFAULT_TIMEZONE = "America/Guayaquil"
DEFAULT_DECISION_HOURS = 48
MAX_DECISION_HOURS = 14 * 24


class ClassStatus(LabelledEnum):
    """Only `active` classes of public artisans are shown to customers."""

    DRAFT = "draft"
    ACTIVE = "active"
    HIDDEN = "hidden"
    ARCHIVED = "archived"

    @classmethod
    def labels(cls) -> dict:
        return {
            cls.DRAFT: _l("draft"),
            cls.ACTIVE: _l("published"),
            cls.HIDDEN: _l("hidden"),
            cls.ARCHIVED: _l("archived"),
        }


class SkillLevel(LabelledEnum):
    """Who the class is for."""

    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"
    ALL = "all"

    @classmethod
    def labels(cls) -> dict:
        return {
            cls.BEGINNER: _l("Beginners"),
            cls.INTERMEDIATE: _l("Intermediate"),
            cls.ADVANCED: _l("Advanced"),
            cls.ALL: _l("All levels"),
        }


class CancellationPolicy(enum.StrEnum):
    """How much a customer gets back when they cancel (see shop/classes/policy.py)."""

    FLEXIBLE = "flexible"
    MODERATE = "moderate"
    STRICT = "strict"


class SessionStatus(enum.StrEnum):
    """A dated session is scheduled until the artisan cancels it, or until its decision time
    finds it short of the class's minimum. Reaching the minimum sets `confirmed_at` and
    keeps it scheduled (bookable, as before); see shop/bookings/decisions.py."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Class(BilingualListing, db.Model):
    """A class an artisan teaches; customers book one of its sessions."""

    __tablename__ = "classes"
    __table_args__ = (
        CheckConstraint("price_cents > 0", name="price_positive"),
        CheckConstraint(
            "private_min_cents IS NULL OR private_min_cents > 0", name="private_min_positive"
        ),
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        CheckConstraint(
            "min_participants >= 1 AND min_participants <= max_participants",
            name="participants_range",
        ),
        CheckConstraint(
            f"decision_hours >= 1 AND decision_hours <= {MAX_DECISION_HOURS}",
            name="decision_hours_range",
        ),
        Index("ix_classes_status_published", "status", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    artisan_id: Mapped[int] = mapped_column(
        ForeignKey("artisans.id", ondelete="CASCADE"), index=True
    )
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")  # markdown
    included: Mapped[str] = mapped_column(Text, default="")  # materials, tools, snacks...
    skill_level: Mapped[SkillLevel] = mapped_column(
        enum_column(SkillLevel, "skill_level"), default=SkillLevel.ALL
    )
    languages: Mapped[str] = mapped_column(String(200), default="")
    what_to_bring: Mapped[str] = mapped_column(Text, default="", server_default="")
    accessibility: Mapped[str] = mapped_column(Text, default="", server_default="")
    duration_minutes: Mapped[int]
    price_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default=DEFAULT_CURRENCY)
    min_participants: Mapped[int] = mapped_column(default=1)
    max_participants: Mapped[int]
    # A group may book a whole session privately, paying at least this (None: not offered).
    private_min_cents: Mapped[int | None]
    # Hours before each session when it is confirmed, or cancelled if short of the minimum.
    decision_hours: Mapped[int] = mapped_column(
        default=DEFAULT_DECISION_HOURS, server_default=str(DEFAULT_DECISION_HOURS)
    )
    # Public: a neighbourhood or landmark. Private: the street address, for booked customers only.
    meeting_area: Mapped[str] = mapped_column(String(160))
    address: Mapped[str] = mapped_column(String(300))
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIMEZONE)
    cancellation_policy: Mapped[CancellationPolicy] = mapped_column(
        enum_column(CancellationPolicy, "cancellation_policy"), default=CancellationPolicy.FLEXIBLE
    )
    status: Mapped[ClassStatus] = mapped_column(
        enum_column(ClassStatus, "class_status"), default=ClassStatus.DRAFT, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set while an admin keeps the class hidden (see Product.moderation_reason).
    moderation_reason: Mapped[str | None] = mapped_column(Text)
    review_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    artisan: Mapped[Artisan] = relationship(backref=db.backref("classes", lazy="dynamic"))
    photos: Mapped[list[ClassPhoto]] = relationship(
        back_populates="class_",
        cascade="all, delete-orphan",
        order_by=lambda: ClassPhoto.position,
    )
    goals: Mapped[list[ClassGoal]] = relationship(
        back_populates="class_",
        cascade="all, delete-orphan",
        order_by=lambda: (ClassGoal.kind.desc(), ClassGoal.number),
    )
    sessions: Mapped[list[ClassSession]] = relationship(
        back_populates="class_",
        cascade="all, delete-orphan",
        order_by=lambda: ClassSession.starts_at,
        passive_deletes=True,  # the database's ON DELETE CASCADE removes them
    )
    # Filled by classes.queries.public_classes in the listing's own statement (contains_eager
    # and with_expression): the next bookable session and how many are still to come.
    next_session: Mapped[ClassSession | None] = relationship(
        primaryjoin="ClassSession.class_id == Class.id", viewonly=True, uselist=False, lazy="raise"
    )
    upcoming_sessions: Mapped[int | None] = query_expression()

    @property
    def cover(self) -> Image | None:
        """The first photo, used on cards."""
        return self.photos[0].image if self.photos else None

    @classmethod
    def public_filter(cls):
        """SQL condition: active, and its artisan is public."""
        return (cls.status == ClassStatus.ACTIVE) & cls.artisan.has(Artisan.public_filter())

    def __repr__(self) -> str:
        return f"<Class {self.id} {self.slug} {self.status}>"


class ClassSession(db.Model):
    """One dated occurrence of a class, with its own seats.

    Seats are reserved by a conditional UPDATE on `seats_taken` (orders feature); seats freed
    while people wait are held for them in `seats_held` (waitlist). The CHECK constraints
    below are the last line of defence against overbooking.
    """

    __tablename__ = "class_sessions"
    __table_args__ = (
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("seats_taken >= 0", name="seats_not_negative"),
        CheckConstraint("seats_taken <= capacity", name="seats_within_capacity"),
        CheckConstraint("seats_held >= 0", name="held_not_negative"),
        CheckConstraint("seats_taken + seats_held <= capacity", name="holds_within_capacity"),
        Index("ix_class_sessions_class_starts", "class_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    capacity: Mapped[int]
    seats_taken: Mapped[int] = mapped_column(default=0)
    # Freed seats offered to someone on the waitlist: nobody else can book them meanwhile.
    seats_held: Mapped[int] = mapped_column(default=0)
    status: Mapped[SessionStatus] = mapped_column(
        enum_column(SessionStatus, "session_status"), default=SessionStatus.SCHEDULED
    )
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The class's minimum was reached: it runs, and the decision job leaves it alone.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Booked (or offered) as a whole to one group: never listed or sold seat by seat.
    private: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    class_: Mapped[Class] = relationship(back_populates="sessions")

    @property
    def is_confirmed(self) -> bool:
        """The minimum was reached: the session runs."""
        return self.confirmed_at is not None and not self.is_cancelled

    @property
    def decides_at(self) -> datetime:
        """When it is confirmed or cancelled for lack of people (UTC)."""
        return self.starts_at - timedelta(hours=self.class_.decision_hours)

    @property
    def decided_by_count(self) -> bool:
        """Whether the decision time can cancel it: a session scheduled after its decision
        time (added at short notice) runs whatever the count."""
        created = self.created_at or utcnow()
        return created <= self.decides_at

    @property
    def seats_to_run(self) -> int:
        """More people needed to reach the class's minimum (0 once reached)."""
        return max(0, self.class_.min_participants - self.seats_taken)

    def awaits_minimum(self, now: datetime) -> bool:
        """Short of its minimum, with the decision still to come: it may yet be cancelled."""
        return (
            not self.is_cancelled
            and self.confirmed_at is None
            and self.seats_to_run > 0
            and self.decided_by_count
            and now < self.decides_at
        )

    @property
    def seats_left(self) -> int:
        """Seats anyone may book now (0 when full); held seats belong to waitlist offers."""
        return max(0, self.capacity - self.seats_taken - self.seats_held)

    @property
    def is_cancelled(self) -> bool:
        """The artisan cancelled this session."""
        return self.status == SessionStatus.CANCELLED

    @property
    def is_full(self) -> bool:
        """No seat left."""
        return self.seats_left == 0

    @property
    def ends_at(self) -> datetime:
        """When the session ends (UTC), from the class's duration."""
        return self.starts_at + timedelta(minutes=self.class_.duration_minutes)

    def local_start(self) -> datetime:
        """The start in the class's own time zone (what the artisan typed)."""
        return to_local(self.starts_at, self.class_.timezone)

    def local_end(self) -> datetime:
        """The end in the class's own time zone."""
        return to_local(self.ends_at, self.class_.timezone)

    def __repr__(self) -> str:
        return f"<ClassSession {self.id} class={self.class_id} {self.starts_at:%Y-%m-%dT%H:%MZ}>"


class ClassPhoto(db.Model):
    """A photo of a class, in the order the artisan chose."""

    __tablename__ = "class_photos"
    __table_args__ = (UniqueConstraint("class_id", "image_id", name="uq_class_photos_image"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    image_id: Mapped[int] = mapped_column(ForeignKey("images.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)

    class_: Mapped[Class] = relationship(back_populates="photos")
    image: Mapped[Image] = relationship(lazy="joined")


class ClassGoal(GoalLink, db.Model):
    """A goal a class supports (defaults to its artisan's)."""

    __tablename__ = "class_goals"
    owner_column = "class_id"

    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))

    class_: Mapped[Class] = relationship(back_populates="goals")


class WaitlistStatus(LabelledEnum):
    """A place in a full session's queue (transitions: shop/waitlist/services.py)."""

    WAITING = "waiting"
    OFFERED = "offered"  # seats are held for them until offer_expires_at
    BOOKED = "booked"  # they placed an order with the held seats
    EXPIRED = "expired"  # the offer ran out and passed to the next person
    DECLINED = "declined"  # they let the offer go
    LEFT = "left"  # they left the queue before any offer
    CANCELLED = "cancelled"  # the artisan cancelled the session

    @classmethod
    def labels(cls) -> dict:
        return {
            cls.WAITING: _l("waiting"),
            cls.OFFERED: _l("seats held, offer sent"),
            cls.BOOKED: _l("booked"),
            cls.EXPIRED: _l("offer expired"),
            cls.DECLINED: _l("offer declined"),
            cls.LEFT: _l("left the waitlist"),
            cls.CANCELLED: _l("session cancelled"),
        }


ACTIVE_WAITLIST = (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)
_ACTIVE_SQL = text("status IN ('waiting', 'offered')")


def new_waitlist_token() -> str:
    """The unguessable part of a waitlist place's private link (sent by e-mail)."""
    return secrets.token_urlsafe(24)


class WaitlistEntry(db.Model):
    """Someone waiting for seats in a full session, first come first served."""

    __tablename__ = "waitlist_entries"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(
            "status <> 'offered' OR offer_expires_at IS NOT NULL", name="offer_has_expiry"
        ),
        # One live place per e-mail and session: a double submit cannot queue twice.
        Index(
            "uq_waitlist_entries_active_email",
            "session_id",
            "email",
            unique=True,
            sqlite_where=_ACTIVE_SQL,
            postgresql_where=_ACTIVE_SQL,
        ),
        Index("ix_waitlist_entries_session_queue", "session_id", "status", "id"),
        Index("ix_waitlist_entries_status_expiry", "status", "offer_expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("class_sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_waitlist_token)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(120))
    locale: Mapped[str] = mapped_column(String(8), default="es")
    quantity: Mapped[int]
    attendee_names: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[WaitlistStatus] = mapped_column(
        enum_column(WaitlistStatus, "waitlist_status"), default=WaitlistStatus.WAITING
    )
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    # A guest's place counts (gets offers) only once the address is confirmed from the e-mail;
    # a verified account's place is confirmed when it joins.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    session: Mapped[ClassSession] = relationship()
    order: Mapped[Order | None] = relationship("Order")

    @property
    def attendees(self) -> list[str]:
        """Names given for the seats, one per line."""
        return [name for name in self.attendee_names.splitlines() if name.strip()]

    @property
    def is_confirmed(self) -> bool:
        """The address was proven: the place is in line for offers."""
        return self.confirmed_at is not None

    @property
    def is_active(self) -> bool:
        """Still waiting, or holding an offer."""
        return self.status in ACTIVE_WAITLIST

    def __repr__(self) -> str:
        return f"<WaitlistEntry {self.id} session={self.session_id} {self.status}>"
