"""The audit log of what admins did to listings, accounts and settings (who, when, what, why),
and the reports people make about listings."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.auth.models import User
from shop.catalog.models import Product
from shop.classes.models import Class
from shop.core.db import enum_column
from shop.core.states import LabelledEnum
from shop.core.time import UTCDateTime, utcnow
from shop.extensions import db


class AuditEntry(db.Model):
    """One admin action. `target_kind` is product, class, user, artisan or setting; the label
    copies the target's name at the time, so the entry reads well after a rename or delete."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    target_kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int | None]
    target_label: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    actor: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<AuditEntry {self.id} {self.action} {self.target_kind}:{self.target_id}>"


REPORT_DETAILS_MAX = 1000


class ReportReason(LabelledEnum):
    """Why someone thinks a listing breaks the rules (the short list a reporter picks from)."""

    NOT_HANDMADE = "not_handmade"
    PROHIBITED = "prohibited"
    OFFENSIVE = "offensive"
    MISLEADING = "misleading"
    INTELLECTUAL_PROPERTY = "intellectual_property"
    OTHER = "other"

    @classmethod
    def labels(cls) -> dict:
        return {
            cls.NOT_HANDMADE: _l("Not handmade, or resold"),
            cls.PROHIBITED: _l("A prohibited or dangerous item"),
            cls.OFFENSIVE: _l("Offensive content"),
            cls.MISLEADING: _l("Wrong or misleading information"),
            cls.INTELLECTUAL_PROPERTY: _l("Uses someone else's intellectual property"),
            cls.OTHER: _l("Something else"),
        }


class ReportStatus(LabelledEnum):
    """Open until an admin dismisses it or hides the listing (which closes every open one)."""

    OPEN = "open"
    DISMISSED = "dismissed"
    UPHELD = "upheld"

    @classmethod
    def labels(cls) -> dict:
        return {
            cls.OPEN: _l("open"),
            cls.DISMISSED: _l("dismissed"),
            cls.UPHELD: _l("listing hidden"),
        }


_OPEN = "status = 'open'"


class ListingReport(db.Model):
    """Someone logged in thinks a product or class breaks the rules; an admin decides. The
    artisan never learns who reported it."""

    __tablename__ = "listing_reports"
    __table_args__ = (
        CheckConstraint("(product_id IS NULL) <> (class_id IS NULL)", name="one_listing"),
        CheckConstraint(f"length(details) <= {REPORT_DETAILS_MAX}", name="details_length"),
        # One open report per person and listing: a double submit cannot write two rows.
        Index(
            "uq_listing_reports_open_product",
            "product_id",
            "reporter_id",
            unique=True,
            sqlite_where=text(_OPEN),
            postgresql_where=text(_OPEN),
        ),
        Index(
            "uq_listing_reports_open_class",
            "class_id",
            "reporter_id",
            unique=True,
            sqlite_where=text(_OPEN),
            postgresql_where=text(_OPEN),
        ),
        Index("ix_listing_reports_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    class_id: Mapped[int | None] = mapped_column(
        ForeignKey("classes.id", ondelete="CASCADE"), index=True
    )
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reason: Mapped[ReportReason] = mapped_column(enum_column(ReportReason, "report_reason"))
    details: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ReportStatus] = mapped_column(
        enum_column(ReportStatus, "report_status"), default=ReportStatus.OPEN
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolution_note: Mapped[str] = mapped_column(Text, default="")

    product: Mapped[Product | None] = relationship()
    class_: Mapped[Class | None] = relationship()
    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])

    @property
    def listing(self) -> Product | Class:
        return self.product or self.class_

    @property
    def kind(self) -> str:
        return "product" if self.product_id is not None else "class"

    @property
    def is_open(self) -> bool:
        return self.status == ReportStatus.OPEN

    def __repr__(self) -> str:
        return f"<ListingReport {self.id} {self.kind}:{self.product_id or self.class_id}>"
