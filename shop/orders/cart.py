"""The cart: products and class seats a shopper intends to buy, priced from the database
every time it is shown.

Guests keep their cart in the signed session cookie; logged-in customers in the database, so
it follows them between devices. At log-in the guest cart merges into the account's.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import contains_eager, joinedload

from shop.artisans.models import Artisan
from shop.catalog.models import Product, ProductStatus
from shop.classes.models import Class, ClassSession, SessionStatus
from shop.classes.policy import private_seat_cents
from shop.classes.services import attendee_names
from shop.core.errors import ValidationFailed
from shop.core.time import utcnow
from shop.extensions import db
from shop.orders.models import CartItem

MAX_QUANTITY = 99
MAX_LINES = 50
KINDS = ("product", "seat")


@dataclass(frozen=True)
class CartEntry:
    """One wanted item: a product or a class session, a quantity, and who attends."""

    kind: str
    item_id: int
    quantity: int
    attendees: tuple[str, ...] = ()


class SessionCart:
    """A guest's cart inside the session mapping (only ids and quantities, never prices)."""

    KEY = "cart"

    def __init__(self, session: MutableMapping) -> None:
        self.session = session

    def entries(self) -> list[CartEntry]:
        entries = []
        for raw in self.session.get(self.KEY) or []:
            if not isinstance(raw, dict):
                continue
            kind, item_id, quantity = raw.get("k"), raw.get("id"), raw.get("q")
            names = raw.get("n") or []
            if (
                kind in KINDS
                and isinstance(item_id, int)
                and isinstance(quantity, int)
                and quantity > 0
            ):
                entries.append(CartEntry(kind, item_id, quantity, tuple(str(n) for n in names)))
        return entries

    def set(self, kind: str, item_id: int, quantity: int, attendees: tuple[str, ...] = ()) -> None:
        kept = [e for e in self.entries() if (e.kind, e.item_id) != (kind, item_id)]
        if quantity > 0:
            kept.append(CartEntry(kind, item_id, quantity, attendees))
        self.session[self.KEY] = [
            {"k": e.kind, "id": e.item_id, "q": e.quantity, "n": list(e.attendees)} for e in kept
        ]

    def clear(self) -> None:
        self.session.pop(self.KEY, None)


class UserCart:
    """A logged-in customer's cart in the database."""

    def __init__(self, user_id: int) -> None:
        self.user_id = user_id

    def entries(self) -> list[CartEntry]:
        rows = db.session.scalars(
            select(CartItem).where(CartItem.user_id == self.user_id).order_by(CartItem.id)
        )
        return [
            CartEntry(
                "product" if row.product_id else "seat",
                row.product_id or row.session_id,
                row.quantity,
                tuple(n for n in row.attendee_names.splitlines() if n),
            )
            for row in rows
        ]

    def _row(self, kind: str, item_id: int) -> CartItem | None:
        column = CartItem.product_id if kind == "product" else CartItem.session_id
        return db.session.scalar(
            select(CartItem).where(CartItem.user_id == self.user_id, column == item_id)
        )

    def set(self, kind: str, item_id: int, quantity: int, attendees: tuple[str, ...] = ()) -> None:
        row = self._row(kind, item_id)
        if quantity <= 0:
            if row is not None:
                db.session.delete(row)
        else:
            if row is None:
                row = CartItem(user_id=self.user_id, quantity=quantity)
                if kind == "product":
                    row.product_id = item_id
                else:
                    row.session_id = item_id
                db.session.add(row)
            row.quantity = quantity
            row.attendee_names = "\n".join(attendees)
        db.session.flush()

    def clear(self) -> None:
        db.session.execute(delete(CartItem).where(CartItem.user_id == self.user_id))


def merge(guest: SessionCart, account: UserCart) -> None:
    """Move the guest cart into the account's cart (quantities add up, capped)."""
    current = {(e.kind, e.item_id): e for e in account.entries()}
    for entry in guest.entries():
        existing = current.get((entry.kind, entry.item_id))
        quantity = min((existing.quantity if existing else 0) + entry.quantity, MAX_QUANTITY)
        attendees = (existing.attendees if existing else ()) + entry.attendees
        account.set(entry.kind, entry.item_id, quantity, attendees)
    guest.clear()


@dataclass
class CartLine:
    """A priced cart line, with a problem message when it cannot be bought as is."""

    kind: str
    item: Product | ClassSession
    quantity: int
    attendees: tuple[str, ...] = ()
    problem: str | None = None

    @property
    def product(self) -> Product | None:
        return self.item if self.kind == "product" else None

    @property
    def session(self) -> ClassSession | None:
        return self.item if self.kind == "seat" else None

    @property
    def priced_thing(self) -> Product | Class:
        return self.item if self.kind == "product" else self.item.class_

    @property
    def artisan(self) -> Artisan:
        return self.priced_thing.artisan

    @property
    def title(self) -> str:
        return self.priced_thing.title

    @property
    def currency(self) -> str:
        return self.priced_thing.currency

    @property
    def unit_price_cents(self) -> int:
        if self.kind == "seat" and self.item.private:
            # A private session: the group pays at least the artisan's minimum.
            klass = self.item.class_
            return private_seat_cents(klass.price_cents, klass.private_min_cents, self.quantity)
        return self.priced_thing.price_cents

    @property
    def total_cents(self) -> int:
        return self.unit_price_cents * self.quantity


@dataclass
class CartGroup:
    """The lines of one artisan, who has one delivery choice and one shipping rate."""

    artisan: Artisan
    lines: list[CartLine] = field(default_factory=list)

    @property
    def subtotal_cents(self) -> int:
        return sum(line.total_cents for line in self.lines)

    @property
    def products(self) -> list[Product]:
        return [line.product for line in self.lines if line.product is not None]

    @property
    def needs_delivery(self) -> bool:
        """Seats are attended in person; only products need pickup or shipping."""
        return bool(self.products)

    @property
    def can_ship(self) -> bool:
        """Shipping is possible when the artisan has a rate and every product ships."""
        return (
            self.needs_delivery
            and self.artisan.shipping_rate_cents is not None
            and all(product.shipping for product in self.products)
        )

    @property
    def can_pickup(self) -> bool:
        return self.needs_delivery and all(product.pickup for product in self.products)


@dataclass
class PricedCart:
    """The whole cart, grouped by artisan, as the database says it is now."""

    groups: list[CartGroup]
    dropped: list[tuple[str, int]] = field(default_factory=list)  # no longer for sale

    @property
    def lines(self) -> list[CartLine]:
        return [line for group in self.groups for line in group.lines]

    @property
    def subtotal_cents(self) -> int:
        return sum(group.subtotal_cents for group in self.groups)

    @property
    def count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def has_problems(self) -> bool:
        return any(line.problem for line in self.lines)

    @property
    def currency(self) -> str:
        return self.lines[0].currency if self.lines else "USD"


def availability_problem(product: Product, quantity: int) -> str | None:
    """Why this quantity cannot be bought right now, in words for the shopper."""
    if product.made_to_order:
        return None
    if product.stock <= 0:
        return str(_l("Sold out."))
    if quantity > product.stock:
        return str(_l("Only %(n)d left.", n=product.stock))
    return None


def seat_problem(session: ClassSession, quantity: int, held: int = 0) -> str | None:
    """Why these seats cannot be booked right now (`held`: seats a waitlist offer holds
    for this shopper, on top of the free ones)."""
    if session.status != SessionStatus.SCHEDULED:
        return str(_l("This session was cancelled."))
    if session.starts_at <= utcnow():
        return str(_l("This session has already started."))
    available = session.seats_left + held
    if available <= 0:
        return str(_l("This session is full."))
    if quantity > available:
        return str(_l("Only %(n)d seats left.", n=available))
    return None


def _sellable_products(ids: list[int]) -> dict[int, Product]:
    if not ids:
        return {}
    return {
        p.id: p
        for p in db.session.scalars(
            select(Product)
            .join(Product.artisan)
            .where(
                Product.id.in_(ids), Product.status == ProductStatus.ACTIVE, Artisan.public_filter()
            )
            # One statement: the artisan is joined for the filter already.
            .options(contains_eager(Product.artisan), joinedload(Product.photos))
        ).unique()
    }


def _bookable_sessions(ids: list[int]) -> dict[int, ClassSession]:
    if not ids:
        return {}
    return {
        s.id: s
        for s in db.session.scalars(
            select(ClassSession)
            .join(ClassSession.class_)
            .where(ClassSession.id.in_(ids), Class.public_filter())
            .options(
                contains_eager(ClassSession.class_).joinedload(Class.artisan),
                contains_eager(ClassSession.class_).joinedload(Class.photos),
            )
        ).unique()
    }


def price(entries: list[CartEntry], held: dict[int, int] | None = None) -> PricedCart:
    """Load what the cart names (two queries), drop what is gone, group by artisan.

    `held` maps session ids to seats a waitlist offer holds for this shopper.
    """
    held = held or {}
    products = _sellable_products([e.item_id for e in entries if e.kind == "product"])
    sessions = _bookable_sessions([e.item_id for e in entries if e.kind == "seat"])
    groups: dict[int, CartGroup] = {}
    dropped = []
    for entry in entries:
        item = (products if entry.kind == "product" else sessions).get(entry.item_id)
        if item is None:
            dropped.append((entry.kind, entry.item_id))
            continue
        problem = (
            availability_problem(item, entry.quantity)
            if entry.kind == "product"
            else seat_problem(item, entry.quantity, held.get(item.id, 0))
        )
        line = CartLine(entry.kind, item, entry.quantity, entry.attendees, problem)
        group = groups.setdefault(line.artisan.id, CartGroup(artisan=line.artisan))
        group.lines.append(line)
    return PricedCart(groups=list(groups.values()), dropped=dropped)


def _check_quantity(quantity: int) -> None:
    if not 1 <= quantity <= MAX_QUANTITY:
        raise ValidationFailed(
            str(_l("Choose a quantity from 1 to %(n)d.", n=MAX_QUANTITY)), field="quantity"
        )


def _check_room(cart, kind: str, item_id: int) -> dict[tuple[str, int], CartEntry]:
    entries = {(e.kind, e.item_id): e for e in cart.entries()}
    if (kind, item_id) not in entries and len(entries) >= MAX_LINES:
        raise ValidationFailed(str(_l("Your cart is full.")), field="quantity")
    return entries


def add(cart, product_id: int, quantity: int) -> Product:
    """Add a product after checking it is for sale and the quantity exists."""
    _check_quantity(quantity)
    product = _sellable_products([product_id]).get(product_id)
    if product is None:
        raise ValidationFailed(str(_l("This product is not for sale.")), field="product_id")
    entries = _check_room(cart, "product", product_id)
    existing = entries.get(("product", product_id))
    wanted = (existing.quantity if existing else 0) + quantity
    problem = availability_problem(product, wanted)
    if problem:
        raise ValidationFailed(problem, field="quantity")
    cart.set("product", product_id, min(wanted, MAX_QUANTITY))
    return product


def add_seats(cart, session_id: int, quantity: int, attendees: list[str]) -> ClassSession:
    """Add seats of a class session; one attendee name per seat is asked for."""
    _check_quantity(quantity)
    session = _bookable_sessions([session_id]).get(session_id)
    if session is None:
        raise ValidationFailed(str(_l("This class cannot be booked.")), field="session_id")
    names = attendee_names(attendees, quantity)
    entries = _check_room(cart, "seat", session_id)
    existing = entries.get(("seat", session_id))
    wanted = (existing.quantity if existing else 0) + quantity
    problem = seat_problem(session, wanted)
    if problem:
        raise ValidationFailed(problem, field="quantity")
    cart.set("seat", session_id, wanted, (existing.attendees if existing else ()) + names)
    return session


def update(cart, kind: str, item_id: int, quantity: int) -> None:
    """Set the quantity of a product line already in the cart, or remove any line (seats
    change by booking again). Ids not in the cart are ignored: adding goes through add()."""
    if not 0 <= quantity <= MAX_QUANTITY:
        raise ValidationFailed(
            str(_l("Choose a quantity from 1 to %(n)d.", n=MAX_QUANTITY)), field="quantity"
        )
    if kind == "seat":
        entry = next((e for e in cart.entries() if (e.kind, e.item_id) == ("seat", item_id)), None)
        if entry is not None and quantity:
            cart.set("seat", item_id, min(quantity, entry.quantity), entry.attendees[:quantity])
        elif entry is not None:
            cart.set("seat", item_id, 0)
        return
    if any((e.kind, e.item_id) == ("product", item_id) for e in cart.entries()):
        cart.set("product", item_id, quantity)  # only lines in the cart: never a new row
