"""The earnings ledger: entries written in the same transaction as the event that causes
them (payment, fulfilment, refund), each once; balances summed from entries, never stored."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from shop.core.money import DEFAULT_CURRENCY
from shop.core.signals import fulfilment_changed, order_paid, refund_recorded
from shop.core.time import utcnow
from shop.extensions import db
from shop.orders.models import FulfilmentStatus, Order, OrderGroup
from shop.payments.models import Refund
from shop.payouts.models import EntryKind, LedgerEntry
from shop.payouts.rules import (
    PRODUCT_HOLD_DAYS,
    SEAT_HOLD_DAYS,
    commission_cents,
    rate_for,
    split_proportionally,
)

log = logging.getLogger(__name__)
K = EntryKind
# A part of an order the ledger tracks: (group id, line id), line id None for shipping.
PartKey = tuple[int, int | None]


def write_entries(rows: list[dict]) -> int:
    """Insert entries, skipping any whose key exists (a repeated event writes nothing);
    returns how many were written."""
    if not rows:
        return 0
    now = utcnow()
    defaults = {
        "currency": DEFAULT_CURRENCY,
        "order_id": None,
        "group_id": None,
        "line_id": None,
        "refund_id": None,
        "payout_id": None,
        "rate_bps": None,
        "available_at": None,
        "note": "",
        "actor_id": None,
        "created_at": now,
    }
    values = [{**defaults, **row} for row in rows]
    insert = postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else None
    statement = (insert or sqlite_insert)(LedgerEntry).values(values)
    statement = statement.on_conflict_do_nothing(index_elements=["key"])
    return len(db.session.execute(statement.returning(LedgerEntry.id)).all())


def _part_name(part: PartKey) -> str:
    group_id, line_id = part
    return f"line:{line_id}" if line_id is not None else f"shipping:{group_id}"


def record_payment(order: Order) -> int:
    """Earnings and commission for every paid line, and the shipping each artisan charged.

    The rate is the artisan's at this moment and is stored on the entries: later changes
    never rewrite the past. A class seat is payable SEAT_HOLD_DAYS after its session ends; a
    product's date comes with fulfilment.
    """
    if db.session.scalar(select(LedgerEntry.id).where(LedgerEntry.order_id == order.id).limit(1)):
        return 0  # written already (the same payment reported again)
    seat_days = SEAT_HOLD_DAYS.get()
    rows: list[dict] = []
    for group in order.groups:
        rate = rate_for(group.artisan_id)
        common = {"artisan_id": group.artisan_id, "currency": order.currency}
        common |= {"order_id": order.id, "group_id": group.id}
        for line in group.lines:
            if line.total_cents <= 0:
                continue
            available = None
            if line.is_seat and line.session is not None:
                available = line.session.ends_at + timedelta(days=seat_days)
            part = common | {"line_id": line.id, "rate_bps": rate, "available_at": available}
            rows.append(
                part
                | {"key": f"earning:line:{line.id}", "kind": K.EARNING}
                | {"amount_cents": line.total_cents}
            )
            commission = commission_cents(line.total_cents, rate)
            if commission:
                rows.append(
                    part
                    | {"key": f"commission:line:{line.id}", "kind": K.COMMISSION}
                    | {"amount_cents": -commission}
                )
        if group.shipping_cents > 0:  # shipping goes wholly to the artisan
            rows.append(
                common
                | {"key": f"earning:shipping:{group.id}", "kind": K.EARNING, "rate_bps": 0}
                | {"amount_cents": group.shipping_cents}
            )
    return write_entries(rows)


@dataclass
class Part:
    """What the ledger holds for one part of an order: its earning's artisan, rate and
    date, what is left of it after refunds, and the commission kept on that."""

    artisan_id: int
    currency: str
    rate_bps: int
    available_at: datetime | None
    remaining: int = 0
    commission: int = 0


def parts_of(order_id: int) -> dict[PartKey, Part]:
    """The ledger's parts of an order (one per paid line, one per shipping charge)."""
    parts: dict[PartKey, Part] = {}
    for entry in db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.order_id == order_id).order_by(LedgerEntry.id)
    ):
        key = (entry.group_id, entry.line_id)
        if entry.kind == K.EARNING:
            parts[key] = Part(
                entry.artisan_id, entry.currency, entry.rate_bps or 0, entry.available_at
            )
        part = parts.get(key)
        if part is None:
            continue
        if entry.kind in (K.EARNING, K.REFUND):
            part.remaining += entry.amount_cents
        elif entry.kind == K.COMMISSION:
            part.commission -= entry.amount_cents
    return parts


def allocate_refund(
    amount: int, parts: dict[PartKey, Part], line_id: int | None
) -> dict[PartKey, int]:
    """Which parts a refund takes back: the named line first (up to what is left of it),
    the rest shared among the order's parts in proportion to what is left of them."""
    taken: dict[PartKey, int] = {}
    if line_id is not None:
        named = next((key for key in parts if key[1] == line_id), None)
        if named is not None:
            taken[named] = min(amount, parts[named].remaining)
            amount -= taken[named]
    left = {key: part.remaining - taken.get(key, 0) for key, part in parts.items()}
    if amount > sum(left.values()):
        log.warning("refund of %s exceeds what the ledger holds for the order", amount)
        amount = sum(left.values())
    for key, share in split_proportionally(amount, left).items():
        taken[key] = taken.get(key, 0) + share
    return {key: cents for key, cents in taken.items() if cents > 0}


def record_refund(refund: Refund) -> int:
    """Take back the artisan's share of a refund and give back the commission on it.

    Commission stays the rounded rate of what is left of each part, so after a full refund
    it is exactly zero. The entries share the part's date: a refund before the money was
    payable cancels pending money; after a payout it can make the balance negative.
    """
    if db.session.scalar(select(LedgerEntry.id).where(LedgerEntry.refund_id == refund.id).limit(1)):
        return 0
    parts = parts_of(refund.order_id)
    if not parts:
        return 0  # paid before the ledger existed, or never fully paid
    rows: list[dict] = []
    for key, cents in allocate_refund(refund.amount_cents, parts, refund.line_id).items():
        part = parts[key]
        kept = commission_cents(part.remaining - cents, part.rate_bps)
        common = {"artisan_id": part.artisan_id, "currency": part.currency}
        common |= {"order_id": refund.order_id, "group_id": key[0], "line_id": key[1]}
        common |= {"refund_id": refund.id, "rate_bps": part.rate_bps}
        common |= {"available_at": part.available_at, "note": refund.reason[:300]}
        name = f"{refund.id}:{_part_name(key)}"
        rows.append(common | {"key": f"refund:{name}", "kind": K.REFUND, "amount_cents": -cents})
        if part.commission - kept:
            rows.append(
                common
                | {"key": f"commission-back:{name}", "kind": K.COMMISSION}
                | {"amount_cents": part.commission - kept}
            )
    return write_entries(rows)


def record_fulfilment(group: OrderGroup, status: FulfilmentStatus, now: datetime | None = None):
    """An artisan's products (and shipping) become payable: when the part is completed, or
    PRODUCT_HOLD_DAYS after it was shipped. Class seats keep their own date."""
    now = now or utcnow()
    products = [line.id for line in group.lines if not line.is_seat]
    of_products = and_(
        LedgerEntry.group_id == group.id,
        or_(LedgerEntry.line_id.is_(None), LedgerEntry.line_id.in_(products)),
    )
    if status == FulfilmentStatus.SHIPPED:
        when, still = (
            now + timedelta(days=PRODUCT_HOLD_DAYS.get()),
            LedgerEntry.available_at.is_(None),
        )
    elif status == FulfilmentStatus.COMPLETED:
        when = now
        still = or_(LedgerEntry.available_at.is_(None), LedgerEntry.available_at > now)
    else:
        return
    db.session.execute(
        update(LedgerEntry)
        .where(of_products, still)
        .values(available_at=when)
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True)
class Balances:
    """An artisan's money as the entries say: pending + available = balance."""

    pending: int
    available: int
    paid_out: int
    sales: int  # earnings less refunds
    commission: int  # what the platform kept
    next_available_at: datetime | None
    next_available_cents: int

    @property
    def balance(self) -> int:
        return self.pending + self.available


def is_available(now: datetime):
    """SQL: the entry's money may be paid out at `now`."""
    return and_(LedgerEntry.available_at.is_not(None), LedgerEntry.available_at <= now)


def balances(artisan_id: int, now: datetime | None = None) -> Balances:
    """Sum the artisan's entries into pending, available and paid out."""
    now = now or utcnow()
    amount = LedgerEntry.amount_cents
    ready = is_available(now)

    def total(condition):
        return func.coalesce(func.sum(case((condition, amount), else_=0)), 0)

    row = db.session.execute(
        select(
            total(ready),
            total(~ready),
            total(LedgerEntry.kind == K.PAYOUT),
            total(LedgerEntry.kind.in_((K.EARNING, K.REFUND))),
            total(LedgerEntry.kind == K.COMMISSION),
        ).where(LedgerEntry.artisan_id == artisan_id)
    ).one()
    upcoming = db.session.execute(
        select(LedgerEntry.available_at, func.sum(amount))
        .where(LedgerEntry.artisan_id == artisan_id, LedgerEntry.available_at > now)
        .group_by(LedgerEntry.available_at)
        .order_by(LedgerEntry.available_at)
        .limit(1)
    ).first()
    return Balances(
        pending=int(row[1]),
        available=int(row[0]),
        paid_out=-int(row[2]),
        sales=int(row[3]),
        commission=-int(row[4]),
        next_available_at=upcoming[0] if upcoming else None,
        next_available_cents=int(upcoming[1]) if upcoming else 0,
    )


@order_paid.connect
def _on_order_paid(order: Order, **_) -> None:
    record_payment(order)


@refund_recorded.connect
def _on_refund(refund: Refund, **_) -> None:
    record_refund(refund)


@fulfilment_changed.connect
def _on_fulfilment(group: OrderGroup, status: FulfilmentStatus, **_) -> None:
    record_fulfilment(group, status)
