"""The cart: what a shopper intends to buy, priced from the database every time it is shown.

Guests keep their cart in the signed session cookie; logged-in customers in the database, so
it follows them between devices. At log-in the guest cart merges into the account's.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from shop.artisans.models import Artisan
from shop.catalog.models import Product, ProductStatus
from shop.errors import ValidationFailed
from shop.extensions import db
from shop.orders.models import CartItem

MAX_QUANTITY = 99
MAX_LINES = 50


@dataclass(frozen=True)
class CartEntry:
    """One wanted item: a product and a quantity."""

    product_id: int
    quantity: int


class SessionCart:
    """A guest's cart inside the session mapping (only ids and quantities, never prices)."""

    KEY = "cart"

    def __init__(self, session: MutableMapping) -> None:
        self.session = session

    def entries(self) -> list[CartEntry]:
        raw = self.session.get(self.KEY) or {}
        entries = []
        for key, quantity in raw.items():
            if str(key).isdigit() and isinstance(quantity, int) and quantity > 0:
                entries.append(CartEntry(int(key), quantity))
        return entries

    def set(self, product_id: int, quantity: int) -> None:
        raw = dict(self.session.get(self.KEY) or {})
        if quantity > 0:
            raw[str(product_id)] = quantity
        else:
            raw.pop(str(product_id), None)
        self.session[self.KEY] = raw

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
        return [CartEntry(row.product_id, row.quantity) for row in rows]

    def set(self, product_id: int, quantity: int) -> None:
        row = db.session.scalar(
            select(CartItem).where(
                CartItem.user_id == self.user_id, CartItem.product_id == product_id
            )
        )
        if quantity <= 0:
            if row is not None:
                db.session.delete(row)
        elif row is None:
            db.session.add(CartItem(user_id=self.user_id, product_id=product_id, quantity=quantity))
        else:
            row.quantity = quantity
        db.session.flush()

    def clear(self) -> None:
        db.session.execute(delete(CartItem).where(CartItem.user_id == self.user_id))


def merge(guest: SessionCart, account: UserCart) -> None:
    """Move the guest cart into the account's cart (quantities add up, capped)."""
    current = {e.product_id: e.quantity for e in account.entries()}
    for entry in guest.entries():
        account.set(
            entry.product_id, min(current.get(entry.product_id, 0) + entry.quantity, MAX_QUANTITY)
        )
    guest.clear()


@dataclass
class CartLine:
    """A priced cart line, with a problem message when it cannot be bought as is."""

    product: Product
    quantity: int
    problem: str | None = None

    @property
    def unit_price_cents(self) -> int:
        return self.product.price_cents

    @property
    def total_cents(self) -> int:
        return self.product.price_cents * self.quantity


@dataclass
class CartGroup:
    """The lines of one artisan, who has one delivery choice and one shipping rate."""

    artisan: Artisan
    lines: list[CartLine] = field(default_factory=list)

    @property
    def subtotal_cents(self) -> int:
        return sum(line.total_cents for line in self.lines)

    @property
    def can_ship(self) -> bool:
        """Shipping is possible when the artisan has a rate and every item ships."""
        return self.artisan.shipping_rate_cents is not None and all(
            line.product.shipping for line in self.lines
        )

    @property
    def can_pickup(self) -> bool:
        return all(line.product.pickup for line in self.lines)


@dataclass
class PricedCart:
    """The whole cart, grouped by artisan, as the database says it is now."""

    groups: list[CartGroup]
    dropped: list[int] = field(default_factory=list)  # products no longer for sale

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
        return self.lines[0].product.currency if self.lines else "USD"


def availability_problem(product: Product, quantity: int) -> str | None:
    """Why this quantity cannot be bought right now, in words for the shopper."""
    if product.made_to_order:
        return None
    if product.stock <= 0:
        return str(_l("Sold out."))
    if quantity > product.stock:
        return str(_l("Only %(n)d left.", n=product.stock))
    return None


def price(entries: list[CartEntry]) -> PricedCart:
    """Load the products (one query), drop what is no longer for sale, group by artisan."""
    ids = [entry.product_id for entry in entries]
    products = (
        {
            p.id: p
            for p in db.session.scalars(
                select(Product)
                .join(Product.artisan)
                .where(
                    Product.id.in_(ids),
                    Product.status == ProductStatus.ACTIVE,
                    Artisan.public_filter(),
                )
                .options(selectinload(Product.artisan), selectinload(Product.photos))
            )
        }
        if ids
        else {}
    )
    groups: dict[int, CartGroup] = {}
    dropped = []
    for entry in entries:
        product = products.get(entry.product_id)
        if product is None:
            dropped.append(entry.product_id)
            continue
        group = groups.setdefault(product.artisan_id, CartGroup(artisan=product.artisan))
        group.lines.append(
            CartLine(product, entry.quantity, availability_problem(product, entry.quantity))
        )
    return PricedCart(groups=list(groups.values()), dropped=dropped)


def add(cart, product_id: int, quantity: int) -> Product:
    """Add to the cart after checking the product is for sale and the quantity exists."""
    if not 1 <= quantity <= MAX_QUANTITY:
        raise ValidationFailed(
            str(_l("Choose a quantity from 1 to %(n)d.", n=MAX_QUANTITY)), field="quantity"
        )
    product = db.session.scalar(
        select(Product)
        .join(Product.artisan)
        .where(
            Product.id == product_id,
            Product.status == ProductStatus.ACTIVE,
            Artisan.public_filter(),
        )
    )
    if product is None:
        raise ValidationFailed(str(_l("This product is not for sale.")), field="product_id")
    entries = {e.product_id: e.quantity for e in cart.entries()}
    if product_id not in entries and len(entries) >= MAX_LINES:
        raise ValidationFailed(str(_l("Your cart is full.")), field="quantity")
    wanted = entries.get(product_id, 0) + quantity
    problem = availability_problem(product, wanted)
    if problem:
        raise ValidationFailed(problem, field="quantity")
    cart.set(product_id, min(wanted, MAX_QUANTITY))
    return product


def update(cart, product_id: int, quantity: int) -> None:
    """Set a line's quantity (0 removes it); availability is shown, not enforced, here."""
    if not 0 <= quantity <= MAX_QUANTITY:
        raise ValidationFailed(
            str(_l("Choose a quantity from 1 to %(n)d.", n=MAX_QUANTITY)), field="quantity"
        )
    cart.set(product_id, quantity)
