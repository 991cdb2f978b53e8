"""Refunds reach the gateway outside any open transaction (DESIGN.md, convention 4).

A refund is recorded as pending inside the caller's transaction (payments.refunds) and queued
on that session. When the transaction commits, `settle` sends each queued refund with its
idempotency key and records the answer: succeeded (with the gateway's reference) or failed
(with the error). Settling uses a session of its own, in short transactions, because
SQLAlchemy cannot run SQL on a session inside its after_commit event, and because no row lock
may be held while a gateway answers. Web requests, CLI commands and jobs all commit the same
way, so they all settle the same way.

A process that dies between the commit and the answer leaves the refund pending;
`flask settle-refunds` sends it again later with the same key, so the money goes back once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import event, or_, update
from sqlalchemy.orm import Session, joinedload

from shop.core.states import StateMachine
from shop.core.time import utcnow
from shop.extensions import db
from shop.payments.gateways import GatewayError, PaymentGateway, get_gateway
from shop.payments.models import Refund, RefundStatus

log = logging.getLogger(__name__)
RS = RefundStatus

_QUEUED = "taller_refunds_to_send"
# An attempt that has not recorded an answer after this long is taken as lost (a crash, a
# killed worker) and may be made again by `flask settle-refunds`.
RETRY_AFTER = timedelta(minutes=1)

REFUND_STATES = StateMachine(
    Refund,
    {
        "succeed": ({RS.PENDING}, RS.SUCCEEDED),
        "fail": ({RS.PENDING}, RS.FAILED),
        "retry": ({RS.FAILED}, RS.PENDING),
    },
)


def send_after_commit(session: Session, refund: Refund) -> None:
    """Send this pending refund to the gateway once the session's transaction commits
    (forgotten if it rolls back)."""
    session.info.setdefault(_QUEUED, []).append(refund.id)


def settle(refund_ids: Iterable[int]) -> None:
    """Send each pending refund to the gateway and record its answer; never raises.

    Each refund is claimed (its attempt time committed) before the call, so two processes
    never send it at once, and the answer is written in a transaction of its own.
    """
    with Session(db.engine, expire_on_commit=False) as session:
        for refund_id in refund_ids:
            try:
                _settle_one(session, get_gateway(), refund_id)
            except Exception:  # the outcome is unknown: it stays pending, sent again later
                session.rollback()
                log.exception("refund %s not settled; settle-refunds will send it", refund_id)


def _settle_one(session: Session, gateway: PaymentGateway, refund_id: int) -> None:
    now = utcnow()
    claimed = session.execute(
        update(Refund)
        .where(
            Refund.id == refund_id,
            Refund.status == RS.PENDING,
            or_(Refund.attempted_at.is_(None), Refund.attempted_at <= now - RETRY_AFTER),
        )
        .values(attempted_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    refund = session.get(
        Refund, refund_id, options=[joinedload(Refund.payment)], populate_existing=True
    )
    session.commit()  # nothing is locked or open while the gateway answers
    if not claimed or refund is None or refund.payment is None:
        return  # already answered, or another process is sending it right now
    try:
        reference = gateway.refund(
            refund.payment, refund.amount_cents, refund.reason, refund.idempotency_key
        )
    except GatewayError as error:
        log.warning(
            "refund %s failed at %s: %s (%r)", refund.id, gateway.name, error, error.__cause__
        )
        REFUND_STATES.move(refund, "fail", session=session, last_error=str(error)[:300])
    else:
        REFUND_STATES.move(
            refund,
            "succeed",
            session=session,
            gateway_ref=reference,
            settled_at=utcnow(),
            last_error=None,
        )
    session.commit()


@event.listens_for(Session, "after_commit")
def _settle_after_commit(session: Session) -> None:
    queued = session.info.pop(_QUEUED, [])
    if queued:
        settle(queued)


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction) -> None:
    if session.in_transaction():
        return  # only a savepoint rolled back; the outer transaction may still commit
    session.info.pop(_QUEUED, None)
