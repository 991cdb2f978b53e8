"""Cancellation policies: refunds at the cut-offs, artisan cancellations, clock changes.

The rule under test: cut-offs are real elapsed time before the start instant (UTC arithmetic),
so a "24 hours before" deadline across a daylight-saving change is 24 real hours, not the same
wall-clock time the day before.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shop.classes.models import CancellationPolicy
from shop.classes.policy import describe_policy, refund_cents, refund_deadline

START = datetime(2026, 12, 5, 15, 0, tzinfo=UTC)  # 10:00 in Guayaquil
PAID = 4_250
SECOND = timedelta(seconds=1)
NOTICE = {"flexible": timedelta(hours=24), "moderate": timedelta(days=7)}


@pytest.mark.parametrize("policy", ["flexible", "moderate"])
def test_full_refund_up_to_and_including_the_cut_off(policy):
    cut_off = START - NOTICE[policy]
    assert refund_deadline(policy, START) == cut_off
    assert refund_cents(policy, PAID, START, now=cut_off - SECOND) == PAID
    assert refund_cents(policy, PAID, START, now=cut_off) == PAID
    assert refund_cents(policy, PAID, START, now=cut_off + SECOND) == 0
    assert refund_cents(policy, PAID, START, now=START) == 0
    assert refund_cents(policy, PAID, START, now=START + timedelta(hours=3)) == 0


def test_strict_never_refunds_the_customer():
    assert refund_deadline("strict", START) is None
    for now in (START - timedelta(days=60), START - SECOND, START, START + SECOND):
        assert refund_cents("strict", PAID, START, now=now) == 0


@pytest.mark.parametrize("policy", list(CancellationPolicy))
@pytest.mark.parametrize("offset", [timedelta(days=-30), -SECOND, timedelta(0), SECOND])
def test_artisan_cancelling_always_refunds_everything(policy, offset):
    now = START + offset
    assert refund_cents(policy, PAID, START, now=now, cancelled_by_artisan=True) == PAID


@pytest.mark.parametrize("policy", list(CancellationPolicy))
def test_refund_is_integer_cents_never_negative_never_above_paid(policy):
    early = START - timedelta(days=30)
    for paid in (0, 1, 99, PAID):
        for by_artisan in (False, True):
            cents = refund_cents(policy, paid, START, now=early, cancelled_by_artisan=by_artisan)
            assert isinstance(cents, int)
            assert 0 <= cents <= paid
    assert refund_cents(policy, -500, START, now=early, cancelled_by_artisan=True) == 0


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        refund_cents("flexible", PAID, START, now=datetime(2026, 12, 1, 12, 0))
    with pytest.raises(ValueError):
        refund_deadline("moderate", datetime(2026, 12, 5, 10, 0))


def test_flexible_cut_off_across_spring_forward_is_24_real_hours():
    """New York, Sunday 8 March 2026: clocks jump from 02:00 to 03:00 (EST -> EDT).

    A 10:00 EDT class (14:00 UTC) has its cut-off at 14:00 UTC on Saturday, which is
    09:00 EST: the same wall-clock time (10:00 Saturday) would be only 23 hours before.
    """
    zone = ZoneInfo("America/New_York")
    starts_at = datetime(2026, 3, 8, 10, 0, tzinfo=zone).astimezone(UTC)
    assert starts_at == datetime(2026, 3, 8, 14, 0, tzinfo=UTC)
    deadline = refund_deadline("flexible", starts_at)
    assert deadline == datetime(2026, 3, 7, 14, 0, tzinfo=UTC)
    assert deadline.astimezone(zone).replace(tzinfo=None) == datetime(2026, 3, 7, 9, 0)

    saturday_0900 = datetime(2026, 3, 7, 9, 0, tzinfo=zone)
    saturday_0930 = datetime(2026, 3, 7, 9, 30, tzinfo=zone)
    assert starts_at - saturday_0900 == timedelta(hours=24)
    assert refund_cents("flexible", PAID, starts_at, now=saturday_0900) == PAID
    assert refund_cents("flexible", PAID, starts_at, now=saturday_0900 + SECOND) == 0
    # By the wall clock this is "more than 24 hours before"; in real time it is 23.5 hours.
    assert refund_cents("flexible", PAID, starts_at, now=saturday_0930) == 0


def test_moderate_cut_off_across_fall_back_is_168_real_hours():
    """Madrid, Sunday 25 October 2026: clocks go back from 03:00 to 02:00 (CEST -> CET)."""
    zone = ZoneInfo("Europe/Madrid")
    starts_at = datetime(2026, 10, 31, 10, 0, tzinfo=zone).astimezone(UTC)  # 09:00 UTC
    deadline = refund_deadline("moderate", starts_at)
    assert starts_at - deadline == timedelta(hours=168)
    # A week earlier at 10:00 CEST is 169 real hours before: the deadline is 11:00 CEST.
    assert deadline.astimezone(zone).replace(tzinfo=None) == datetime(2026, 10, 24, 11, 0)
    assert refund_cents("moderate", PAID, starts_at, now=deadline) == PAID
    assert refund_cents("moderate", PAID, starts_at, now=deadline + SECOND) == 0


def test_policies_are_described_in_plain_translated_words(app):
    from flask_babel import force_locale

    with force_locale("en"):
        assert "24 hours" in describe_policy("flexible")
        assert "7 days" in describe_policy("moderate")
        assert "No refund" in describe_policy("strict")
        for policy in CancellationPolicy:
            assert "artisan cancels" in describe_policy(policy)
