"""Conversation lists for each side, unread counts for the header, the admins' queue."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import false, func, or_, select
from sqlalchemy.orm import selectinload

from shop.artisans.models import Artisan
from shop.auth.models import User
from shop.extensions import db
from shop.messages.models import Conversation, Message
from shop.orders.models import Order, OrderGroup


@dataclass(frozen=True)
class Row:
    """A conversation in a list, with how many of its messages this side has not seen."""

    conversation: Conversation
    unread: int


def _unread_for(read_column, me: int):
    """Messages newer than what this side has seen, written by the other side."""
    return (
        select(func.count(Message.id))
        .where(
            Message.conversation_id == Conversation.id,
            Message.id > read_column,
            or_(Message.sender_id.is_(None), Message.sender_id != me),
        )
        .correlate(Conversation)
        .scalar_subquery()
    )


def _rows(condition, read_column, me: int) -> list[Row]:
    unread = _unread_for(read_column, me)
    result = db.session.execute(
        select(Conversation, unread)
        .where(condition)
        .options(selectinload(Conversation.customer), selectinload(Conversation.artisan))
        .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
        .limit(200)
    )
    return [Row(conversation, count) for conversation, count in result]


def for_customer(user: User) -> list[Row]:
    """The customer's conversations, latest activity first."""
    return _rows(Conversation.customer_id == user.id, Conversation.customer_read_id, user.id)


def for_artisan(artisan: Artisan) -> list[Row]:
    """The workshop's conversations, latest activity first."""
    return _rows(
        Conversation.artisan_id == artisan.id, Conversation.artisan_read_id, artisan.user_id
    )


def unread_count(user: User) -> int:
    """Messages waiting for this account, as a customer and as an artisan (one query)."""
    as_customer = (Conversation.customer_id == user.id) & (
        Message.id > Conversation.customer_read_id
    )
    artisan = user.artisan
    as_artisan = (
        (Conversation.artisan_id == artisan.id) & (Message.id > Conversation.artisan_read_id)
        if artisan is not None
        else false()
    )
    return db.session.scalar(
        select(func.count(Message.id))
        .join(Message.conversation)
        .where(
            or_(as_customer, as_artisan),
            or_(Message.sender_id.is_(None), Message.sender_id != user.id),
        )
    )


def admin_queue():
    """A select() of the conversations admins may open: reported, or about an order under
    review. Only who and why are listed; the words stay closed until opened (audited)."""
    disputed_groups = (
        select(OrderGroup.id).join(OrderGroup.order).where(Order.needs_review.is_(True))
    )
    return (
        select(Conversation)
        .where(Conversation.reported_at.is_not(None) | Conversation.group_id.in_(disputed_groups))
        .options(selectinload(Conversation.customer), selectinload(Conversation.artisan))
        .order_by(Conversation.reported_at.desc().nulls_last(), Conversation.id.desc())
    )
