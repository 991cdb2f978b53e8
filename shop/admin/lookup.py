"""The admin's one search box: orders by reference, customer e-mail or name; workshops and
accounts by name or e-mail."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from shop.artisans.models import Artisan
from shop.auth.models import User
from shop.extensions import db
from shop.orders.models import Order

LIMIT = 25


@dataclass
class Found:
    """What matched, by kind."""

    orders: list[Order]
    artisans: list[Artisan]
    users: list[User]

    @property
    def total(self) -> int:
        return len(self.orders) + len(self.artisans) + len(self.users)


def _pattern(text: str) -> str:
    """A case-insensitive "contains" pattern with LIKE's wildcards taken literally."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _like(column, pattern: str):
    return func.lower(column).like(pattern, escape="\\")


def search(text: str) -> Found:
    """Everything that matches `text` (a reference exactly, names and e-mails in part)."""
    pattern = _pattern(text.strip())
    orders = db.session.scalars(
        select(Order)
        .where(
            or_(
                func.upper(Order.reference) == text.strip().upper(),
                _like(Order.reference, pattern),
                _like(Order.email, pattern),
                _like(Order.name, pattern),
            )
        )
        .order_by(Order.created_at.desc(), Order.id.desc())
        .limit(LIMIT)
    ).all()
    artisans = db.session.scalars(
        select(Artisan)
        .join(Artisan.user)
        .where(
            or_(
                _like(Artisan.shop_name, pattern),
                _like(Artisan.first_name, pattern),
                _like(User.name, pattern),
                _like(User.email, pattern),
            )
        )
        .options(selectinload(Artisan.user))
        .order_by(Artisan.shop_name)
        .limit(LIMIT)
    ).all()
    users = db.session.scalars(
        select(User)
        .where(or_(_like(User.name, pattern), _like(User.email, pattern)))
        .order_by(User.name, User.id)
        .limit(LIMIT)
    ).all()
    return Found(list(orders), list(artisans), list(users))
