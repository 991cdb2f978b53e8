"""Stock and seats: every change is one conditional UPDATE, and this module is the only one
that writes `products.stock` or a session's `capacity`, `seats_taken` and `seats_held` (a new
row's first count excepted; tests/core/test_architecture.py checks it).

The one lock order of the shop: class sessions (by id), then products (by id), then orders,
then waitlist places. Every path that changes seats or a session's queue takes its sessions
through lock_sessions() first, so no two transactions wait on each other in opposite orders.
Seats given back are announced with the `seats_freed` signal (the waitlist offers them).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, or_, select, update

from shop.catalog.models import Product, ProductStatus
from shop.classes.models import ClassSession, SessionStatus
from shop.classes.services import check_capacity
from shop.core.errors import NotAllowed, ValidationFailed
from shop.core.signals import seats_freed
from shop.extensions import db


def lock_sessions(session_ids: Iterable[int | None], *, read: bool = False) -> None:
    """Lock class session rows (by id) before anything that depends on their seats.

    `read` takes a shared lock (for a join that must not race a cancellation). PostgreSQL
    only: SQLite serialises writers anyway.
    """
    ids = sorted({i for i in session_ids if i is not None})
    if ids:
        db.session.execute(
            select(ClassSession.id)
            .where(ClassSession.id.in_(ids))
            .order_by(ClassSession.id)
            .with_for_update(read=read)
        )


class StockChanged(ValidationFailed):
    """The stock moved (a sale, a release) since the edit form showed it."""

    def __init__(self, current: int) -> None:
        self.current = current
        super().__init__(
            str(
                _l(
                    "This product changed while you edited it: %(n)d in stock now. Check the "
                    "stock and save again.",
                    n=current,
                )
            ),
            field="stock",
        )


def set_stock(product: Product, stock: int, shown: int) -> None:
    """The artisan's count of a product, written only over the value their form showed
    (optimistic check): StockChanged if a sale or a release moved it since.

    An untouched stock field is not written at all, so sales made meanwhile stay sold.
    """
    if stock < 0:
        raise ValidationFailed(str(_l("Stock cannot be negative.")), field="stock")
    if stock == shown:
        return
    moved = db.session.execute(
        update(Product)
        .where(Product.id == product.id, Product.stock == shown)
        .values(stock=stock)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(product, ["stock"])
    if not moved:
        raise StockChanged(product.stock)


def reserve_stock(product_id: int, quantity: int) -> bool:
    """Take quantity off the stock if (and only if) it is there: one conditional UPDATE."""
    result = db.session.execute(
        update(Product)
        .where(
            Product.id == product_id,
            Product.status == ProductStatus.ACTIVE,
            or_(Product.made_to_order.is_(True), Product.stock >= quantity),
        )
        .values(
            stock=case(
                (Product.made_to_order.is_(True), Product.stock), else_=Product.stock - quantity
            )
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def restock(product_id: int | None, quantity: int) -> None:
    """Put units back on sale (made-to-order products keep no count)."""
    if product_id is None or quantity <= 0:
        return
    db.session.execute(
        update(Product)
        .where(Product.id == product_id, Product.made_to_order.is_(False))
        .values(stock=Product.stock + quantity)
        .execution_options(synchronize_session=False)
    )


def reserve_seats(session_id: int, quantity: int, now: datetime, held: int = 0) -> bool:
    """Take seats if (and only if) they are free and the session is still ahead.

    `held` seats were held for this buyer by a waitlist offer: they turn into taken seats.
    """
    result = db.session.execute(
        update(ClassSession)
        .where(
            ClassSession.id == session_id,
            ClassSession.status == SessionStatus.SCHEDULED,
            ClassSession.starts_at > now,
            ClassSession.seats_held >= held,
            ClassSession.seats_taken + ClassSession.seats_held - held + quantity
            <= ClassSession.capacity,
        )
        .values(
            seats_taken=ClassSession.seats_taken + quantity,
            seats_held=ClassSession.seats_held - held,
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def free_seats(session_id: int | None, quantity: int) -> None:
    """Give taken seats back; the session's waitlist gets the first claim on them."""
    if session_id is None or quantity <= 0:
        return
    db.session.execute(
        update(ClassSession)
        .where(ClassSession.id == session_id)
        .values(seats_taken=ClassSession.seats_taken - quantity)
        .execution_options(synchronize_session=False)
    )
    seats_freed.send(session_id)


def hold_seats(session_id: int, quantity: int) -> bool:
    """Hold free seats for a waitlist offer, if (and only if) they are still free."""
    result = db.session.execute(
        update(ClassSession)
        .where(
            ClassSession.id == session_id,
            ClassSession.seats_taken + ClassSession.seats_held + quantity <= ClassSession.capacity,
        )
        .values(seats_held=ClassSession.seats_held + quantity)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def unhold_seats(session_id: int, quantity: int) -> None:
    """Let held seats go (the caller decides who is offered them next)."""
    db.session.execute(
        update(ClassSession)
        .where(ClassSession.id == session_id)
        .values(seats_held=ClassSession.seats_held - quantity)
        .execution_options(synchronize_session=False)
    )


def change_capacity(session: ClassSession, capacity: int) -> ClassSession:
    """Change a session's seats; never below the seats taken or held for the waitlist.

    New seats go to the waitlist first, if people are waiting.
    """
    if session.is_cancelled:
        raise NotAllowed(str(_l("This session is cancelled.")))
    check_capacity(capacity)
    if capacity < session.seats_taken:
        raise ValidationFailed(
            str(
                _l(
                    "%(n)d seats are already booked: the capacity cannot be lower.",
                    n=session.seats_taken,
                )
            ),
            field="capacity",
        )
    # Conditional, so a booking that lands meanwhile is never squeezed out (CHECK or not).
    changed = db.session.execute(
        update(ClassSession)
        .where(
            ClassSession.id == session.id,
            ClassSession.seats_taken + ClassSession.seats_held <= capacity,
        )
        .values(capacity=capacity)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(session)
    if not changed:
        raise ValidationFailed(
            str(
                _l(
                    "%(n)d seats are booked or held for the waitlist: the capacity cannot "
                    "be lower.",
                    n=session.seats_taken + session.seats_held,
                )
            ),
            field="capacity",
        )
    seats_freed.send(session.id)
    return session
