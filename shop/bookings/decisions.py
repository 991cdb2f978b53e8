"""Minimum participants: at each session's decision time it is confirmed if the class's
minimum has booked, otherwise cancelled through the ordinary session cancellation (full
refunds, e-mails, the waitlist told). Reaching the minimum earlier confirms it at once.

Run every minute by `flask expire-orders`. Each step is a conditional UPDATE through
SESSION_STATES, so running twice, or on two hosts at once, decides each session once.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from shop.bookings.services import cancel_session
from shop.classes.models import MAX_DECISION_HOURS, Class, ClassSession, SessionStatus
from shop.classes.services import SESSION_STATES
from shop.core.errors import InvalidTransition
from shop.core.time import utcnow
from shop.extensions import db

log = logging.getLogger(__name__)

CONFIRMED = "confirmed"
CANCELLED = "cancelled"


def sessions_to_decide(now: datetime | None = None) -> list[int]:
    """Upcoming, undecided sessions that reached their minimum or their decision time."""
    now = now or utcnow()
    candidates = db.session.scalars(
        select(ClassSession)
        .join(ClassSession.class_)
        .where(
            ClassSession.status == SessionStatus.SCHEDULED,
            ClassSession.confirmed_at.is_(None),
            ClassSession.starts_at > now,
            or_(
                ClassSession.seats_taken >= Class.min_participants,
                ClassSession.starts_at <= now + timedelta(hours=MAX_DECISION_HOURS),
            ),
        )
        .order_by(ClassSession.starts_at, ClassSession.id)
    )
    return [
        s.id
        for s in candidates
        if s.seats_to_run == 0 or (s.decides_at <= now and s.decided_by_count)
    ]


def decide_session(session_id: int, now: datetime | None = None) -> str | None:
    """Confirm or cancel one session if it is due; say which (None: nothing to do, or
    another run decided it first)."""
    now = now or utcnow()
    session = db.session.get(ClassSession, session_id)
    if session is None or session.starts_at <= now:
        return None
    minimum = session.class_.min_participants
    undecided = ClassSession.confirmed_at.is_(None)
    reached = ClassSession.seats_taken >= minimum
    if SESSION_STATES.move(session, "confirm", undecided, reached, confirmed_at=now):
        log.info("class session %s confirmed", session.id)
        return CONFIRMED
    due = session.decides_at <= now and session.decided_by_count
    if session.confirmed_at is not None or not due:
        return None
    try:
        # The UPDATE re-checks the count: a booking that just made the minimum wins.
        cancel_session(
            session,
            undecided,
            ClassSession.seats_taken < minimum,
            now=now,
            short_of_minimum=True,
        )
    except InvalidTransition:
        return None
    log.info("class session %s cancelled: short of its minimum", session.id)
    return CANCELLED


def decide_sessions(now: datetime | None = None) -> Counter:
    """Decide every due session; count how many were confirmed and cancelled."""
    now = now or utcnow()
    outcomes = Counter(decide_session(session_id, now) for session_id in sessions_to_decide(now))
    outcomes.pop(None, None)
    return outcomes
