"""Account rules: registration, authentication and password reset."""

from __future__ import annotations

import functools
import hashlib
import logging
import secrets
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from limits import parse
from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from shop.auth.models import User, new_session_token, normalise_email
from shop.core.errors import DomainError, ValidationFailed
from shop.core.time import utcnow
from shop.extensions import db, limiter
from shop.mail import email_after_commit

log = logging.getLogger("shop.security")


@functools.cache
def _dummy_hash(method: str) -> str:
    # Checked against when the e-mail is unknown, so both paths cost one hash check.
    return generate_password_hash(secrets.token_hex(16), method=method)


class ResetLinkInvalid(DomainError):
    """A password reset link was tampered with, already used or expired."""


class VerifyLinkInvalid(DomainError):
    """An address confirmation link was tampered with, is stale or expired."""


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


def register_user(email: str, name: str, password: str, locale: str) -> User | None:
    """Open an unverified account and e-mail the link that proves the address.

    When the address already has an account nothing is created: its owner is told (at most
    once an hour) that someone tried to register it. The caller answers the same either way,
    so the form does not reveal which addresses have accounts; both paths hash once.
    """
    check_password_rules(password)
    existing = find_user_by_email(email)
    if existing is not None:
        generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])
        if once_per_window(f"register-attempt:{existing.id}", "1 per hour"):
            email_after_commit(
                existing.email, "register_attempt", locale=existing.locale, user=existing
            )
        log.info("registration tried for an existing account: user=%s", existing.id)
        return None
    user = User(email=normalise_email(email), name=name.strip(), locale=locale)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    send_verification(user)
    log.info("account registered: user=%s", user.id)
    return user


def once_per_window(key: str, window: str) -> bool:
    """True the first time key is seen in the window (e.g. "1 per hour"), False after.

    Kept in the rate limiter's storage (Redis in production), so every worker agrees; used
    to send a warning e-mail once instead of once per attempt.
    """
    return limiter.limiter.hit(parse(window), "once", key)


def _verify_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="email-verify")


def make_verify_token(user: User) -> str:
    """A signed, expiring token naming the account and the address it proves."""
    return _verify_serializer().dumps({"uid": user.id, "e": user.email})


def send_verification(user: User) -> None:
    """E-mail the link that confirms the account's address."""
    email_after_commit(
        user.email,
        "verify_email",
        locale=user.locale,
        user=user,
        token=make_verify_token(user),
        days=current_app.config["EMAIL_VERIFY_MAX_AGE"] // 86400,
    )
    log.info("address confirmation mailed: user=%s", user.id)


def verify_email(token: str, now: datetime | None = None) -> User:
    """Mark the address proven; the link works once (a conditional update on the account)."""
    try:
        data = _verify_serializer().loads(token, max_age=current_app.config["EMAIL_VERIFY_MAX_AGE"])
    except SignatureExpired:
        raise VerifyLinkInvalid(
            str(_l("This link has expired. Log in and ask for a new one from your account."))
        ) from None
    except BadSignature:
        raise VerifyLinkInvalid(str(_l("This link is not valid."))) from None
    user = db.session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None or data.get("e") != user.email:
        raise VerifyLinkInvalid(str(_l("This link is not valid.")))
    moved = db.session.execute(
        update(User)
        .where(User.id == user.id, User.email == data["e"], User.email_verified_at.is_(None))
        .values(email_verified_at=now or utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(user)
    if moved != 1:
        raise VerifyLinkInvalid(str(_l("This address is already confirmed.")))
    log.info("address confirmed: user=%s", user.id)
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
    if user.suspended_at is not None:  # shop.moderation suspended the account
        log.info("refused login of suspended user=%s", user.id)
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
    email_after_commit(
        user.email,
        "password_reset",
        locale=user.locale,
        user=user,
        token=token,
        minutes=max_age_minutes,
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
    """Set a new password through a reset link; the link works once.

    The new hash is written only WHERE the hash is still the one the link was made for: of
    several simultaneous posts of one link exactly one updates the row, the others find it
    changed (PostgreSQL re-checks the condition after waiting for the winner's row lock).
    Opening the link also proves the address.
    """
    user = user_for_reset_token(token)
    check_password_rules(new_password)
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    moved = db.session.execute(
        update(User)
        .where(User.id == user.id, User.password_hash == user.password_hash)
        .values(
            password_hash=generate_password_hash(new_password, method=method),
            session_token=new_session_token(),
            email_verified_at=func.coalesce(User.email_verified_at, utcnow()),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        raise ResetLinkInvalid(
            str(_l("This reset link has already been used. Ask for a new one if you need it."))
        )
    db.session.refresh(user)
    log.info("password reset completed: user=%s", user.id)
    return user


def create_or_promote_admin(email: str, password: str | None, name: str | None = None) -> User:
    """Make a new administrator, or promote an existing account."""
    user = find_user_by_email(email)
    if user is None:
        if not password:
            raise ValidationFailed(str(_l("A new administrator needs a password.")))
        check_password_rules(password)
        # The operator vouches for the address of an administrator made from the command line.
        user = User(
            email=normalise_email(email),
            name=(name or email.split("@")[0]),
            email_verified_at=utcnow(),
        )
        user.set_password(password)
        db.session.add(user)
    elif password:
        check_password_rules(password)
        user.set_password(password)
    user.is_admin = True
    db.session.flush()
    log.info("administrator granted: user=%s", user.id)
    return user
