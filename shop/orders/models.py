"""Orders: one per checkout, a group per artisan, a line per item; plus saved carts."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.artisans.models import Artisan
from shop.auth.models import User
from shop.catalog.models import Product
from shop.classes.models import ClassSession
from shop.core.db import enum_column
from shop.core.money import DEFAULT_CURRENCY
from shop.core.states import LabelledEnum
from shop.core.time import UTCDateTime, utcnow
from shop.extensions import db

if TYPE_CHECKING:
    from shop.payments.models import Payment

# Letters and digits that cannot be confused when read aloud or copied by hand.
_REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_reference() -> str:
    """A short order number for people: 'T-7K3M9Q2H' (not a secret)."""
    return "T-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))


def new_access_token() -> str:
    """The unguessable part of an order's private link."""
    return secrets.token_urlsafe(24)


class OrderStatus(LabelledEnum):
    """Lifecycle of an order as a whole."""

    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"

    @classmethod
    def labels(cls) -> dict:
        return {
            cls.PENDING_PAYMENT: _l("waiting for payment"),
            cls.PAID: _l("paid"),
            cls.FULFILLED: _l("completed"),
            cls.CANCELLED: _l("cancelled"),
            cls.REFUNDED: _l("refunded"),
            cls.PARTIALLY_REFUNDED: _l("partly refunded"),
        }


class FulfilmentStatus(LabelledEnum):
    """An artisan's progress on their part of an order."""

    NEW = "new"
    READY_FOR_PICKUP = "ready_for_pickup"
    SHIPPED = "shipped"
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    @classmethod
    def labels(cls) -> dict:
        return {
            cls.NEW: _l("new"),
            cls.READY_FOR_PICKUP: _l("ready for pickup"),
            cls.SHIPPED: _l("shipped"),
            cls.COMPLETED: _l("completed"),
            cls.CANCELLED: _l("cancelled"),
        }


class Delivery(enum.StrEnum):
    """How an artisan's part reaches the customer."""

    PICKUP = "pickup"
    SHIPPING = "shipping"


class Order(db.Model):
    """A customer's checkout: what they bought from whom, and what they paid."""

    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("subtotal_cents >= 0 AND shipping_cents >= 0", name="amounts_not_negative"),
        CheckConstraint("total_cents = subtotal_cents + shipping_cents", name="total_adds_up"),
        CheckConstraint(
            "refunded_cents >= 0 AND refunded_cents <= paid_cents", name="refund_within_paid"
        ),
        CheckConstraint("paid_cents >= 0 AND paid_cents <= total_cents", name="paid_within_total"),
        Index("ix_orders_status_hold", "status", "hold_expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True, default=new_reference)
    access_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_access_token)
    # Set from the checkout form; a second submit of the same form finds the first order.
    checkout_token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(40), default="")
    locale: Mapped[str] = mapped_column(String(8), default="es")
    status: Mapped[OrderStatus] = mapped_column(
        enum_column(OrderStatus, "order_status"), default=OrderStatus.PENDING_PAYMENT
    )
    currency: Mapped[str] = mapped_column(String(3), default=DEFAULT_CURRENCY)
    subtotal_cents: Mapped[int] = mapped_column(default=0)
    shipping_cents: Mapped[int] = mapped_column(default=0)
    total_cents: Mapped[int] = mapped_column(default=0)
    paid_cents: Mapped[int] = mapped_column(default=0)
    refunded_cents: Mapped[int] = mapped_column(default=0)
    hold_expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Reservations (stock, seats) are given back once: this marks that it happened.
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    needs_review: Mapped[bool] = mapped_column(default=False)
    review_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User | None] = relationship()
    groups: Mapped[list[OrderGroup]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by=lambda: OrderGroup.id
    )
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by=lambda: OrderLine.id
    )
    payments: Mapped[list[Payment]] = relationship(back_populates="order", order_by="Payment.id")

    @property
    def refundable_cents(self) -> int:
        """What may still be refunded: paid minus already refunded."""
        return self.paid_cents - self.refunded_cents


class OrderGroup(db.Model):
    """One artisan's part of an order, with its delivery choice and progress."""

    __tablename__ = "order_groups"
    __table_args__ = (
        UniqueConstraint("order_id", "artisan_id", name="uq_order_groups_artisan"),
        CheckConstraint("shipping_cents >= 0", name="shipping_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    artisan_id: Mapped[int] = mapped_column(ForeignKey("artisans.id"), index=True)
    delivery: Mapped[Delivery] = mapped_column(enum_column(Delivery, "delivery"))
    shipping_cents: Mapped[int] = mapped_column(default=0)
    address: Mapped[str] = mapped_column(Text, default="")  # only when shipping
    status: Mapped[FulfilmentStatus] = mapped_column(
        enum_column(FulfilmentStatus, "fulfilment_status"), default=FulfilmentStatus.NEW
    )
    tracking_note: Mapped[str] = mapped_column(String(300), default="")
    # When the artisan marked it completed (reviews of its products open then).
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    order: Mapped[Order] = relationship(back_populates="groups")
    artisan: Mapped[Artisan] = relationship()
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="group", order_by=lambda: OrderLine.id
    )

    @property
    def subtotal_cents(self) -> int:
        """Sum of this artisan's lines."""
        return sum(line.total_cents for line in self.lines)

    @property
    def is_class_only(self) -> bool:
        """Only class seats: nothing is picked up or shipped ("Class in person", not "pickup")."""
        return bool(self.lines) and all(line.is_seat for line in self.lines)


class OrderLine(db.Model):
    """One item bought: a copy of its title and price at order time."""

    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price_cents >= 0", name="price_not_negative"),
        CheckConstraint("total_cents = unit_price_cents * quantity", name="total_adds_up"),
        CheckConstraint(
            "refunded_cents >= 0 AND refunded_cents <= total_cents", name="refund_within_total"
        ),
        CheckConstraint(
            "restocked_quantity >= 0 AND restocked_quantity <= quantity",
            name="restock_within_quantity",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("order_groups.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16), default="product")
    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("products.id", ondelete="SET NULL"), index=True
    )
    # Class seats: the session booked, who attends, and the booking's own lifecycle.
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("class_sessions.id", ondelete="SET NULL"), index=True
    )
    attendee_names: Mapped[str] = mapped_column(Text, default="")
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    title: Mapped[str] = mapped_column(String(200))
    unit_price_cents: Mapped[int]
    quantity: Mapped[int]
    total_cents: Mapped[int]
    refunded_cents: Mapped[int] = mapped_column(default=0)
    restocked_quantity: Mapped[int] = mapped_column(default=0)

    order: Mapped[Order] = relationship(back_populates="lines")
    group: Mapped[OrderGroup] = relationship(back_populates="lines")
    product: Mapped[Product | None] = relationship()
    session: Mapped[ClassSession | None] = relationship()

    @property
    def is_seat(self) -> bool:
        """True for a class booking, False for a product."""
        return self.kind == "seat"

    @property
    def attendees(self) -> list[str]:
        """Names given for the seats, one per line."""
        return [name for name in self.attendee_names.splitlines() if name.strip()]


class OrderEvent(db.Model):
    """Audit trail of an order: status changes, payments, refunds, notes."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    actor: Mapped[User | None] = relationship()


class CartItem(db.Model):
    """A saved cart line of a logged-in customer (guests keep theirs in the session)."""

    __tablename__ = "cart_items"
    __table_args__ = (
        UniqueConstraint("user_id", "product_id", name="uq_cart_items_product"),
        UniqueConstraint("user_id", "session_id", name="uq_cart_items_session"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("(product_id IS NULL) <> (session_id IS NULL)", name="one_item"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("class_sessions.id", ondelete="CASCADE")
    )
    attendee_names: Mapped[str] = mapped_column(Text, default="")
    quantity: Mapped[int]
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
