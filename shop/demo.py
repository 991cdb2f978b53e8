"""Demo data for `make run`: a small, believable marketplace."""

from __future__ import annotations

from sqlalchemy import select

from shop.auth.models import User
from shop.extensions import db

# Development-only accounts; printed by `flask seed-demo`.
DEMO_LOGINS = [
    ("admin", "admin@taller.example.com", "taller-admin-demo"),
    ("customer", "cliente@taller.example.com", "taller-cliente-demo"),
]


def _user(email: str, name: str, password: str, *, admin: bool = False, locale: str = "es") -> User:
    user = User(email=email, name=name, is_admin=admin, locale=locale)
    user.set_password(password)
    db.session.add(user)
    return user


def seed() -> bool:
    """Create the demo rows unless they exist; returns True when it created them."""
    if db.session.scalar(select(User).where(User.email == DEMO_LOGINS[0][1])) is not None:
        return False
    _user(DEMO_LOGINS[0][1], "Ana (admin)", DEMO_LOGINS[0][2], admin=True)
    _user(DEMO_LOGINS[1][1], "Carla Cliente", DEMO_LOGINS[1][2])
    db.session.flush()
    return True
