"""Private sessions: a group has a whole session of a class to itself.

A customer asks for a day (a PrivateRequest); the artisan accepts by scheduling a private
session for that group and holding every seat for them, through the held-seat mechanism of
the waitlist: the customer gets a waitlist offer (a place already `offered`) and books it like
any offer, so the seats become theirs in the order's transaction and nobody else can take
them meanwhile. Private sessions are never listed. The group pays each seat at the class's
price, or its share of the artisan's minimum when that is more (classes.policy).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from shop.auth.models import User
from shop.classes import services as classes
from shop.classes.models import Class, ClassSession, SessionStatus, WaitlistEntry, WaitlistStatus
from shop.classes.services import attendee_names
from shop.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from shop.core.states import StateMachine
from shop.core.time import utcnow
from shop.extensions import db
from shop.inventory import services as inventory
from shop.mail import email_after_commit
from shop.waitlist.models import PrivateRequest, PrivateRequestStatus
from shop.waitlist.services import OFFER_MARGIN

log = logging.getLogger(__name__)
R = PrivateRequestStatus

REQUEST_STATES = StateMachine(
    PrivateRequest,
    {
        "offer": ({R.REQUESTED}, R.OFFERED),
        "decline": ({R.REQUESTED}, R.DECLINED),
        "withdraw": ({R.REQUESTED}, R.WITHDRAWN),
    },
)
# How long the group has to book the session the artisan offered.
PRIVATE_OFFER_TIME = timedelta(hours=72)
MAX_DAYS_AHEAD = 365
MAX_OPEN_REQUESTS = 5  # per customer and class: bounds what one account can flood


@dataclass
class PrivateRequestData:
    """A customer asks for a private session of a class."""

    class_id: int
    user_id: int
    wanted_on: date
    party_size: int
    attendees: list[str]
    message: str = ""
    locale: str = "es"


def offers_private(klass: Class) -> bool:
    """Whether the artisan lets groups book a whole session."""
    return klass.private_min_cents is not None


def request_private(data: PrivateRequestData, now: datetime | None = None) -> PrivateRequest:
    """Record a request for the artisan (a verified account asks; the artisan answers)."""
    now = now or utcnow()
    klass = db.session.scalar(select(Class).where(Class.id == data.class_id, Class.public_filter()))
    if klass is None or not offers_private(klass):
        raise NotAllowed(str(_l("This class does not offer private sessions.")))
    user = db.session.get(User, data.user_id)
    if user is None or not user.is_verified:
        raise NotAllowed(str(_l("Confirm your e-mail address first.")))
    today = now.date()
    if not today < data.wanted_on <= today + timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationFailed(
            str(_l("Choose a day from tomorrow to a year from now.")), field="wanted_on"
        )
    if not 1 <= data.party_size <= klass.max_participants:
        raise ValidationFailed(
            str(_l("A group of 1 to %(n)d people.", n=klass.max_participants)), field="party_size"
        )
    names = attendee_names(data.attendees, data.party_size)
    open_requests = db.session.scalars(
        select(PrivateRequest.id).where(
            PrivateRequest.class_id == klass.id,
            PrivateRequest.user_id == user.id,
            PrivateRequest.status == R.REQUESTED,
        )
    ).all()
    if len(open_requests) >= MAX_OPEN_REQUESTS:
        raise ValidationFailed(
            str(_l("You already have requests waiting for this class.")), field="wanted_on"
        )
    request = PrivateRequest(
        class_id=klass.id,
        user_id=user.id,
        name=user.name,
        email=user.email,
        locale=data.locale,
        wanted_on=data.wanted_on,
        party_size=data.party_size,
        attendee_names="\n".join(names),
        message=data.message.strip()[:2000],
    )
    db.session.add(request)
    db.session.flush()
    owner = klass.artisan
    email_after_commit(
        owner.user.email,
        "private_request",
        locale=owner.user.locale,
        request=request,
        artisan=owner,
    )
    log.info("private request %s for class %s", request.id, klass.id)
    return request


def requests_for_artisan(artisan_id: int) -> list[PrivateRequest]:
    """An artisan's requests, open ones first, newest first."""
    return list(
        db.session.scalars(
            select(PrivateRequest)
            .join(PrivateRequest.class_)
            .where(Class.artisan_id == artisan_id)
            .order_by((PrivateRequest.status == R.REQUESTED).desc(), PrivateRequest.id.desc())
            .limit(200)
        )
    )


def requests_of_user(user_id: int) -> list[PrivateRequest]:
    """A customer's requests, newest first."""
    return list(
        db.session.scalars(
            select(PrivateRequest)
            .where(PrivateRequest.user_id == user_id)
            .order_by(PrivateRequest.id.desc())
            .limit(100)
        )
    )


def accept(request: PrivateRequest, local_time: time, now: datetime | None = None):
    """The artisan schedules the requested day at `local_time` as a private session, with
    every seat held for the group; the customer is offered it (e-mail with the booking link)."""
    now = now or utcnow()
    klass = request.class_
    if request.status != R.REQUESTED:
        raise InvalidTransition(str(_l("This request was already answered.")))
    session = classes.add_session(klass, request.wanted_on, local_time, request.party_size, now=now)
    if session.starts_at - now < 2 * OFFER_MARGIN:
        raise ValidationFailed(
            str(_l("Choose a later time: the group needs time to book.")), field="time"
        )
    session.private = True
    if not inventory.hold_seats(session.id, request.party_size):
        raise ValidationFailed(str(_l("These seats could not be held.")), field="time")
    offer = WaitlistEntry(
        session_id=session.id,
        user_id=request.user_id,
        email=request.email,
        name=request.name,
        locale=request.locale,
        quantity=request.party_size,
        attendee_names=request.attendee_names,
        status=WaitlistStatus.OFFERED,  # a new place, offered from the start
        confirmed_at=now,
        offered_at=now,
        offer_expires_at=min(now + PRIVATE_OFFER_TIME, session.starts_at - OFFER_MARGIN),
    )
    db.session.add(offer)
    db.session.flush()
    if not REQUEST_STATES.move(
        request, "offer", session_id=session.id, offer_id=offer.id, decided_at=now
    ):
        raise InvalidTransition(str(_l("This request was already answered.")))
    email_after_commit(
        offer.email, "waitlist_offer", locale=offer.locale, entry=offer, session=session
    )
    log.info("private request %s offered as session %s", request.id, session.id)
    return session


def decline(request: PrivateRequest, now: datetime | None = None) -> None:
    """The artisan cannot teach that day."""
    REQUEST_STATES.require(request, "decline", decided_at=now or utcnow())


def book_whole_session(
    session_id: int, user_id: int, attendees: list[str], now: datetime | None = None
) -> WaitlistEntry:
    """A group takes an empty public session for itself: the session becomes private with as
    many seats as the group has, all held for it for the order hold time (the customer books
    them next, like an offer). If they do not, the session reopens to everyone."""
    now = now or utcnow()
    inventory.lock_sessions([session_id])
    session = db.session.scalar(
        select(ClassSession)
        .join(ClassSession.class_)
        .where(ClassSession.id == session_id, Class.public_filter())
        .execution_options(populate_existing=True)
    )
    if session is None or not offers_private(session.class_) or session.private:
        raise NotAllowed(str(_l("This session cannot be booked privately.")))
    if session.status != SessionStatus.SCHEDULED or session.starts_at <= now + OFFER_MARGIN:
        raise NotAllowed(str(_l("This session cannot be booked privately.")))
    if session.seats_taken or session.seats_held:
        raise NotAllowed(str(_l("Someone has booked this session already: book seats instead.")))
    user = db.session.get(User, user_id)
    if user is None or not user.is_verified:
        raise NotAllowed(str(_l("Confirm your e-mail address first.")))
    names = [name for name in attendees if name.strip()]
    if not 1 <= len(names) <= session.capacity:
        raise ValidationFailed(
            str(_l("Write one name per person: 1 to %(n)d.", n=session.capacity)),
            field="attendees",
        )
    names = list(attendee_names(names, len(names)))
    inventory.change_capacity(session, len(names))
    session.private = True
    if not inventory.hold_seats(session.id, len(names)):
        raise ValidationFailed(str(_l("These seats could not be held.")), field="attendees")
    hold = timedelta(minutes=current_app.config["ORDER_HOLD_MINUTES"])
    offer = WaitlistEntry(
        session_id=session.id,
        user_id=user.id,
        email=user.email,
        name=user.name,
        quantity=len(names),
        attendee_names="\n".join(names),
        status=WaitlistStatus.OFFERED,
        confirmed_at=now,
        offered_at=now,
        offer_expires_at=min(now + hold, session.starts_at - OFFER_MARGIN),
    )
    db.session.add(offer)
    db.session.flush()
    log.info("session %s held whole for user %s (%d people)", session.id, user.id, len(names))
    return offer
