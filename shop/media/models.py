"""The Image model: one uploaded photo and its stored variants."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from shop.core.time import UTCDateTime, utcnow
from shop.extensions import db


class Image(db.Model):
    """A re-encoded photo; files live in storage as <key>-<variant>.<ext>."""

    __tablename__ = "images"
    __table_args__ = (
        CheckConstraint("ext IN ('jpg', 'png', 'webp')", name="ext_known"),
        CheckConstraint("width > 0 AND height > 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    ext: Mapped[str] = mapped_column(String(8))
    width: Mapped[int]
    height: Mapped[int]
    alt: Mapped[str] = mapped_column(String(200), default="")
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def filename(self, variant: str = "full") -> str:
        """Stored file name of one variant."""
        return f"{self.key}-{variant}.{self.ext}"
