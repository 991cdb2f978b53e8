"""Factories: rows with sensible defaults, flushed so they have ids."""

from __future__ import annotations

import itertools

from shop.auth.models import User
from shop.extensions import db

PASSWORD = "correct horse battery staple"
_sequence = itertools.count(1)


def user(
    *,
    email: str | None = None,
    name: str = "Test Person",
    password: str = PASSWORD,
    is_admin: bool = False,
    locale: str = "es",
) -> User:
    """A user account with a known password."""
    number = next(_sequence)
    account = User(
        email=email or f"person{number}@example.com", name=name, is_admin=is_admin, locale=locale
    )
    account.set_password(password)
    db.session.add(account)
    db.session.flush()
    return account
