"""The User model."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from shop.core.time import UTCDateTime, utcnow
from shop.extensions import db


def new_session_token() -> str:
    """Random token baked into log-in cookies; rotating it logs every session out."""
    return secrets.token_urlsafe(24)


def normalise_email(email: str) -> str:
    """E-mails are unique without regard to case or surrounding spaces."""
    return email.strip().lower()


class User(UserMixin, db.Model):
    """A person with an account: customer by default, maybe artisan or admin."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    locale: Mapped[str] = mapped_column(String(8), default="es")
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set once the owner opens the link e-mailed at registration (or a password reset link):
    # until then nothing that belongs to the address (guest places, orders) joins the account.
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A suspended account cannot log in and its sessions end (shop.moderation).
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def set_password(self, password: str) -> None:
        """Hash and store a new password, logging out every other session."""
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)
        self.session_token = new_session_token()

    def check_password(self, password: str) -> bool:
        """True when password matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    @property
    def is_verified(self) -> bool:
        """The owner proved the e-mail address is theirs."""
        return self.email_verified_at is not None

    def get_id(self) -> str:
        """Flask-Login id: the row id plus the session token, so old cookies die."""
        return f"{self.id}:{self.session_token}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"
