"""What the payouts tests read back: an artisan's entries, balances and parts."""

from __future__ import annotations

from sqlalchemy import func, select

from shop.core.time import utcnow
from shop.extensions import db
from shop.payouts import ledger
from shop.payouts import services as payouts
from shop.payouts.models import EntryKind, LedgerEntry, PayoutMethod


def entries(artisan_id: int) -> list[LedgerEntry]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(LedgerEntry).where(LedgerEntry.artisan_id == artisan_id).order_by(LedgerEntry.id)
        )
    )


def total(artisan_id: int, kind: EntryKind | None = None) -> int:
    query = select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0)).where(
        LedgerEntry.artisan_id == artisan_id
    )
    if kind is not None:
        query = query.where(LedgerEntry.kind == kind)
    return db.session.scalar(query)


def entry_count() -> int:
    return db.session.scalar(select(func.count(LedgerEntry.id)))


def balances(artisan_id: int, now=None) -> ledger.Balances:
    db.session.expire_all()
    return ledger.balances(artisan_id, now)


def pay_out(artisan_id: int, cents: int, *, over: bool = False, reference: str = "TRX-1"):
    """An admin records a bank transfer made today."""
    return payouts.record_manual_payout(
        payouts.ManualPayout(
            artisan_id=artisan_id,
            amount_cents=cents,
            method=PayoutMethod.BANK_TRANSFER,
            reference=reference,
            paid_on=utcnow().date(),
            over_available=over,
        ),
        actor_id=None,
    )
