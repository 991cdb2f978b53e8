"""Account rules: registration, authentication and password reset."""

from __future__ import annotations

import functools
import hashlib
import logging
import secrets

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from shop.auth.models import User, normalise_email
from shop.core.errors import DomainError, ValidationFailed
from shop.extensions import db
from shop.mail import queue_email, render_email

log = logging.getLogger("shop.security")


@functools.cache
def _dummy_hash(method: str) -> str:
    # Checked against when the e-mail is unknown, so both paths cost one hash check.
    return generate_password_hash(secrets.token_hex(16), method=method)


class EmailTaken(ValidationFailed):
    """Someone already registered this e-mail."""

    default_message = _l(
        "An account with this e-mail already exists. Log in or reset your password."
    )


class ResetLinkInvalid(DomainError):
    """A password reset link was tampered with, already used or expired."""


def find_user_by_email(email: str) -> User | None:
    """Look a user up by e-mail, ignoring case."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def check_password_rules(password: str) -> None:
    """Refuse passwords the site does not accept."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise ValidationFailed(
            str(_l("Use at least %(n)d characters.", n=minimum)), field="password"
        )


def register_user(email: str, name: str, password: str, locale: str) -> User:
    """Create a customer account."""
    check_password_rules(password)
    if find_user_by_email(email) is not None:
        raise EmailTaken(field="email")
    user = User(email=normalise_email(email), name=name.strip(), locale=locale)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    log.info("account registered: user=%s", user.id)
    return user


def authenticate(email: str, password: str) -> User | None:
    """Return the user when e-mail and password match, else None (same cost either way)."""
    user = find_user_by_email(email)
    if user is None:
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        log.info("failed login for unknown e-mail")
        return None
    if not user.check_password(password):
        log.info("failed login: user=%s", user.id)
        return None
    return user


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def _password_fingerprint(user: User) -> str:
    # Part of the token: once the password changes, every older link stops working.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def make_reset_token(user: User) -> str:
    """A signed, expiring token that only works while the password is unchanged."""
    return _serializer().dumps({"uid": user.id, "fp": _password_fingerprint(user)})


def request_password_reset(email: str) -> None:
    """E-mail a reset link when the account exists; say nothing either way."""
    user = find_user_by_email(email)
    if user is None:
        log.info("password reset asked for unknown e-mail")
        return
    token = make_reset_token(user)
    max_age_minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    queue_email(
        db.session,
        render_email(
            user.email,
            "password_reset",
            locale=user.locale,
            user=user,
            token=token,
            minutes=max_age_minutes,
        ),
    )
    log.info("password reset mailed: user=%s", user.id)


def user_for_reset_token(token: str) -> User:
    """Return the user a reset token belongs to, or raise ResetLinkInvalid saying why."""
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise ResetLinkInvalid(str(_l("This reset link has expired. Ask for a new one."))) from None
    except BadSignature:
        raise ResetLinkInvalid(
            str(_l("This reset link is not valid. Ask for a new one."))
        ) from None
    user = db.session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None:
        raise ResetLinkInvalid(str(_l("This reset link is not valid. Ask for a new one.")))
    if data.get("fp") != _password_fingerprint(user):
        raise ResetLinkInvalid(
            str(_l("This reset link has already been used. Ask for a new one if you need it."))
        )
    return user


def reset_password(token: str, new_password: str) -> User:
    """Set a new password through a reset link; the link works once."""
    user = user_for_reset_token(token)
    check_password_rules(new_password)
    user.set_password(new_password)
    log.info("password reset completed: user=%s", user.id)
    return user


def create_or_promote_admin(email: str, password: str | None, name: str | None = None) -> User:
    """Make a new administrator, or promote an existing account."""
    user = find_user_by_email(email)
    if user is None:
        if not password:
            raise ValidationFailed(str(_l("A new administrator needs a password.")))
        check_password_rules(password)
        user = User(email=normalise_email(email), name=(name or email.split("@")[0]))
        user.set_password(password)
        db.session.add(user)
    elif password:
        check_password_rules(password)
        user.set_password(password)
    user.is_admin = True
    db.session.flush()
    log.info("administrator granted: user=%s", user.id)
    return user
