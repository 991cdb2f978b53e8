"""The ledger of what each artisan earned, what the platform kept and what was paid out."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.artisans.models import Artisan
from shop.auth.models import User
from shop.core.db import enum_column
from shop.core.money import DEFAULT_CURRENCY
from shop.core.states import LabelledEnum
from shop.core.time import UTCDateTime, utcnow
from shop.extensions import db


class EntryKind(LabelledEnum):
    """What a ledger entry records (its amount is signed, from the artisan's side)."""

    EARNING = "earning"  # + a paid line or the shipping charged
    COMMISSION = "commission"  # - the platform's share (+ when a refund gives it back)
    REFUND = "refund"  # - what a customer got back
    PAYOUT = "payout"  # - money sent to the artisan (+ when a transfer is reversed)
    ADJUSTMENT = "adjustment"  # +/- an admin's correction, with a note

    @classmethod
    def labels(cls) -> dict:
        return {
            cls.EARNING: _l("sale"),
            cls.COMMISSION: _l("commission"),
            cls.REFUND: _l("refund"),
            cls.PAYOUT: _l("payout"),
            cls.ADJUSTMENT: _l("adjustment"),
        }


class LedgerEntry(db.Model):
    """One immutable movement of an artisan's balance; the balance is their sum.

    `key` names the event and the part it is about (e.g. "earning:line:12"), so an event
    handled twice writes nothing the second time. `available_at` is when the money may be
    paid out: unknown (NULL) until the artisan's part is fulfilled; entries of one part
    (a line, or a group's shipping) always share it.
    """

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint("amount_cents <> 0", name="amount_not_zero"),
        CheckConstraint(
            "rate_bps IS NULL OR (rate_bps >= 0 AND rate_bps <= 10000)", name="rate_in_range"
        ),
        Index("ix_ledger_entries_artisan_created", "artisan_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    artisan_id: Mapped[int] = mapped_column(ForeignKey("artisans.id"), index=True)
    kind: Mapped[EntryKind] = mapped_column(enum_column(EntryKind, "ledger_entry_kind"))
    amount_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default=DEFAULT_CURRENCY)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("order_groups.id"), index=True)
    line_id: Mapped[int | None] = mapped_column(ForeignKey("order_lines.id"), index=True)
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refunds.id"))
    payout_id: Mapped[int | None] = mapped_column(ForeignKey("payouts.id"), index=True)
    # The commission rate of the line, as it was at payment (basis points: 1000 = 10 %).
    rate_bps: Mapped[int | None]
    available_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    note: Mapped[str] = mapped_column(String(300), default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PayoutMethod(LabelledEnum):
    """How money reached the artisan."""

    BANK_TRANSFER = "bank_transfer"
    CASH = "cash"
    MOBILE_MONEY = "mobile_money"
    OTHER = "other"
    STRIPE = "stripe"  # a Stripe Connect transfer

    @classmethod
    def labels(cls) -> dict:
        return {
            cls.BANK_TRANSFER: _l("bank transfer"),
            cls.CASH: _l("cash"),
            cls.MOBILE_MONEY: _l("mobile money"),
            cls.OTHER: _l("other"),
            cls.STRIPE: _l("Stripe transfer"),
        }


MANUAL_METHODS = (
    PayoutMethod.BANK_TRANSFER,
    PayoutMethod.CASH,
    PayoutMethod.MOBILE_MONEY,
    PayoutMethod.OTHER,
)


class PayoutStatus(LabelledEnum):
    """A payout's state: manual ones are paid when recorded; transfers wait for Stripe."""

    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"
    REVERSED = "reversed"

    @classmethod
    def labels(cls) -> dict:
        return {
            cls.PENDING: _l("waiting for Stripe"),
            cls.PAID: _l("paid"),
            cls.FAILED: _l("failed"),
            cls.REVERSED: _l("reversed"),
        }


class Payout(db.Model):
    """Money sent to an artisan, by hand (recorded by an admin) or as a Stripe transfer."""

    __tablename__ = "payouts"
    __table_args__ = (CheckConstraint("amount_cents > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    artisan_id: Mapped[int] = mapped_column(ForeignKey("artisans.id"), index=True)
    amount_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default=DEFAULT_CURRENCY)
    method: Mapped[PayoutMethod] = mapped_column(enum_column(PayoutMethod, "payout_method"))
    status: Mapped[PayoutStatus] = mapped_column(
        enum_column(PayoutStatus, "payout_status"), default=PayoutStatus.PENDING
    )
    reference: Mapped[str] = mapped_column(String(120), default="")
    paid_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(300), default="")
    # Recorded above the available balance, with the admin's explicit confirmation.
    over_available: Mapped[bool] = mapped_column(default=False)
    # Stripe transfers: the destination, the transfer's id once known, the key of the call.
    destination: Mapped[str | None] = mapped_column(String(64))
    gateway_ref: Mapped[str | None] = mapped_column(String(120), unique=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    failure_reason: Mapped[str | None] = mapped_column(String(300))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    artisan: Mapped[Artisan] = relationship()
    actor: Mapped[User | None] = relationship()

    @property
    def transfer_group(self) -> str:
        """Stripe's transfer_group: the payout, whose statement lists the orders it covers."""
        return f"taller-payout-{self.id}"


class PayoutAccount(db.Model):
    """An artisan's payout details (theirs to edit, only admins see them in full) and what
    admins set for them: a commission rate of their own, a connected Stripe account."""

    __tablename__ = "payout_accounts"
    __table_args__ = (
        CheckConstraint(
            "commission_bps IS NULL OR (commission_bps >= 0 AND commission_bps <= 10000)",
            name="commission_in_range",
        ),
    )

    artisan_id: Mapped[int] = mapped_column(ForeignKey("artisans.id"), primary_key=True)
    method: Mapped[PayoutMethod | None] = mapped_column(
        enum_column(PayoutMethod, "payout_account_method")
    )
    details: Mapped[str] = mapped_column(Text, default="")
    commission_bps: Mapped[int | None]
    stripe_account: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    @property
    def masked_details(self) -> str:
        """What the artisan sees of their own details: the last four characters."""
        text = "".join(self.details.split())
        if not text:
            return ""
        return "\N{BULLET}" * 4 + text[-4:] if len(text) > 4 else "\N{BULLET}" * 4
