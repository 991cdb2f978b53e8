"""Webhook events already handled, so a repeated delivery changes nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from shop.core.time import UTCDateTime, utcnow
from shop.extensions import db


class ProcessedEvent(db.Model):
    """A gateway event id seen once (the primary key refuses a second insert)."""

    __tablename__ = "processed_events"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(80))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
