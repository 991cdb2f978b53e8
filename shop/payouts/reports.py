"""What the artisan reads: the sales dashboard, the chart of earnings by month, and the
statement (every entry with its order or payout reference, month by month)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased

from shop.classes.models import Class, ClassSession, SessionStatus
from shop.core.money import minor_units
from shop.core.time import utcnow
from shop.extensions import db
from shop.orders.models import Order, OrderGroup, OrderLine, OrderStatus
from shop.payouts.models import EntryKind, LedgerEntry, Payout

_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
SOLD = (OrderStatus.PAID, OrderStatus.FULFILLED, OrderStatus.PARTIALLY_REFUNDED)
# What the chart counts as earned in a month: sales net of refunds and of commission.
EARNED = (EntryKind.EARNING, EntryKind.COMMISSION, EntryKind.REFUND)


def parse_month(text: str | None) -> date | None:
    """'2026-03' -> date(2026, 3, 1); None for anything else (never raises)."""
    match = _MONTH.fullmatch(text or "")
    if not match or not 2000 <= int(match.group(1)) <= 2999:
        return None
    return date(int(match.group(1)), int(match.group(2)), 1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_of(moment: datetime, zone: str) -> date:
    """The month an instant falls in, on the shop's clock."""
    local = moment.astimezone(ZoneInfo(zone))
    return date(local.year, local.month, 1)


def month_bounds(month: date, zone: str) -> tuple[datetime, datetime]:
    """The month's first and next month's first instant, on the shop's clock, in UTC."""
    tz = ZoneInfo(zone)
    start = datetime.combine(month, time(0), tz)
    end = datetime.combine(add_months(month, 1), time(0), tz)
    return start, end


@dataclass(frozen=True)
class SalesMonth:
    """One month of an artisan's sales."""

    month: date
    units: int  # products sold
    seats: int  # class seats booked (not cancelled)
    amount_cents: int  # what customers paid for them, less refunds of those lines


def sales_in(artisan_id: int, month: date, zone: str) -> SalesMonth:
    start, end = month_bounds(month, zone)
    is_seat = OrderLine.kind == "seat"
    seat_booked = and_(is_seat, OrderLine.cancelled_at.is_(None))
    row = db.session.execute(
        select(
            func.coalesce(func.sum(case((is_seat, 0), else_=OrderLine.quantity)), 0),
            func.coalesce(func.sum(case((seat_booked, OrderLine.quantity), else_=0)), 0),
            func.coalesce(func.sum(OrderLine.total_cents - OrderLine.refunded_cents), 0),
        )
        .join(OrderGroup, OrderLine.group_id == OrderGroup.id)
        .join(Order, OrderLine.order_id == Order.id)
        .where(
            OrderGroup.artisan_id == artisan_id,
            Order.status.in_(SOLD),
            Order.paid_at >= start,
            Order.paid_at < end,
        )
    ).one()
    return SalesMonth(month, int(row[0]), int(row[1]), int(row[2]))


def upcoming_sessions(artisan_id: int, limit: int = 5, now: datetime | None = None):
    """The artisan's next scheduled sessions, soonest first."""
    return db.session.scalars(
        select(ClassSession)
        .join(ClassSession.class_)
        .where(
            Class.artisan_id == artisan_id,
            ClassSession.starts_at > (now or utcnow()),
            ClassSession.status == SessionStatus.SCHEDULED,
        )
        .order_by(ClassSession.starts_at)
        .limit(limit)
    ).all()


@dataclass(frozen=True)
class Bar:
    """One month of the chart, with its geometry in the SVG's own units."""

    month: date
    cents: int
    x: int
    y: int
    height: int


CHART_WIDTH, CHART_HEIGHT, BAR_GAP = 480, 160, 8


def earnings_chart(artisan_id: int, zone: str, months: int = 12, now=None) -> list[Bar]:
    """Net earnings (sales less commission and refunds) per month for the last `months`;
    bars scaled to the best month (a month in the red shows no bar, only its figure)."""
    last = month_of(now or utcnow(), zone)
    first = add_months(last, -(months - 1))
    totals = {add_months(first, i): 0 for i in range(months)}
    rows = db.session.execute(
        select(LedgerEntry.created_at, LedgerEntry.amount_cents).where(
            LedgerEntry.artisan_id == artisan_id,
            LedgerEntry.kind.in_(EARNED),
            LedgerEntry.created_at >= month_bounds(first, zone)[0],
        )
    )
    for created_at, cents in rows:
        month = month_of(created_at, zone)
        if month in totals:
            totals[month] += cents
    best = max([*totals.values(), 1])
    slot = CHART_WIDTH // months
    bars = []
    for index, (month, cents) in enumerate(totals.items()):
        height = max(0, round(cents * (CHART_HEIGHT - 20) / best))
        bars.append(Bar(month, cents, index * slot + BAR_GAP // 2, CHART_HEIGHT - height, height))
    return bars


@dataclass(frozen=True)
class StatementLine:
    """An entry as the statement shows it, with the running balance after it."""

    entry: LedgerEntry
    order_reference: str | None
    item: str | None
    payout: Payout | None
    balance: int


@dataclass(frozen=True)
class Statement:
    """An artisan's entries of one month (or all of them), opening and closing balance."""

    month: date | None
    opening: int
    lines: list[StatementLine]
    closing: int

    def total(self, kind: EntryKind) -> int:
        return sum(line.entry.amount_cents for line in self.lines if line.entry.kind == kind)


def statement(artisan_id: int, zone: str, month: date | None = None) -> Statement:
    """Every entry, oldest first, with order references and item titles; a month's only
    when `month` is given (the balance before it is the opening balance)."""
    mine = LedgerEntry.artisan_id == artisan_id
    window = [mine]
    opening = 0
    if month is not None:
        start, end = month_bounds(month, zone)
        window += [LedgerEntry.created_at >= start, LedgerEntry.created_at < end]
        opening = db.session.scalar(
            select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0)).where(
                and_(mine, LedgerEntry.created_at < start)
            )
        )
    line = aliased(OrderLine)
    rows = db.session.execute(
        select(LedgerEntry, Order.reference, line.title, Payout)
        .outerjoin(Order, LedgerEntry.order_id == Order.id)
        .outerjoin(line, LedgerEntry.line_id == line.id)
        .outerjoin(Payout, LedgerEntry.payout_id == Payout.id)
        .where(*window)
        .order_by(LedgerEntry.created_at, LedgerEntry.id)
    ).all()
    balance = int(opening)
    lines = []
    for entry, reference, title, payout in rows:
        balance += entry.amount_cents
        lines.append(StatementLine(entry, reference, title, payout, balance))
    return Statement(month, int(opening), lines, balance)


def entry_months(artisan_id: int, zone: str) -> list[date]:
    """The months that have entries, newest first (for the month filter)."""
    first = db.session.scalar(
        select(func.min(LedgerEntry.created_at)).where(LedgerEntry.artisan_id == artisan_id)
    )
    if first is None:
        return []
    month, last = month_of(first, zone), month_of(utcnow(), zone)
    months = []
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months[::-1]


def decimal_amount(cents: int, currency: str):
    """Minor units as a plain decimal number for spreadsheets (12.50, never "$12,50")."""
    return Decimal(cents).scaleb(-minor_units(currency))
