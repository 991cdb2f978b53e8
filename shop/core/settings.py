"""Settings admins change at run time, kept in the database (one row per key, text values).

Each feature declares the settings it reads as typed objects with a default and limits; an
unset key reads as its default, so a new setting needs no data migration.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shop.core.errors import ValidationFailed
from shop.core.time import UTCDateTime, utcnow
from shop.extensions import db


class Setting(db.Model):
    """One setting's stored value."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


@dataclass(frozen=True)
class IntSetting:
    """A whole-number setting with its default and allowed range (inclusive)."""

    key: str
    default: int
    minimum: int
    maximum: int

    def get(self) -> int:
        """The stored value, or the default when unset or unreadable."""
        row = db.session.get(Setting, self.key)
        if row is None:
            return self.default
        try:
            value = int(row.value)
        except ValueError:
            return self.default
        return value if self.minimum <= value <= self.maximum else self.default

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
        row = db.session.get(Setting, self.key)
        if row is None:
            db.session.add(Setting(key=self.key, value=str(value)))
        else:
            row.value = str(value)
        db.session.flush()
