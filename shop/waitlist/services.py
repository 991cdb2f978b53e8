"""Waitlists of full class sessions: first come, first served.

When seats free up (a booking is cancelled, an unpaid order expires, the artisan adds seats),
`offer_free_seats` holds them for the first people in the queue whose party fits, in
`ClassSession.seats_held`, and e-mails each an offer. Nobody else can book held seats. The
offer lasts WAITLIST_OFFER_HOURS (never past the start); booking it turns the held seats into
taken ones in the order's transaction, and an offer that runs out or is declined passes to the
next person. Every step is a conditional UPDATE, so racing requests and cron hosts act once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from shop.auth.models import User
from shop.classes.models import (
    ACTIVE_WAITLIST,
    Class,
    ClassSession,
    SessionStatus,
    WaitlistEntry,
    WaitlistStatus,
)
from shop.classes.services import attendee_names
from shop.core.errors import InvalidTransition, ValidationFailed
from shop.core.settings import WAITLIST_OFFER_HOURS
from shop.core.signals import artisan_public_again, classes_public_again, seats_freed
from shop.core.states import StateMachine
from shop.core.time import utcnow
from shop.extensions import db
from shop.inventory import services as inventory
from shop.inventory.services import lock_sessions
from shop.mail import email_after_commit
from shop.waitlist.models import PrivateRequest
from shop.waitlist.queries import position, queue_sizes

log = logging.getLogger(__name__)
W = WaitlistStatus

WAITLIST_STATES = StateMachine(
    WaitlistEntry,
    {
        "offer": ({W.WAITING}, W.OFFERED),
        "book": ({W.OFFERED}, W.BOOKED),
        "expire": ({W.OFFERED}, W.EXPIRED),
        "decline": ({W.OFFERED}, W.DECLINED),
        "leave": ({W.WAITING}, W.LEFT),
        "cancel": ({W.WAITING, W.OFFERED}, W.CANCELLED),
    },
)


MAX_QUEUE = 200  # live places per session: bounds what one address can flood
# Offers end this long before the start, and none is made with less than this to answer:
# seats freed in the last two hours stay open to anyone (a held seat nobody claims is lost).
OFFER_MARGIN = timedelta(hours=1)


class OfferExpired(ValidationFailed):
    """The held seats are no longer held for this person."""


@dataclass
class JoinRequest:
    """Someone asks to be told when seats of a full session free up."""

    session_id: int
    email: str
    name: str
    quantity: int
    attendees: list[str]
    user_id: int | None = None  # kept only when that account's address is verified
    locale: str = "es"


def _public_session(session_id: int, *, lock: bool = False) -> ClassSession | None:
    query = (
        select(ClassSession)
        .join(ClassSession.class_)
        .where(ClassSession.id == session_id, Class.public_filter())
    )
    if lock:  # shared: a cancellation or a freed seat waits for this join, and vice versa
        query = query.with_for_update(read=True, of=ClassSession).execution_options(
            populate_existing=True
        )
    return db.session.scalar(query)


def _active_entry(session_id: int, email: str) -> WaitlistEntry | None:
    return db.session.scalar(
        select(WaitlistEntry).where(
            WaitlistEntry.session_id == session_id,
            WaitlistEntry.email == email,
            WaitlistEntry.status.in_(ACTIVE_WAITLIST),
        )
    )


def _verified_account(user_id: int | None, email: str) -> int | None:
    """The account's id when it proved this very address; else None (it joins as a guest)."""
    if user_id is None:
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.is_verified or user.email != email:
        return None
    return user.id


def _live_places(session_id: int) -> int:
    """Confirmed places still in line: what the queue cap counts (unconfirmed ones cannot
    crowd out real people)."""
    return queue_sizes([session_id]).get(session_id, 0)


def join(request: JoinRequest, now: datetime | None = None) -> WaitlistEntry:
    """Queue up for a session that has fewer free seats than wanted; e-mails the private link.

    A verified account's place is in line at once. Anyone else (a guest, an account whose
    address is not proven yet) gets a place that counts only once confirmed from the e-mail:
    invented addresses can never hold freed seats, and nobody but the address's owner learns
    the place's private link.
    """
    now = now or utcnow()
    session = _public_session(request.session_id, lock=True)
    if session is None:
        raise ValidationFailed(str(_l("This class cannot be booked.")), field="session_id")
    if session.status != SessionStatus.SCHEDULED:
        raise ValidationFailed(str(_l("This session was cancelled.")), field="session_id")
    if session.starts_at <= now:
        raise ValidationFailed(str(_l("This session has already started.")), field="session_id")
    if not 1 <= request.quantity <= session.capacity:
        raise ValidationFailed(
            str(_l("Choose from 1 to %(n)d seats.", n=session.capacity)), field="quantity"
        )
    names = attendee_names(request.attendees, request.quantity)
    email = request.email.strip().lower()
    if "@" not in email or not request.name.strip():
        raise ValidationFailed(str(_l("Give your name and e-mail address.")), field="email")
    if session.seats_left >= request.quantity:
        raise ValidationFailed(
            str(_l("Seats are free right now: book them instead of waiting.")), field="quantity"
        )
    user_id = _verified_account(request.user_id, email)
    existing = _active_entry(session.id, email)
    if existing is not None and existing.user_id is None and user_id is not None:
        # Joined as a guest before; the account has proven the address, so the place is theirs.
        existing.user_id = user_id
        if existing.confirmed_at is None:
            existing.confirmed_at = now
        return existing
    if existing is not None:  # never hand over or move someone else's place
        raise ValidationFailed(
            str(_l("You are already on the waitlist for this session.")), field="email"
        )
    if _live_places(session.id) >= MAX_QUEUE:
        raise ValidationFailed(str(_l("The waitlist for this session is full.")), field="quantity")
    entry = WaitlistEntry(
        session_id=session.id,
        user_id=user_id,
        confirmed_at=now if user_id is not None else None,
        email=email,
        name=request.name.strip()[:120],
        locale=request.locale,
        quantity=request.quantity,
        attendee_names="\n".join(names),
    )
    db.session.add(entry)
    try:
        db.session.flush()
    except IntegrityError:  # a racing twin submit got there first (partial unique index)
        raise ValidationFailed(
            str(_l("You are already on the waitlist for this session.")), field="email"
        ) from None
    email_after_commit(
        entry.email,
        "waitlist_joined",
        locale=entry.locale,
        entry=entry,
        session=session,
        position=position(entry),
    )
    log.info("waitlist entry %s for session %s (%d seats)", entry.id, session.id, entry.quantity)
    return entry


def confirm(entry: WaitlistEntry, now: datetime | None = None) -> bool:
    """The guest opened the e-mailed link and confirmed: the place joins the line (keeping its
    turn) and may get freed seats at once. Returns False when it was already confirmed."""
    now = now or utcnow()
    lock_sessions([entry.session_id])
    if entry.confirmed_at is not None:
        return False
    if entry.status != W.WAITING:
        raise InvalidTransition(str(_l("You are no longer on this waitlist.")))
    if _live_places(entry.session_id) >= MAX_QUEUE:
        raise ValidationFailed(str(_l("The waitlist for this session is full.")))
    result = db.session.execute(
        update(WaitlistEntry)
        .where(
            WaitlistEntry.id == entry.id,
            WaitlistEntry.status == W.WAITING,
            WaitlistEntry.confirmed_at.is_(None),
        )
        .values(confirmed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(entry)
    if result.rowcount != 1:
        return False
    log.info("waitlist entry %s confirmed", entry.id)
    offer_free_seats(entry.session_id, now)
    db.session.refresh(entry)
    return True


def offer_free_seats(session_id: int, now: datetime | None = None) -> list[WaitlistEntry]:
    """Hold the session's free seats for the first waiting people whose party fits.

    Called in the transaction that freed the seats. The session row is locked first (on
    PostgreSQL), so two transactions freeing seats of one session offer them one after the
    other; someone needing more seats than are free keeps their place for a larger opening.
    """
    now = now or utcnow()
    session = db.session.scalar(
        select(ClassSession)
        .where(ClassSession.id == session_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if (
        session is None
        or session.status != SessionStatus.SCHEDULED
        or session.starts_at <= now
        or _public_session(session_id) is None
    ):
        return []
    free = session.capacity - session.seats_taken - session.seats_held
    expires_at = min(
        now + timedelta(hours=WAITLIST_OFFER_HOURS.get()),
        session.starts_at - OFFER_MARGIN,
    )
    if free <= 0 or expires_at - now < OFFER_MARGIN:
        return []
    waiting = db.session.scalars(
        select(WaitlistEntry)
        .where(
            WaitlistEntry.session_id == session_id,
            WaitlistEntry.status == W.WAITING,
            WaitlistEntry.confirmed_at.is_not(None),  # unconfirmed addresses never hold seats
            WaitlistEntry.quantity <= free,
        )
        .order_by(WaitlistEntry.id)
    ).all()
    offered = []
    for entry in waiting:
        if entry.quantity > free:
            continue
        if not inventory.hold_seats(session_id, entry.quantity):
            break  # the seats went meanwhile (cannot happen under the row lock; cheap to check)
        if not WAITLIST_STATES.move(entry, "offer", offered_at=now, offer_expires_at=expires_at):
            inventory.unhold_seats(session_id, entry.quantity)  # left the queue meanwhile
            continue
        free -= entry.quantity
        offered.append(entry)
        email_after_commit(
            entry.email, "waitlist_offer", locale=entry.locale, entry=entry, session=session
        )
        log.info(
            "waitlist entry %s offered %d seats of session %s", entry.id, entry.quantity, session_id
        )
        if free == 0:
            break
    db.session.refresh(session)
    return offered


def claim(entry: WaitlistEntry, now: datetime | None = None) -> None:
    """Take the offer while it lasts (inside the order's transaction, which has locked the
    session first; see place_order)."""
    now = now or utcnow()
    if not WAITLIST_STATES.move(entry, "book", WaitlistEntry.offer_expires_at > now):
        raise OfferExpired(str(_l("These seats are no longer held for you: the offer has ended.")))


def withdraw(entry: WaitlistEntry, now: datetime | None = None) -> WaitlistStatus:
    """Leave the queue, or let an offer go: its seats pass to the next person at once."""
    lock_sessions([entry.session_id])
    if entry.status == W.WAITING and WAITLIST_STATES.move(entry, "leave"):
        return entry.status
    if entry.status == W.OFFERED and WAITLIST_STATES.move(entry, "decline"):
        inventory.unhold_seats(entry.session_id, entry.quantity)
        reopen_abandoned_private(entry.session_id)
        offer_free_seats(entry.session_id, now)
        return entry.status
    raise InvalidTransition(str(_l("You are no longer on this waitlist.")))


def expire_offers(now: datetime | None = None) -> int:
    """Pass on offers whose time ran out (idempotent; run with expire-orders every minute)."""
    now = now or utcnow()
    due = db.session.scalars(
        select(WaitlistEntry)
        .where(WaitlistEntry.status == W.OFFERED, WaitlistEntry.offer_expires_at <= now)
        .order_by(WaitlistEntry.session_id, WaitlistEntry.id)  # lock sessions in one order
    ).all()
    expired = 0
    for entry in due:
        lock_sessions([entry.session_id])
        if WAITLIST_STATES.move(entry, "expire", WaitlistEntry.offer_expires_at <= now):
            inventory.unhold_seats(entry.session_id, entry.quantity)
            reopen_abandoned_private(entry.session_id)
            offer_free_seats(entry.session_id, now)
            expired += 1
    return expired


def reopen_abandoned_private(session_id: int) -> None:
    """A public session a group held whole but did not book goes back on sale with the class's
    usual seats. A session the artisan scheduled for a private request stays private."""
    session = db.session.scalar(
        select(ClassSession)
        .where(ClassSession.id == session_id)
        .execution_options(populate_existing=True)
    )
    if (
        session is None
        or not session.private
        or session.is_cancelled
        or session.seats_taken
        or session.seats_held
        or db.session.scalar(
            select(PrivateRequest.id).where(PrivateRequest.session_id == session_id)
        )
        is not None
    ):
        return
    session.private = False
    inventory.change_capacity(session, session.class_.max_participants)


def cancel_for_session(session: ClassSession) -> int:
    """The artisan cancelled the session (its row is locked): every live place ends and is
    told; returns how many."""
    entries = db.session.scalars(
        select(WaitlistEntry)
        .where(WaitlistEntry.session_id == session.id, WaitlistEntry.status.in_(ACTIVE_WAITLIST))
        .order_by(WaitlistEntry.id)
    ).all()
    cancelled = 0
    for entry in entries:
        held = entry.quantity if entry.status == W.OFFERED else 0
        if not WAITLIST_STATES.move(entry, "cancel"):
            continue
        cancelled += 1
        if held:
            inventory.unhold_seats(session.id, held)
        email_after_commit(
            entry.email,
            "waitlist_session_cancelled",
            locale=entry.locale,
            entry=entry,
            session=session,
        )
    return cancelled


def offer_seats_of_classes(class_ids: list[int], now: datetime | None = None) -> int:
    """A class (or its artisan) became public again: seats freed meanwhile go to the queue
    before anyone else sees them. Returns how many offers were made."""
    now = now or utcnow()
    session_ids = db.session.scalars(
        select(ClassSession.id)
        .where(
            ClassSession.class_id.in_(class_ids),
            ClassSession.status == SessionStatus.SCHEDULED,
            ClassSession.starts_at > now,
            ClassSession.id.in_(
                select(WaitlistEntry.session_id).where(
                    WaitlistEntry.status == W.WAITING, WaitlistEntry.confirmed_at.is_not(None)
                )
            ),
        )
        .order_by(ClassSession.id)
    ).all()
    return sum(len(offer_free_seats(session_id, now)) for session_id in session_ids)


@seats_freed.connect
def _offer_freed_seats(session_id, **extra) -> None:
    offer_free_seats(session_id)


@classes_public_again.connect
def _offer_on_classes_public(class_ids, **extra) -> None:
    offer_seats_of_classes(class_ids)


@artisan_public_again.connect
def _offer_on_artisan_public(artisan_id, **extra) -> None:
    """A workshop public again: class seats freed while it was hidden go to the queues first."""
    offer_seats_of_classes(
        list(db.session.scalars(select(Class.id).where(Class.artisan_id == artisan_id)))
    )


def leave_when_booked(email: str, session_ids: list[int], user_id: int | None = None) -> int:
    """Someone booked a session directly: their waiting places for it end, so that a later
    freed seat is not held for a person who already has one."""
    if not session_ids:
        return 0
    who = WaitlistEntry.email == email.strip().lower()
    if user_id is not None:
        who = who | (WaitlistEntry.user_id == user_id)
    result = db.session.execute(
        update(WaitlistEntry)
        .where(WaitlistEntry.session_id.in_(session_ids), WaitlistEntry.status == W.WAITING, who)
        .values(status=W.LEFT)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
