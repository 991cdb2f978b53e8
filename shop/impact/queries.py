"""Impact figures, computed from orders, bookings and the payouts ledger (never a stored
counter): money that reached artisans, products sold, seats filled, teaching hours; in total,
by month, by city, by country of origin and by SDG/GCM goal.

How a sale is dated and counted (the page says the same):
- money, products and "artisans selling" count in the month the order was paid, for orders
  paid and not wholly refunded; money is the ledger's (sales less refunds, and what reached
  the artisan: less commission too); shipping reaches the artisan whole;
- seats, teaching hours and students count in the month the class took place (seats of
  sessions not cancelled, bookings not cancelled); hours and students only once it ended;
- payouts count in the month they were recorded.
- an artisan's sale counts under every goal the artisan or the sold listing supports.

Privacy: a cell built from fewer than MIN_CUSTOMERS customers is withheld, and so are others
(the smallest first) until what the total gives away is built from enough customers; cities
and countries of origin with fewer than MIN_ARTISANS artisans are grouped as "other".
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from shop.artisans.models import Artisan, ArtisanGoal
from shop.catalog.models import ProductGoal
from shop.classes.models import Class, ClassGoal, ClassSession, SessionStatus
from shop.core.money import DEFAULT_CURRENCY
from shop.core.time import utcnow
from shop.extensions import db
from shop.orders.models import Order, OrderGroup, OrderLine, OrderStatus
from shop.payouts.models import EntryKind, LedgerEntry

MIN_CUSTOMERS = 3
MIN_ARTISANS = 3
SOLD = (OrderStatus.PAID, OrderStatus.FULFILLED, OrderStatus.PARTIALLY_REFUNDED)
MONEY = (EntryKind.EARNING, EntryKind.COMMISSION, EntryKind.REFUND)
OTHER = "other"
NOT_SHOWN = "not_shown"
GoalKey = tuple[str, int]


@dataclass(frozen=True)
class Period:
    """Days from `start` (inclusive) to `end` (exclusive); None is open-ended."""

    start: date | None = None
    end: date | None = None

    def bounds(self, zone: str) -> tuple[datetime | None, datetime | None]:
        """The period's first and past-the-end instants on the shop's clock."""
        tz = ZoneInfo(zone)
        return tuple(  # type: ignore[return-value]
            None if day is None else datetime.combine(day, time(0), tz)
            for day in (self.start, self.end)
        )


@dataclass
class Figures:
    """One cell: every figure, and who and what it was built from (never shown)."""

    sales_cents: int = 0  # what customers paid, less refunds
    earned_cents: int = 0  # what of it reached the artisans
    paid_out_cents: int = 0
    products_sold: int = 0
    seats_filled: int = 0
    students_taught: int = 0
    sellers: set[int] = field(default_factory=set)
    artisans: set[int] = field(default_factory=set)
    customers: set[str] = field(default_factory=set)
    sessions: dict[int, int] = field(default_factory=dict)  # session id -> minutes taught
    suppressed: bool = False

    @property
    def artisans_selling(self) -> int:
        return len(self.sellers)

    @property
    def teaching_minutes(self) -> int:
        return sum(self.sessions.values())

    @property
    def teaching_hours(self) -> float:
        return round(self.teaching_minutes / 60, 1)

    @property
    def share_bps(self) -> int | None:
        """The share of sales that reached the artisans, in basis points (half up)."""
        if self.sales_cents <= 0:
            return None
        return (self.earned_cents * 10_000 * 2 + self.sales_cents) // (self.sales_cents * 2)

    def add(self, fact: Fact) -> None:
        self.sales_cents += fact.sales
        self.earned_cents += fact.earned
        self.paid_out_cents += fact.paid_out
        self.products_sold += fact.products
        self.seats_filled += fact.seats
        self.students_taught += fact.students
        self.artisans.add(fact.artisan_id)
        if fact.seller:
            self.sellers.add(fact.artisan_id)
        if fact.customer:
            self.customers.add(fact.customer)
        if fact.session is not None:
            self.sessions[fact.session[0]] = fact.session[1]

    def as_dict(self) -> dict:
        """The public figures; all None when withheld."""
        values = {
            "artisans_selling": self.artisans_selling,
            "sales_cents": self.sales_cents,
            "earned_cents": self.earned_cents,
            "paid_out_cents": self.paid_out_cents,
            "share_bps": self.share_bps,
            "products_sold": self.products_sold,
            "seats_filled": self.seats_filled,
            "teaching_minutes": self.teaching_minutes,
            "students_taught": self.students_taught,
        }
        if self.suppressed:
            values = dict.fromkeys(values)
        return values | {"suppressed": self.suppressed}


FIGURE_NAMES = tuple(Figures().as_dict())[:-1]


@dataclass
class Fact:
    """One contribution: part of a sale, a booking, or a payout."""

    artisan_id: int
    month: date
    customer: str | None = None
    goals: frozenset[GoalKey] = frozenset()
    sales: int = 0
    earned: int = 0
    paid_out: int = 0
    products: int = 0
    seats: int = 0
    students: int = 0
    seller: bool = False
    session: tuple[int, int] | None = None


@dataclass
class Cell:
    """One row of a breakdown: its key (a month, city, country or goal) and figures."""

    key: object
    figures: Figures = field(default_factory=Figures)
    label: str = ""


@dataclass
class Report:
    """Everything the impact page, the exports and the API show for a period."""

    period: Period
    currency: str
    total: Figures
    by_month: list[Cell]
    by_city: list[Cell]
    by_origin: list[Cell]
    by_goal: list[Cell]

    def goal(self, kind: str, number: int) -> Figures:
        """The figures of one goal (empty when nothing counted under it)."""
        for cell in self.by_goal:
            if cell.key == (kind, number):
                return cell.figures
        return Figures()


def _month(moment: datetime, tz: ZoneInfo) -> date:
    local = moment.astimezone(tz)
    return date(local.year, local.month, 1)


def _within(column, start, end) -> list:
    return [c for c in (start and column >= start, end and column < end) if c is not None]


def _sale_facts(start, end, tz) -> list[Fact]:
    """Money and products of orders paid in the period: one fact per line (and per group's
    shipping), its money from the ledger."""
    orders = select(Order.id).where(Order.status.in_(SOLD), *_within(Order.paid_at, start, end))
    money: dict[tuple[int, int | None], int] = defaultdict(int)
    earned: dict[tuple[int, int | None], int] = defaultdict(int)
    for group_id, line_id, kind, cents in db.session.execute(
        select(
            LedgerEntry.group_id, LedgerEntry.line_id, LedgerEntry.kind, LedgerEntry.amount_cents
        ).where(
            LedgerEntry.order_id.in_(orders),
            LedgerEntry.kind.in_(MONEY),
            LedgerEntry.currency == DEFAULT_CURRENCY,
        )
    ):
        earned[(group_id, line_id)] += cents
        if kind != EntryKind.COMMISSION:
            money[(group_id, line_id)] += cents
    facts = []
    shipping_done: set[int] = set()
    for row in db.session.execute(
        select(
            OrderLine.id,
            OrderLine.group_id,
            OrderLine.kind,
            OrderLine.quantity - OrderLine.restocked_quantity,
            OrderLine.product_id,
            ClassSession.class_id,
            OrderGroup.artisan_id,
            Order.paid_at,
            func.lower(Order.email),
        )
        .join(OrderGroup, OrderLine.group_id == OrderGroup.id)
        .join(Order, OrderLine.order_id == Order.id)
        .outerjoin(ClassSession, OrderLine.session_id == ClassSession.id)
        .where(Order.id.in_(orders))
        .order_by(OrderLine.id)
    ):
        line_id, group_id, kind, kept, product_id, class_id, artisan_id, paid_at, email = row
        common = {"artisan_id": artisan_id, "month": _month(paid_at, tz), "customer": email}
        facts.append(
            Fact(
                **common,
                sales=money.get((group_id, line_id), 0),
                earned=earned.get((group_id, line_id), 0),
                products=kept if kind != "seat" else 0,
                seller=True,
                goals=frozenset({("product", product_id)} if product_id else set())
                | frozenset({("class", class_id)} if class_id else set()),
            )
        )
        if group_id not in shipping_done and (group_id, None) in money:
            shipping_done.add(group_id)
            facts.append(
                Fact(
                    **common,
                    sales=money[(group_id, None)],
                    earned=earned[(group_id, None)],
                    seller=True,
                )
            )
    return facts


def _seat_facts(start, end, tz, now: datetime) -> list[Fact]:
    """Seats booked and paid for sessions held (or to be held) in the period."""
    facts = []
    for row in db.session.execute(
        select(
            OrderLine.quantity,
            ClassSession.id,
            ClassSession.starts_at,
            Class.id,
            Class.duration_minutes,
            Class.artisan_id,
            func.lower(Order.email),
        )
        .join(Order, OrderLine.order_id == Order.id)
        .join(ClassSession, OrderLine.session_id == ClassSession.id)
        .join(Class, ClassSession.class_id == Class.id)
        .where(
            OrderLine.kind == "seat",
            OrderLine.cancelled_at.is_(None),
            Order.status.in_(SOLD),
            ClassSession.status == SessionStatus.SCHEDULED,
            *_within(ClassSession.starts_at, start, end),
        )
    ):
        quantity, session_id, starts_at, class_id, minutes, artisan_id, email = row
        ended = starts_at.timestamp() + minutes * 60 <= now.timestamp()
        facts.append(
            Fact(
                artisan_id=artisan_id,
                month=_month(starts_at, tz),
                customer=email,
                seats=quantity,
                students=quantity if ended else 0,
                session=(session_id, minutes) if ended else None,
                goals=frozenset({("class", class_id)}),
            )
        )
    return facts


def _payout_facts(start, end, tz) -> list[Fact]:
    """Money paid out to artisans in the period, as the ledger says (reversals included)."""
    return [
        Fact(artisan_id=artisan_id, month=_month(created_at, tz), paid_out=-cents)
        for artisan_id, created_at, cents in db.session.execute(
            select(LedgerEntry.artisan_id, LedgerEntry.created_at, LedgerEntry.amount_cents).where(
                LedgerEntry.kind == EntryKind.PAYOUT,
                LedgerEntry.currency == DEFAULT_CURRENCY,
                *_within(LedgerEntry.created_at, start, end),
            )
        )
    ]


def _resolve_goals(facts: list[Fact]) -> None:
    """Replace each fact's listing markers by the goals the artisan or the listing supports."""
    artisans: dict[int, set[GoalKey]] = defaultdict(set)
    listings: dict[tuple[str, int], set[GoalKey]] = defaultdict(set)
    ids = {f.artisan_id for f in facts}
    products = {n for f in facts for kind, n in f.goals if kind == "product"}
    classes = {n for f in facts for kind, n in f.goals if kind == "class"}
    for owner, kind, number in db.session.execute(
        select(ArtisanGoal.artisan_id, ArtisanGoal.kind, ArtisanGoal.number).where(
            ArtisanGoal.artisan_id.in_(ids)
        )
    ):
        artisans[owner].add((kind, number))
    for model, column, name, wanted in (
        (ProductGoal, ProductGoal.product_id, "product", products),
        (ClassGoal, ClassGoal.class_id, "class", classes),
    ):
        for owner, kind, number in db.session.execute(
            select(column, model.kind, model.number).where(column.in_(wanted))
        ):
            listings[(name, owner)].add((kind, number))
    for fact in facts:
        found = set(artisans[fact.artisan_id])
        for marker in fact.goals:
            found |= listings[marker]
        fact.goals = frozenset(found)


def _grouped(keys: dict[int, object]) -> dict[int, object]:
    """Keys shared by fewer than MIN_ARTISANS artisans become OTHER ("not shown" stays)."""
    members: dict[object, int] = defaultdict(int)
    for key in keys.values():
        members[key] += 1
    return {
        artisan_id: OTHER if key != NOT_SHOWN and members[key] < MIN_ARTISANS else key
        for artisan_id, key in keys.items()
    }


def _places(ids: set[int]) -> tuple[dict[int, object], dict[object, str], dict[int, object]]:
    """Each artisan's city key (country, city), the cities' names, and origin key."""
    rows = db.session.execute(
        select(
            Artisan.id, Artisan.city, Artisan.country, Artisan.origin_country, Artisan.show_origin
        ).where(Artisan.id.in_(ids))
    ).all()
    city = _grouped(
        {i: (country, " ".join(name.split()).casefold()) for i, name, country, *_ in rows}
    )
    origin = _grouped({i: code if shown and code else NOT_SHOWN for i, _, _, code, shown in rows})
    # A city is named as most of its artisans spell it (ties: the earliest artisan's spelling),
    # whatever order the database returns rows in.
    spellings: dict[object, Counter] = {}
    for artisan_id, name, *_ in sorted(rows):
        if city[artisan_id] != OTHER:
            spellings.setdefault(city[artisan_id], Counter())[" ".join(name.split())] += 1
    labels = {key: counts.most_common(1)[0][0] for key, counts in spellings.items()}
    return city, labels, origin


def suppress(total: Figures, cells: list[Cell]) -> None:
    """Withhold cells built from fewer than MIN_CUSTOMERS customers, and more (smallest
    first) until what the total minus the shown cells gives away is built from enough."""
    if 0 < len(total.customers) < MIN_CUSTOMERS:
        total.suppressed = True
        for cell in cells:
            cell.figures.suppressed = True
        return
    hidden = [c for c in cells if 0 < len(c.figures.customers) < MIN_CUSTOMERS]
    if not hidden:
        return
    shown = sorted(
        (c for c in cells if len(c.figures.customers) >= MIN_CUSTOMERS),
        key=lambda c: len(c.figures.customers),
    )
    while len(hidden) < 2 or len(set().union(*(c.figures.customers for c in hidden))) < (
        MIN_CUSTOMERS
    ):
        if not shown:
            total.suppressed = True
            break
        hidden.append(shown.pop(0))
    for cell in hidden:
        cell.figures.suppressed = True


def _breakdown(facts: list[Fact], key_of, total: Figures) -> list[Cell]:
    cells: dict[object, Cell] = {}
    for fact in facts:
        for key in key_of(fact):
            cells.setdefault(key, Cell(key)).figures.add(fact)
    result = list(cells.values())
    suppress(total, result)
    return result


def impact_report(period: Period, zone: str, now: datetime | None = None) -> Report:
    """Every figure for the period (months on the shop's clock, `zone`)."""
    now = now or utcnow()
    tz = ZoneInfo(zone)
    start, end = period.bounds(zone)
    facts = _sale_facts(start, end, tz) + _seat_facts(start, end, tz, now)
    facts += _payout_facts(start, end, tz)
    _resolve_goals(facts)
    city, city_labels, origin = _places({f.artisan_id for f in facts})
    total = Figures()
    for fact in facts:
        total.add(fact)
    by_month = sorted(_breakdown(facts, lambda f: [f.month], total), key=lambda c: c.key)
    by_city = _breakdown(facts, lambda f: [city[f.artisan_id]], total)
    for cell in by_city:
        cell.label = city_labels.get(cell.key, "")
    by_city.sort(key=lambda c: (c.key == OTHER, c.label))
    by_origin = _breakdown(facts, lambda f: [origin[f.artisan_id]], total)
    by_origin.sort(key=lambda c: (c.key in (OTHER, NOT_SHOWN), c.key == NOT_SHOWN, str(c.key)))
    by_goal = _breakdown(facts, lambda f: sorted(f.goals), total)
    by_goal.sort(key=lambda c: (c.key[0] != "sdg", c.key[1]))
    return Report(period, DEFAULT_CURRENCY, total, by_month, by_city, by_origin, by_goal)
