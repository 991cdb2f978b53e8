"""Payments: attempts at a gateway, refunds, and webhook events already handled."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.auth.models import User
from shop.core.db import enum_column
from shop.core.states import LabelledEnum
from shop.core.time import UTCDateTime, utcnow
from shop.extensions import db
from shop.orders.models import Order, OrderLine


class ProcessedEvent(db.Model):
    """A gateway event id seen once (the primary key refuses a second insert)."""

    __tablename__ = "processed_events"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(80))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PaymentStatus(enum.StrEnum):
    """A payment attempt's state at the gateway."""

    CREATED = "created"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Payment(db.Model):
    """One attempt to pay an order through a gateway."""

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("gateway", "gateway_ref", name="uq_payments_gateway_ref"),
        CheckConstraint("amount_cents >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    gateway: Mapped[str] = mapped_column(String(16))
    gateway_ref: Mapped[str] = mapped_column(String(120))
    amount_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[PaymentStatus] = mapped_column(
        enum_column(PaymentStatus, "payment_status"), default=PaymentStatus.CREATED
    )
    failure_reason: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    order: Mapped[Order] = relationship(back_populates="payments")


class RefundStatus(LabelledEnum):
    """Where a recorded refund stands at the gateway."""

    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    @classmethod
    def labels(cls) -> dict:
        return {
            cls.PENDING: _l("in progress"),
            cls.SUCCEEDED: _l("refunded"),
            cls.FAILED: _l("failed"),
        }


def new_refund_key() -> str:
    """The refund's idempotency key, fixed when it is recorded and sent with every attempt.

    Random rather than the row id: two databases (development, staging) sharing one Stripe
    account would otherwise send the same key for different refunds.
    """
    return f"taller-refund-{secrets.token_hex(16)}"


class Refund(db.Model):
    """Money given back for a line or the whole order: recorded first (pending), then sent
    to the gateway after the commit, and the answer recorded (see payments.settlement)."""

    __tablename__ = "refunds"
    __table_args__ = (CheckConstraint("amount_cents > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    line_id: Mapped[int | None] = mapped_column(ForeignKey("order_lines.id", ondelete="SET NULL"))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    amount_cents: Mapped[int]
    reason: Mapped[str] = mapped_column(String(300), default="")
    gateway_ref: Mapped[str | None] = mapped_column(String(120))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[RefundStatus] = mapped_column(
        enum_column(RefundStatus, "refund_status"), default=RefundStatus.PENDING, index=True
    )
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True, default=new_refund_key)
    attempted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # last call to the gateway
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # when the gateway said yes
    last_error: Mapped[str | None] = mapped_column(String(300))

    order: Mapped[Order] = relationship()
    payment: Mapped[Payment | None] = relationship()
    line: Mapped[OrderLine | None] = relationship()
    actor: Mapped[User | None] = relationship()
