"""The numbers payouts run on: commission in whole cents, and the settings admins change."""

from __future__ import annotations

from shop.core.settings import IntSetting
from shop.extensions import db
from shop.payouts.models import PayoutAccount

# The platform's commission in basis points (1000 = 10 %), unless an artisan has their own.
COMMISSION_BPS = IntSetting("payouts.commission_bps", 1000, 0, 10_000)
# A product line becomes payable this many days after it was shipped (or when completed).
PRODUCT_HOLD_DAYS = IntSetting("payouts.product_hold_days", 7, 0, 90)
# A class seat becomes payable this many days after its session ended.
SEAT_HOLD_DAYS = IntSetting("payouts.seat_hold_days", 2, 0, 90)
# The "payouts due" list shows artisans whose available balance reaches this (minor units).
PAYOUT_THRESHOLD_CENTS = IntSetting("payouts.threshold_cents", 2000, 0, 100_000_000)


def commission_cents(amount_cents: int, rate_bps: int) -> int:
    """The platform's share of an amount, rounded half up once; the artisan gets the rest,
    so share + commission is always the amount."""
    if amount_cents <= 0:
        return 0
    return (amount_cents * rate_bps + 5_000) // 10_000


def rate_for(artisan_id: int) -> int:
    """The commission rate this artisan pays now: their own if an admin set one."""
    account = db.session.get(PayoutAccount, artisan_id)
    if account is not None and account.commission_bps is not None:
        return account.commission_bps
    return COMMISSION_BPS.get()


def split_proportionally(amount: int, weights: dict) -> dict:
    """Share `amount` whole cents among keys by weight (largest remainder): the parts add up
    to `amount` exactly and none exceeds its weight when amount <= sum(weights)."""
    total = sum(weights.values())
    if amount <= 0 or total <= 0:
        return {key: 0 for key in weights}
    shares = {key: amount * weight // total for key, weight in weights.items()}
    left = amount - sum(shares.values())
    by_remainder = sorted(weights, key=lambda key: (-(amount * weights[key] % total), str(key)))
    for key in by_remainder[:left]:
        shares[key] += 1
    return shares
