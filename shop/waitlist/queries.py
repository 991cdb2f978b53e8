"""Reading the waitlists: a place's position and status as shown, the places of a person or
a session, queue sizes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from shop.classes.models import ACTIVE_WAITLIST, ClassSession, WaitlistEntry, WaitlistStatus
from shop.core.time import utcnow
from shop.extensions import db

W = WaitlistStatus


def position(entry: WaitlistEntry) -> int | None:
    """1 for the first person still waiting; None once no longer waiting."""
    if entry.status != W.WAITING or entry.confirmed_at is None:
        return None
    ahead = db.session.scalar(
        select(func.count(WaitlistEntry.id)).where(
            WaitlistEntry.session_id == entry.session_id,
            WaitlistEntry.status == W.WAITING,
            WaitlistEntry.confirmed_at.is_not(None),
            WaitlistEntry.id < entry.id,
        )
    )
    return ahead + 1


def shown_status(entry: WaitlistEntry, now: datetime | None = None) -> WaitlistStatus:
    """What the customer should be told: an offer past its deadline has ended even before
    expire-orders runs, and a booking never paid has passed on."""
    now = now or utcnow()
    if entry.status == W.OFFERED and entry.offer_expires_at <= now:
        return W.EXPIRED
    if entry.status == W.BOOKED and entry.order is not None and entry.order.released_at:
        return W.EXPIRED
    return entry.status


def entries_of_user(user_id: int, now: datetime | None = None) -> list[WaitlistEntry]:
    """A customer's live places in sessions still to come, soonest first."""
    return list(
        db.session.scalars(
            select(WaitlistEntry)
            .join(WaitlistEntry.session)
            .where(
                WaitlistEntry.user_id == user_id,
                WaitlistEntry.status.in_(ACTIVE_WAITLIST),
                ClassSession.starts_at > (now or utcnow()),
            )
            .options(contains_eager(WaitlistEntry.session).selectinload(ClassSession.class_))
            .order_by(ClassSession.starts_at, WaitlistEntry.id)
        )
    )


def entries_for_session(session_id: int) -> list[WaitlistEntry]:
    """The queue of a session, for its artisan: live places first, in order."""
    return list(
        db.session.scalars(
            select(WaitlistEntry)
            .where(WaitlistEntry.session_id == session_id)
            .order_by(WaitlistEntry.status.notin_(ACTIVE_WAITLIST), WaitlistEntry.id)
        )
    )


def queue_sizes(session_ids: list[int]) -> dict[int, int]:
    """Confirmed live places (waiting or holding an offer) per session, in one query."""
    if not session_ids:
        return {}
    rows = db.session.execute(
        select(WaitlistEntry.session_id, func.count(WaitlistEntry.id))
        .where(
            WaitlistEntry.session_id.in_(session_ids),
            WaitlistEntry.status.in_(ACTIVE_WAITLIST),
            WaitlistEntry.confirmed_at.is_not(None),
        )
        .group_by(WaitlistEntry.session_id)
    )
    return dict(rows.all())


def entry_by_token(token: str) -> WaitlistEntry | None:
    """The place a private link points to."""
    return db.session.scalar(select(WaitlistEntry).where(WaitlistEntry.token == token))
