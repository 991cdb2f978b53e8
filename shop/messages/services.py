"""Starting conversations, sending messages (each e-mailed to the other side after the
commit), reading, reporting, and the admins' audited reading of a reported conversation."""

from __future__ import annotations

import enum
import logging

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from shop.artisans.models import Artisan, ArtisanEvent
from shop.auth.models import User
from shop.catalog.models import Product
from shop.classes.models import Class
from shop.core.errors import NotAllowed, ValidationFailed
from shop.core.time import utcnow
from shop.extensions import db
from shop.mail import email_after_commit
from shop.media.models import Image
from shop.messages.models import BODY_MAX, REASON_MAX, Conversation, ConversationKind, Message
from shop.orders.models import OrderGroup, OrderLine, OrderStatus

log = logging.getLogger(__name__)
CK = ConversationKind
# Orders one can talk about: paid, or once paid (an unpaid order may still vanish).
TALKABLE = (
    OrderStatus.PAID,
    OrderStatus.FULFILLED,
    OrderStatus.PARTIALLY_REFUNDED,
    OrderStatus.REFUNDED,
)


class Side(enum.StrEnum):
    """Which party of a conversation someone is."""

    CUSTOMER = "customer"
    ARTISAN = "artisan"


def side_of(conversation: Conversation, user: User) -> Side | None:
    """The user's side in the conversation, or None for anyone else (admins included)."""
    if conversation.customer_id == user.id:
        return Side.CUSTOMER
    if conversation.artisan.user_id == user.id:
        return Side.ARTISAN
    return None


def find(topic: str) -> Conversation | None:
    """The conversation about this topic, if it was started."""
    return db.session.scalar(select(Conversation).where(Conversation.topic == topic))


def _create(**values) -> Conversation:
    conversation = Conversation(**values)
    db.session.add(conversation)
    try:
        db.session.flush()
    except IntegrityError:  # the same conversation started twice at once: the first stands
        raise ValidationFailed(str(_l("Please send your message again."))) from None
    return conversation


# Before buying: a question about a product, a class or the workshop


def question_topic(customer: User, listing: Product | Class | Artisan) -> tuple[str, Artisan]:
    """The topic key of a customer's question about a listing, and the workshop it goes to."""
    if isinstance(listing, Artisan):
        return f"artisan:{customer.id}:{listing.id}", listing
    kind = "product" if isinstance(listing, Product) else "class"
    return f"{kind}:{customer.id}:{listing.id}", listing.artisan


def check_may_ask(customer: User, listing: Product | Class | Artisan) -> None:
    """Questions come from accounts with a confirmed e-mail, about public listings, to others."""
    _, artisan = question_topic(customer, listing)
    if not artisan.is_public:
        raise NotAllowed()
    if artisan.user_id == customer.id:
        raise NotAllowed(str(_l("This is your own workshop.")))
    if not customer.is_verified:
        raise NotAllowed(
            str(_l("Confirm your e-mail address first: the link is in the e-mail we sent you."))
        )


def ask(customer: User, listing: Product | Class | Artisan) -> Conversation:
    """The customer's question conversation about a listing (found, or started now)."""
    check_may_ask(customer, listing)
    topic, artisan = question_topic(customer, listing)
    return find(topic) or _create(
        topic=topic,
        kind=CK.QUESTION,
        customer_id=customer.id,
        artisan_id=artisan.id,
        product_id=listing.id if isinstance(listing, Product) else None,
        class_id=listing.id if isinstance(listing, Class) else None,
        subject=(listing.shop_name if isinstance(listing, Artisan) else listing.title)[:200],
    )


# After buying: an artisan's part of an order, or a booking


def check_order_party(group: OrderGroup, user: User) -> None:
    """Only the order's customer (with an account) and the group's artisan, once paid."""
    order = group.order
    if user.id not in (order.user_id, group.artisan.user_id):
        raise NotAllowed()
    if order.user_id is None:
        raise NotAllowed(str(_l("This order was placed without an account.")))
    if order.status not in TALKABLE:
        raise NotAllowed(str(_l("Messages open once the order is paid.")))


def order_topic(group: OrderGroup) -> str:
    return f"order:{group.id}"


def booking_topic(line: OrderLine) -> str:
    return f"booking:{line.id}"


def about_order(group: OrderGroup, user: User) -> Conversation:
    """The conversation of a customer and an artisan about the artisan's part of an order."""
    check_order_party(group, user)
    return find(order_topic(group)) or _create(
        topic=order_topic(group),
        kind=CK.ORDER,
        customer_id=group.order.user_id,
        artisan_id=group.artisan_id,
        group_id=group.id,
        subject=str(_l("Order %(ref)s", ref=group.order.reference))[:200],
    )


def about_booking(line: OrderLine, user: User) -> Conversation:
    """The conversation of a customer and an artisan about one booking."""
    if not line.is_seat or line.session is None:
        raise NotAllowed()
    check_order_party(line.group, user)
    return find(booking_topic(line)) or _create(
        topic=booking_topic(line),
        kind=CK.BOOKING,
        customer_id=line.order.user_id,
        artisan_id=line.group.artisan_id,
        group_id=line.group_id,
        line_id=line.id,
        class_id=line.session.class_id,
        subject=line.title[:200],
    )


# Messages


def send(
    conversation: Conversation,
    sender: User,
    body: str,
    image: Image | None = None,
    client_token: str | None = None,
) -> Message:
    """Add a message; the other side is e-mailed (text and link) once the request commits."""
    side = side_of(conversation, sender)
    if side is None:
        raise NotAllowed()
    body = body.strip()
    if not body and image is None:
        raise ValidationFailed(str(_l("Write a message.")), field="body")
    if len(body) > BODY_MAX:
        raise ValidationFailed(str(_l("At most %(n)d characters.", n=BODY_MAX)), field="body")
    if client_token:
        earlier = db.session.scalar(select(Message).where(Message.client_token == client_token))
        if earlier is not None and earlier.conversation_id == conversation.id:
            return earlier  # the same form sent twice
    message = Message(
        conversation=conversation,
        sender_id=sender.id,
        body=body,
        image_id=image.id if image else None,
        client_token=client_token or None,
    )
    db.session.add(message)
    try:
        db.session.flush()
    except IntegrityError:  # its twin submit won the race
        raise ValidationFailed(str(_l("This message was already sent."))) from None
    conversation.last_message_at = message.created_at
    _mark(conversation, side, message.id)
    _notify(conversation, side, message)
    return message


def _notify(conversation: Conversation, from_side: Side, message: Message) -> None:
    if from_side == Side.CUSTOMER:
        recipient = conversation.artisan.user
        sender_name = conversation.customer.name
    else:
        recipient = conversation.customer
        sender_name = conversation.artisan.public_name
    email_after_commit(
        recipient.email,
        "new_message",
        locale=recipient.locale,
        conversation=conversation,
        message=message,
        sender_name=sender_name,
        for_artisan=from_side == Side.CUSTOMER,
    )


def _mark(conversation: Conversation, side: Side, message_id: int) -> None:
    column = (
        Conversation.customer_read_id if side == Side.CUSTOMER else Conversation.artisan_read_id
    )
    db.session.execute(
        update(Conversation)
        .where(Conversation.id == conversation.id, column < message_id)
        .values({column: message_id})
        .execution_options(synchronize_session=False)
    )
    db.session.expire(conversation, [column.key])


def mark_read(conversation: Conversation, user: User, up_to: int) -> None:
    """The user saw the conversation up to this message (never moves backwards)."""
    side = side_of(conversation, user)
    if side is None:
        raise NotAllowed()
    newest = max((m.id for m in conversation.messages), default=0)
    _mark(conversation, side, min(up_to, newest))


def report(conversation: Conversation, user: User, reason: str) -> Conversation:
    """A party reports the conversation: the admins may now read it (the first report stays)."""
    if side_of(conversation, user) is None:
        raise NotAllowed()
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(str(_l("Tell us what is wrong.")), field="reason")
    if len(reason) > REASON_MAX:
        raise ValidationFailed(str(_l("At most %(n)d characters.", n=REASON_MAX)), field="reason")
    db.session.execute(
        update(Conversation)
        .where(Conversation.id == conversation.id, Conversation.reported_at.is_(None))
        .values(reported_at=utcnow(), reported_by_id=user.id, report_reason=reason)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(conversation)
    return conversation


def disputed(conversation: Conversation) -> bool:
    """Attached to an order the admins are reviewing (a payment problem, a refund to settle)."""
    return conversation.group is not None and conversation.group.order.needs_review


def admin_read(conversation: Conversation, admin: User) -> Conversation:
    """An admin opens a reported or disputed conversation; the reading goes in the audit log."""
    if not admin.is_admin:
        raise NotAllowed()
    if conversation.reported_at is not None:
        why = f"reported: {conversation.report_reason}"
    elif disputed(conversation):
        why = f"order {conversation.group.order.reference} under review"
    else:
        raise NotAllowed(
            str(_l("Admins read a conversation only when it is reported or its order is disputed."))
        )
    db.session.add(
        ArtisanEvent(
            artisan_id=conversation.artisan_id,
            actor_id=admin.id,
            action="conversation_read",
            reason=f"conversation {conversation.id} ({why})"[:2000],
        )
    )
    log.info("admin %s read conversation %s", admin.id, conversation.id)
    return conversation
