"""Payments: attempts at a gateway, refunds, and webhook events already handled."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.core.db import enum_column
from shop.core.time import UTCDateTime, utcnow
from shop.extensions import db
from shop.orders.models import Order


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


class Refund(db.Model):
    """Money given back for a line or the whole order, through the gateway."""

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
