"""Settings admins change at run time, kept in the database (one row per key, text values).

Each feature declares the settings it reads as typed objects with a default and limits; an
unset key reads as its default, so a new setting needs no data migration.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, Text, event, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, Session, mapped_column

from shop.core.errors import ValidationFailed
from shop.core.time import UTCDateTime, utcnow
from shop.extensions import db


class Setting(db.Model):
    """One setting's stored value."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


CACHE_KEY = "shop.settings"


def _values() -> dict[str, str]:
    """Every stored setting, read once per transaction (one query however many are read)."""
    session = db.session()
    cache = session.info.get(CACHE_KEY)
    if cache is None:
        cache = dict(session.execute(select(Setting.key, Setting.value)).all())
        session.info[CACHE_KEY] = cache
    return cache


def stored(key: str) -> str | None:
    """The raw stored text of a key (None when unset), from the same once-per-transaction read,
    so the page cache's version costs no query of its own on a page that reads settings."""
    return _values().get(key)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _forget(session, *_args) -> None:
    """Another transaction may have changed them: read them again."""
    session.info.pop(CACHE_KEY, None)


def _store(key: str, value: str) -> None:
    row = db.session.get(Setting, key)
    if row is None:
        db.session.add(Setting(key=key, value=value))
    else:
        row.value = value
    db.session.flush()
    _values()[key] = value


@dataclass(frozen=True)
class IntSetting:
    """A whole-number setting with its default and allowed range (inclusive)."""

    key: str
    default: int
    minimum: int
    maximum: int

    config_key: str | None = None  # the app config key that overrides the default

    def fallback(self) -> int:
        """The value while none is stored: the app config's, else the default."""
        if self.config_key and current_app.config.get(self.config_key) is not None:
            return int(current_app.config[self.config_key])
        return self.default

    def get(self) -> int:
        """The stored value, or the default when unset or unreadable."""
        raw = _values().get(self.key)
        if raw is None:
            return self.fallback()
        try:
            value = int(raw)
        except ValueError:
            return self.fallback()
        return value if self.minimum <= value <= self.maximum else self.fallback()

    def put(self, value: int, field: str | None = None) -> None:
        """Store a value within the range; ValidationFailed (on `field`) otherwise."""
        if not isinstance(value, int) or not self.minimum <= value <= self.maximum:
            raise ValidationFailed(
                str(
                    _l(
                        "Enter a value from %(low)s to %(high)s.",
                        low=self.minimum,
                        high=self.maximum,
                    )
                ),
                field=field or self.key,
            )
        _store(self.key, str(value))


@dataclass(frozen=True)
class TextSetting:
    """A short text setting (e.g. an e-mail address); empty when unset."""

    key: str
    max_length: int = 254

    def get(self) -> str:
        """The stored text, or "" when unset."""
        return _values().get(self.key, "")

    def put(self, value: str) -> None:
        """Store the text, cut to its maximum length."""
        _store(self.key, (value or "").strip()[: self.max_length])


@dataclass(frozen=True)
class IdListSetting:
    """An ordered list of row ids (e.g. the featured workshops), stored comma-separated."""

    key: str
    limit: int = 12

    def get(self) -> list[int]:
        """The stored ids in their order; unreadable parts are skipped."""
        raw = _values().get(self.key, "")
        return [int(part) for part in raw.split(",") if part.strip().isdigit()][: self.limit]

    def put(self, ids: list[int]) -> None:
        """Store the ids (duplicates dropped, order kept, at most `limit`)."""
        unique = list(dict.fromkeys(int(i) for i in ids))[: self.limit]
        _store(self.key, ",".join(str(i) for i in unique))


class Lazy:
    """A whole-number setting read only when a template uses it (pages that never show it,
    error pages included, never query for it)."""

    def __init__(self, setting: IntSetting) -> None:
        self.setting = setting

    def __index__(self) -> int:
        return self.setting.get()

    __int__ = __index__

    def __str__(self) -> str:
        return str(self.setting.get())


# Settings of the shop as a whole, read by orders, waitlist, pages and the home page.
ORDER_HOLD_MINUTES = IntSetting("orders.hold_minutes", 30, 5, 24 * 60, "ORDER_HOLD_MINUTES")
WAITLIST_OFFER_HOURS = IntSetting("waitlist.offer_hours", 12, 1, 7 * 24, "WAITLIST_OFFER_HOURS")
CONTACT_EMAIL = TextSetting("site.contact_email")
FEATURED_ARTISANS = IdListSetting("home.featured_artisans")
FEATURED_PRODUCTS = IdListSetting("home.featured_products")
FEATURED_CLASSES = IdListSetting("home.featured_classes")


def public_contact_email() -> str:
    """The contact e-mail the footer shows; "" when unset, or when the database cannot answer
    (an error page must render all the same)."""
    try:
        return CONTACT_EMAIL.get()
    except SQLAlchemyError:
        return ""
