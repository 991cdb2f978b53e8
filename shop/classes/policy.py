"""Cancellation policies: how much of a class booking is refunded, and until when.

Cut-offs are measured in real elapsed time between two instants (aware datetimes, compared
in UTC), not in wall-clock time. "24 hours before" a Sunday 10:00 class in New York on the day
daylight saving time begins is therefore Saturday 09:00 local time: 24 real hours, although
the clock only moves 23 hours. A customer never gets less notice than the policy promises.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l

from shop.classes.models import CancellationPolicy

# How long before the start a customer may still cancel for a full refund; None: never.
FULL_REFUND_NOTICE: dict[CancellationPolicy, timedelta | None] = {
    CancellationPolicy.FLEXIBLE: timedelta(hours=24),
    CancellationPolicy.MODERATE: timedelta(days=7),
    CancellationPolicy.STRICT: None,
}

POLICY_NAMES = {
    CancellationPolicy.FLEXIBLE: _l("Flexible"),
    CancellationPolicy.MODERATE: _l("Moderate"),
    CancellationPolicy.STRICT: _l("Strict"),
}

POLICY_DESCRIPTIONS = {
    CancellationPolicy.FLEXIBLE: _l(
        "Full refund if you cancel at least 24 hours before the class starts."
    ),
    CancellationPolicy.MODERATE: _l(
        "Full refund if you cancel at least 7 days before the class starts."
    ),
    CancellationPolicy.STRICT: _l("No refund if you cancel."),
}

ARTISAN_CANCELS = _l("If the artisan cancels the session, you get all your money back.")


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")
    return value


def refund_deadline(policy: CancellationPolicy | str, starts_at: datetime) -> datetime | None:
    """The last instant a customer may cancel for a full refund (None: no such instant)."""
    notice = FULL_REFUND_NOTICE[CancellationPolicy(policy)]
    if notice is None:
        return None
    return _aware(starts_at, "starts_at") - notice


def refund_cents(
    policy: CancellationPolicy | str,
    paid_cents: int,
    starts_at: datetime,
    now: datetime,
    cancelled_by_artisan: bool = False,
) -> int:
    """Cents to give back for a booking cancelled at `now` (0 <= result <= paid_cents).

    The artisan cancelling always refunds everything; otherwise the customer gets a full
    refund up to and including the policy's deadline, and nothing after it.
    """
    paid = max(0, int(paid_cents))
    _aware(now, "now")
    if cancelled_by_artisan:
        return paid
    deadline = refund_deadline(policy, starts_at)
    if deadline is not None and now <= deadline:
        return paid
    return 0


def policy_name(policy: CancellationPolicy | str) -> str:
    """The policy's short name in the current language."""
    return str(POLICY_NAMES[CancellationPolicy(policy)])


def describe_policy(policy: CancellationPolicy | str) -> str:
    """The policy in plain words, in the current language, artisan cancellations included."""
    policy = CancellationPolicy(policy)
    return f"{POLICY_DESCRIPTIONS[policy]} {ARTISAN_CANCELS}"


def private_seat_cents(price_cents: int, minimum_cents: int | None, seats: int) -> int:
    """What each seat of a private session costs: the usual price, or the artisan's minimum
    shared by the group when that is more (rounded up to a whole cent per seat, so the group
    pays the higher of seats x price and the minimum, plus at most seats-1 cents)."""
    if not minimum_cents or seats <= 0:
        return price_cents
    return max(price_cents, -(-minimum_cents // seats))
