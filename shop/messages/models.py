"""Conversations (a question, an order group or a booking) and their messages."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.artisans.models import Artisan
from shop.auth.models import User
from shop.core.db import enum_column
from shop.core.states import LabelledEnum
from shop.core.time import UTCDateTime, utcnow
from shop.extensions import db
from shop.media.models import Image
from shop.orders.models import OrderGroup, OrderLine

BODY_MAX = 2000
REASON_MAX = 500


class ConversationKind(LabelledEnum):
    """What a conversation is about."""

    QUESTION = "question"  # before buying: a product, a class or the workshop
    ORDER = "order"  # one artisan's part of an order
    BOOKING = "booking"  # seats of a class session

    @classmethod
    def labels(cls) -> dict:
        return {
            cls.QUESTION: _l("question"),
            cls.ORDER: _l("order"),
            cls.BOOKING: _l("booking"),
        }


class Conversation(db.Model):
    """One customer and one workshop talking about one thing."""

    __tablename__ = "conversations"
    __table_args__ = (
        CheckConstraint(
            "report_reason IS NULL OR length(report_reason) <= 500", name="reason_length"
        ),
        Index("ix_conversations_customer_last", "customer_id", "last_message_at"),
        Index("ix_conversations_artisan_last", "artisan_id", "last_message_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # "product:<customer>:<id>", "order:<group>", ...: unique, so starting twice finds the first.
    topic: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[ConversationKind] = mapped_column(
        enum_column(ConversationKind, "conversation_kind")
    )
    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    artisan_id: Mapped[int] = mapped_column(ForeignKey("artisans.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("order_groups.id", ondelete="CASCADE"), index=True
    )
    line_id: Mapped[int | None] = mapped_column(
        ForeignKey("order_lines.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The last message id each side has seen: later messages from the other side are unread.
    customer_read_id: Mapped[int] = mapped_column(default=0)
    artisan_read_id: Mapped[int] = mapped_column(default=0)
    # A report opens the conversation to the admins (each reading is audited).
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    report_reason: Mapped[str | None] = mapped_column(Text)

    customer: Mapped[User] = relationship(foreign_keys=[customer_id])
    artisan: Mapped[Artisan] = relationship()
    group: Mapped[OrderGroup | None] = relationship()
    line: Mapped[OrderLine | None] = relationship()
    messages: Mapped[list[Message]] = relationship(
        back_populates="conversation",
        order_by=lambda: Message.id,
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def __repr__(self) -> str:
        return f"<Conversation {self.id} {self.topic}>"


class Message(db.Model):
    """What one side wrote (and maybe a photo)."""

    __tablename__ = "messages"
    __table_args__ = (CheckConstraint(f"length(body) <= {BODY_MAX}", name="body_length"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text, default="")
    image_id: Mapped[int | None] = mapped_column(ForeignKey("images.id", ondelete="SET NULL"))
    # From the form: a second submit of the same form finds the first message.
    client_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    conversation: Mapped[Conversation] = relationship(back_populates="messages")
    sender: Mapped[User | None] = relationship()
    image: Mapped[Image | None] = relationship()
