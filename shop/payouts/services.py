"""Payouts: recorded by hand (first-class: Stripe cannot pay out in Ecuador and many other
countries) or sent as a Stripe Connect transfer; adjustments; the artisan's details."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from shop.artisans.models import Artisan
from shop.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from shop.core.money import DEFAULT_CURRENCY, format_money_here
from shop.core.signals import transfer_event
from shop.core.states import StateMachine
from shop.core.time import utcnow
from shop.extensions import db
from shop.mail import email_after_commit
from shop.payments.gateways import TransferRefused, TransferUnsure, get_gateway
from shop.payouts.ledger import balances, is_available, write_entries
from shop.payouts.models import (
    MANUAL_METHODS,
    EntryKind,
    LedgerEntry,
    Payout,
    PayoutAccount,
    PayoutMethod,
    PayoutStatus,
)

log = logging.getLogger(__name__)
PS = PayoutStatus

PAYOUT_STATES = StateMachine(
    Payout,
    {
        "confirm": ({PS.PENDING}, PS.PAID),
        "fail": ({PS.PENDING}, PS.FAILED),
        "reverse": ({PS.PENDING, PS.PAID}, PS.REVERSED),
    },
)
STRIPE_ACCOUNT = re.compile(r"acct_[A-Za-z0-9]{1,60}")


@dataclass(frozen=True)
class ManualPayout:
    """What an admin records after paying an artisan outside the shop."""

    artisan_id: int
    amount_cents: int
    method: PayoutMethod
    reference: str
    paid_on: date
    note: str = ""
    over_available: bool = False  # the admin confirmed paying more than is available


def _lock_artisan(artisan_id: int) -> Artisan:
    """The artisan, locked: two payouts for one artisan are checked one after the other."""
    artisan = db.session.scalar(select(Artisan).where(Artisan.id == artisan_id).with_for_update())
    if artisan is None:
        raise NotAllowed()
    return artisan


def _check_amount(artisan_id: int, amount_cents: int, over_available: bool) -> bool:
    """Refuse more than the available balance unless confirmed; say whether it is more."""
    if amount_cents is None or amount_cents <= 0:
        raise ValidationFailed(str(_l("Enter an amount above zero.")), field="amount")
    available = balances(artisan_id).available
    if amount_cents > available and not over_available:
        raise ValidationFailed(
            str(
                _l(
                    "Only %(amount)s is available to pay out. Tick the box to pay more anyway "
                    "(the difference is carried as a negative balance).",
                    amount=format_money_here(available),
                )
            ),
            field="amount",
        )
    return amount_cents > available


def _payout_entry(payout: Payout, sign: int, key: str, note: str = "") -> None:
    write_entries(
        [
            {
                "key": key,
                "artisan_id": payout.artisan_id,
                "kind": EntryKind.PAYOUT,
                "amount_cents": sign * payout.amount_cents,
                "currency": payout.currency,
                "payout_id": payout.id,
                "available_at": utcnow(),
                "note": note[:300],
                "actor_id": payout.actor_id,
            }
        ]
    )


def record_manual_payout(request: ManualPayout, actor_id: int | None) -> Payout:
    """Record money paid by hand; never more than the available balance unless confirmed.
    The artisan is e-mailed."""
    artisan = _lock_artisan(request.artisan_id)
    if request.method not in MANUAL_METHODS:
        raise ValidationFailed(str(_l("Choose how the money was paid.")), field="method")
    if request.paid_on > utcnow().date():
        raise ValidationFailed(str(_l("The date cannot be in the future.")), field="paid_on")
    over = _check_amount(artisan.id, request.amount_cents, request.over_available)
    payout = Payout(
        artisan_id=artisan.id,
        amount_cents=request.amount_cents,
        currency=DEFAULT_CURRENCY,
        method=request.method,
        status=PS.PAID,
        reference=request.reference.strip()[:120],
        paid_on=request.paid_on,
        note=request.note.strip()[:300],
        over_available=over,
        actor_id=actor_id,
        confirmed_at=utcnow(),
    )
    db.session.add(payout)
    db.session.flush()
    _payout_entry(payout, -1, f"payout:{payout.id}", payout.reference)
    _tell_artisan(payout)
    return payout


def _tell_artisan(payout: Payout) -> None:
    owner = payout.artisan.user
    email_after_commit(owner.email, "payout_sent", locale=owner.locale, payout=payout)


# Stripe Connect: record the intent, commit, call the gateway, record the outcome.


def start_transfer(
    artisan_id: int, amount_cents: int, actor_id: int | None, over_available: bool = False
) -> Payout:
    """Record a Stripe transfer about to be sent (pending; the money leaves the available
    balance now, and comes back if Stripe refuses it)."""
    artisan = _lock_artisan(artisan_id)
    account = db.session.get(PayoutAccount, artisan.id)
    if account is None or not account.stripe_account:
        raise ValidationFailed(str(_l("This artisan has no connected Stripe account.")))
    over = _check_amount(artisan.id, amount_cents, over_available)
    payout = Payout(
        artisan_id=artisan.id,
        amount_cents=amount_cents,
        currency=DEFAULT_CURRENCY,
        method=PayoutMethod.STRIPE,
        status=PS.PENDING,
        paid_on=utcnow().date(),
        over_available=over,
        destination=account.stripe_account,
        actor_id=actor_id,
    )
    db.session.add(payout)
    db.session.flush()
    payout.idempotency_key = f"taller-payout-{payout.id}"
    _payout_entry(payout, -1, f"payout:{payout.id}")
    return payout


@dataclass(frozen=True)
class TransferOrder:
    """Everything the gateway call needs, read before the transaction ends."""

    payout_id: int
    destination: str
    amount_cents: int
    currency: str
    key: str
    transfer_group: str


def transfer_order(payout: Payout) -> TransferOrder:
    """The call to make for a pending transfer (retries reuse its idempotency key)."""
    if payout.status != PS.PENDING or payout.method != PayoutMethod.STRIPE:
        raise InvalidTransition(str(_l("Only a transfer waiting for Stripe can be sent.")))
    return TransferOrder(
        payout_id=payout.id,
        destination=payout.destination or "",
        amount_cents=payout.amount_cents,
        currency=payout.currency,
        key=payout.idempotency_key or f"taller-payout-{payout.id}",
        transfer_group=payout.transfer_group,
    )


@dataclass(frozen=True)
class TransferOutcome:
    """What the gateway said: a transfer id, a refusal, or no clear answer."""

    ref: str | None = None
    refused: str | None = None
    unsure: str | None = None


def call_gateway(order: TransferOrder) -> TransferOutcome:
    """Send the transfer (no database work here: call it with no transaction open)."""
    try:
        ref = get_gateway().transfer(
            order.destination,
            order.amount_cents,
            order.currency,
            key=order.key,
            transfer_group=order.transfer_group,
            metadata={"payout_id": str(order.payout_id)},
        )
    except TransferRefused as error:
        return TransferOutcome(refused=str(error)[:300] or "refused")
    except TransferUnsure as error:
        return TransferOutcome(unsure=str(error)[:300] or "no answer")
    return TransferOutcome(ref=ref)


def record_transfer_outcome(payout_id: int, outcome: TransferOutcome) -> Payout:
    """Confirm, fail (the money comes back to the available balance) or leave pending."""
    payout = db.session.get(Payout, payout_id)
    if outcome.ref:
        confirm_transfer(payout, outcome.ref)
    elif outcome.refused:
        fail_transfer(payout, outcome.refused)
    else:
        payout.failure_reason = f"no answer from Stripe yet: {outcome.unsure}"[:300]
    return payout


def confirm_transfer(payout: Payout, ref: str) -> bool:
    """Stripe made the transfer (API answer or webhook, whichever comes first)."""
    moved = PAYOUT_STATES.move(
        payout, "confirm", gateway_ref=ref, confirmed_at=utcnow(), failure_reason=None
    )
    if moved:
        _tell_artisan(payout)
    return moved


def fail_transfer(payout: Payout, reason: str) -> bool:
    """Stripe refused: the payout is void and its money is available again."""
    if not PAYOUT_STATES.move(payout, "fail", failure_reason=reason[:300]):
        return False
    _payout_entry(payout, +1, f"payout-back:{payout.id}", str(_l("transfer refused")))
    return True


def _reversed_so_far(payout: Payout) -> int:
    return db.session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0)).where(
            LedgerEntry.payout_id == payout.id, LedgerEntry.amount_cents > 0
        )
    )


@transfer_event.connect
def handle_transfer_event(event, **_) -> str:
    """A verified `transfer.*` webhook: confirm a pending transfer, or take back a reversal."""
    payout = db.session.scalar(select(Payout).where(Payout.gateway_ref == event.object_id))
    if payout is None and str(event.metadata.get("payout_id", "")).isdigit():
        payout = db.session.get(Payout, int(event.metadata["payout_id"]))
    if payout is None or payout.method != PayoutMethod.STRIPE:
        log.warning("stripe event %s for unknown transfer %s", event.id, event.object_id)
        return "unknown transfer"
    if (payout.gateway_ref or event.object_id) != event.object_id or (
        event.amount != payout.amount_cents or event.destination != payout.destination
    ):
        log.warning("stripe event %s does not match payout %s", event.id, payout.id)
        return "transfer mismatch"
    confirmed = confirm_transfer(payout, event.object_id)
    already = _reversed_so_far(payout)
    reversed_now = min(event.amount_reversed, payout.amount_cents) - already
    if reversed_now > 0:
        write_entries(
            [
                {
                    "key": f"payout-back:{payout.id}:{already + reversed_now}",
                    "artisan_id": payout.artisan_id,
                    "kind": EntryKind.PAYOUT,
                    "amount_cents": reversed_now,
                    "currency": payout.currency,
                    "payout_id": payout.id,
                    "available_at": utcnow(),
                    "note": str(_l("transfer reversed")),
                }
            ]
        )
        if already + reversed_now >= payout.amount_cents:
            PAYOUT_STATES.move(payout, "reverse")
        return "transfer reversed"
    return "transfer confirmed" if confirmed else "transfer known"


def add_adjustment(artisan_id: int, amount_cents: int, note: str, actor_id: int) -> None:
    """An admin's correction of the balance (either sign), available at once; a note says why."""
    _lock_artisan(artisan_id)
    if not amount_cents:
        raise ValidationFailed(str(_l("Enter an amount other than zero.")), field="amount")
    if not note.strip():
        raise ValidationFailed(str(_l("Say why in a note.")), field="note")
    now = utcnow()
    write_entries(
        [
            {
                "key": f"adjustment:{artisan_id}:{now.isoformat()}:{actor_id}",
                "artisan_id": artisan_id,
                "kind": EntryKind.ADJUSTMENT,
                "amount_cents": amount_cents,
                "available_at": now,
                "note": note.strip()[:300],
                "actor_id": actor_id,
            }
        ]
    )


def account_of(artisan_id: int) -> PayoutAccount:
    """The artisan's payout account row (made on first use, not yet flushed)."""
    account = db.session.get(PayoutAccount, artisan_id)
    if account is None:
        account = PayoutAccount(artisan_id=artisan_id, details="")
        db.session.add(account)
    return account


def update_payout_details(artisan_id: int, method: PayoutMethod, details: str) -> None:
    """The artisan says how they want to be paid (bank account, phone for mobile money...)."""
    if method not in MANUAL_METHODS:
        raise ValidationFailed(str(_l("Choose how you want to be paid.")), field="method")
    details = details.strip()
    if method != PayoutMethod.CASH and not details:
        raise ValidationFailed(str(_l("Enter the account or phone to pay.")), field="details")
    account = account_of(artisan_id)
    account.method, account.details = method, details[:500]
    db.session.flush()


def set_terms(artisan_id: int, commission_bps: int | None, stripe_account: str) -> None:
    """Admins: the artisan's own commission rate (None: the platform's) and Stripe account."""
    if commission_bps is not None and not 0 <= commission_bps <= 10_000:
        raise ValidationFailed(str(_l("Enter a rate from 0 to 100 %.")), field="commission")
    stripe_account = stripe_account.strip()
    if stripe_account and not STRIPE_ACCOUNT.fullmatch(stripe_account):
        raise ValidationFailed(
            str(_l("A connected account id looks like acct_1A2b3C.")), field="stripe_account"
        )
    account = account_of(artisan_id)
    account.commission_bps = commission_bps
    account.stripe_account = stripe_account or None
    db.session.flush()


@dataclass(frozen=True)
class Due:
    """An artisan the platform owes at least the threshold."""

    artisan: Artisan
    available: int
    waiting_since: datetime | None


def payouts_due(threshold_cents: int, now: datetime | None = None) -> list[Due]:
    """Artisans whose available balance reaches the threshold, longest waiting first (since
    the first money that became payable after their last payout)."""
    now = now or utcnow()
    ready = is_available(now)
    available = (
        select(LedgerEntry.artisan_id, func.sum(LedgerEntry.amount_cents).label("available"))
        .where(ready)
        .group_by(LedgerEntry.artisan_id)
        .having(func.sum(LedgerEntry.amount_cents) >= max(threshold_cents, 1))
        .subquery()
    )
    last_payout = (
        select(LedgerEntry.artisan_id, func.max(LedgerEntry.created_at).label("at"))
        .where(LedgerEntry.kind == EntryKind.PAYOUT, LedgerEntry.amount_cents < 0)
        .group_by(LedgerEntry.artisan_id)
        .subquery()
    )
    since = (
        select(LedgerEntry.artisan_id, func.min(LedgerEntry.available_at).label("since"))
        .outerjoin(last_payout, last_payout.c.artisan_id == LedgerEntry.artisan_id)
        .where(
            ready,
            LedgerEntry.kind == EntryKind.EARNING,
            (last_payout.c.at.is_(None)) | (LedgerEntry.available_at > last_payout.c.at),
        )
        .group_by(LedgerEntry.artisan_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Artisan, available.c.available, since.c.since)
        .join(available, available.c.artisan_id == Artisan.id)
        .outerjoin(since, since.c.artisan_id == Artisan.id)
        .order_by(since.c.since.is_(None), since.c.since, Artisan.id)
    ).all()
    return [Due(artisan, int(cents), at) for artisan, cents, at in rows]


def payouts_of(artisan_id: int):
    """A select() of an artisan's payouts, newest first."""
    return (
        select(Payout)
        .where(Payout.artisan_id == artisan_id)
        .order_by(Payout.created_at.desc(), Payout.id.desc())
    )
