"""Requests for a private session of a class on a date of the customer's choosing."""

from __future__ import annotations

import secrets
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.classes.models import Class, ClassSession, WaitlistEntry
from shop.core.db import enum_column
from shop.core.states import LabelledEnum
from shop.core.time import UTCDateTime, utcnow
from shop.extensions import db


class PrivateRequestStatus(LabelledEnum):
    """A request waits for the artisan, who offers a session (seats held) or declines."""

    REQUESTED = "requested"
    OFFERED = "offered"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"

    @classmethod
    def labels(cls) -> dict:
        return {
            cls.REQUESTED: _l("waiting for the artisan"),
            cls.OFFERED: _l("session offered"),
            cls.DECLINED: _l("declined"),
            cls.WITHDRAWN: _l("withdrawn"),
        }


def new_request_token() -> str:
    """The unguessable part of a request's private link."""
    return secrets.token_urlsafe(24)


class PrivateRequest(db.Model):
    """A customer asks an artisan for a private session of a class on a given day."""

    __tablename__ = "private_requests"
    __table_args__ = (
        CheckConstraint("party_size > 0", name="party_positive"),
        Index("ix_private_requests_class_status", "class_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_request_token)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(8), default="es")
    wanted_on: Mapped[date]
    party_size: Mapped[int]
    attendee_names: Mapped[str] = mapped_column(Text, default="")  # one per line
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[PrivateRequestStatus] = mapped_column(
        enum_column(PrivateRequestStatus, "private_request_status"),
        default=PrivateRequestStatus.REQUESTED,
    )
    # The held session and the offer (a waitlist place holding every seat) once accepted.
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("class_sessions.id", ondelete="SET NULL")
    )
    offer_id: Mapped[int | None] = mapped_column(
        ForeignKey("waitlist_entries.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    class_: Mapped[Class] = relationship()
    session: Mapped[ClassSession | None] = relationship()
    offer: Mapped[WaitlistEntry | None] = relationship()

    def __repr__(self) -> str:
        return f"<PrivateRequest {self.id} class={self.class_id} {self.status}>"
