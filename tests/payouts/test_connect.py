"""Stripe Connect payouts through the real Stripe SDK against a fake Connect API on
127.0.0.1 (localstripe has no Connect): the request's shape, the intent committed before the
call, refusals, retries with one idempotency key, and signed `transfer.*` webhooks."""

from __future__ import annotations

import json
import secrets
import time

import pytest
from sqlalchemy import create_engine, text

from shop import create_app
from shop.extensions import db as _db
from shop.orders import lifecycle
from shop.orders.models import FulfilmentStatus
from shop.payouts import services as payouts
from shop.payouts.models import EntryKind, LedgerEntry, Payout, PayoutStatus
from tests import factories
from tests.conftest import IsolatedClient, _config, login, post_form
from tests.payouts.helpers import balances
from tests.support import connect
from tests.support.stripe import sign

fake_connect = connect.fake_connect
WEBHOOK_SECRET = f"whsec_{secrets.token_hex(8)}"


@pytest.fixture
def connect_app(app, database_url, tmp_path, fake_connect):
    """The shop configured for Stripe, its API at the fake Connect server."""
    config = _config(database_url, tmp_path / "connect")
    config.update(
        MAIL_OUTBOX_DIR=app.config["MAIL_OUTBOX_DIR"],
        STRIPE_SECRET_KEY=connect.SECRET_KEY,
        STRIPE_PUBLISHABLE_KEY="pk_test_taller_connect",
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_API_BASE=fake_connect.url,
    )
    stripe_app = create_app(config)
    stripe_app.test_client_class = IsolatedClient
    yield stripe_app
    with stripe_app.app_context():
        _db.engine.dispose()


@pytest.fixture
def owed(db, app, admin):
    """A weaver with 50.00 sold and completed (45.00 available) and a connected account."""
    weaver = factories.artisan(shop_name="Tejidos")
    scarf = factories.product(artisan_workshop=weaver, price_cents=5000)
    with app.test_request_context():
        order = factories.paid_order([(scarf, 1)])
        lifecycle.set_fulfilment(order.groups[0], weaver.user, FulfilmentStatus.COMPLETED)
    payouts.set_terms(weaver.id, None, "acct_1Weaver")
    db.session.commit()
    return weaver


def _admin(connect_app, admin):
    client = connect_app.test_client()
    login(client, admin.email)
    return client


def _payout(db) -> Payout:
    db.session.rollback()
    db.session.expire_all()
    return db.session.scalars(db.select(Payout)).one()


def test_transfer_sends_the_shape_stripe_expects_after_committing_the_intent(
    db, connect_app, admin, owed, fake_connect, database_url, outbox
):
    engine = create_engine(database_url)
    seen: list[tuple] = []

    def committed_before_the_call(_received):
        with engine.connect() as connection:  # another connection: only committed rows
            seen.extend(connection.execute(text("SELECT status, amount_cents FROM payouts")))

    fake_connect.on_request = committed_before_the_call
    client = _admin(connect_app, admin)
    response = post_form(client, f"/admin/payouts/artisans/{owed.id}/transfer", {"amount": "45"})
    assert response.status_code == 302
    engine.dispose()

    [sent] = fake_connect.transfer_requests()
    payout = _payout(db)
    assert sent.form["amount"] == "4500" and sent.form["currency"] == "usd"
    assert sent.form["destination"] == "acct_1Weaver"
    assert sent.form["transfer_group"] == f"taller-payout-{payout.id}"
    assert sent.form["metadata[payout_id]"] == str(payout.id)
    assert sent.headers["idempotency-key"] == f"taller-payout-{payout.id}"
    assert seen == [("pending", 4500)]
    assert payout.status == PayoutStatus.PAID and payout.gateway_ref.startswith("tr_")
    assert balances(owed.id).available == 0 and balances(owed.id).paid_out == 4500
    assert "45,00" in outbox.body(outbox.to(owed.user.email)[-1])


def test_a_refused_transfer_gives_the_money_back(db, connect_app, admin, owed, fake_connect):
    fake_connect.mode = "refuse"
    client = _admin(connect_app, admin)
    post_form(client, f"/admin/payouts/artisans/{owed.id}/transfer", {"amount": "45"})
    payout = _payout(db)
    assert payout.status == PayoutStatus.FAILED
    assert "balance is too low" in payout.failure_reason
    money = balances(owed.id)
    assert (money.available, money.paid_out) == (4500, 0)


def test_no_clear_answer_stays_pending_and_a_retry_pays_once(
    db, connect_app, admin, owed, fake_connect
):
    fake_connect.mode = "fail"
    client = _admin(connect_app, admin)
    post_form(client, f"/admin/payouts/artisans/{owed.id}/transfer", {"amount": "45"})
    payout = _payout(db)
    assert payout.status == PayoutStatus.PENDING and balances(owed.id).available == 0
    assert len(fake_connect.transfer_requests()) == 3  # the SDK's own retries
    fake_connect.mode = "accept"
    post_form(client, f"/admin/payouts/{payout.id}/retry")
    post_form(client, f"/admin/payouts/{payout.id}/retry")  # a double click: nothing more
    payout = _payout(db)
    assert payout.status == PayoutStatus.PAID
    keys = {r.headers["idempotency-key"] for r in fake_connect.transfer_requests()}
    assert keys == {f"taller-payout-{payout.id}"}
    assert len(fake_connect.transfer_requests()) == 4
    assert balances(owed.id).paid_out == 4500


def _event(kind: str, payout: Payout, transfer_id: str, reversed_cents: int = 0, **extra):
    return json.dumps(
        {
            "id": extra.get("event_id") or f"evt_{secrets.token_hex(8)}",
            "object": "event",
            "type": kind,
            "created": int(time.time()),
            "data": {
                "object": {
                    "id": transfer_id,
                    "object": "transfer",
                    "amount": extra.get("amount", payout.amount_cents),
                    "amount_reversed": reversed_cents,
                    "currency": "usd",
                    "destination": extra.get("destination", payout.destination),
                    "transfer_group": payout.transfer_group,
                    "metadata": {"payout_id": str(payout.id)},
                }
            },
        }
    ).encode()


def _deliver(connect_app, body: bytes) -> str:
    response = connect_app.test_client().post(
        "/payments/stripe/webhook",
        data=body,
        headers={
            "Content-Type": "application/json",
            "Stripe-Signature": sign(body, WEBHOOK_SECRET),
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["outcome"]


def test_transfer_webhooks_confirm_and_reverse_once(db, app, connect_app, owed):
    with app.test_request_context():
        payout = payouts.start_transfer(owed.id, 4500, None)
    db.session.commit()
    created = _event("transfer.created", payout, "tr_webhook1", event_id="evt_created")
    assert _deliver(connect_app, created) == "transfer confirmed"
    assert _deliver(connect_app, created) == "duplicate event"
    again = _event("transfer.updated", payout, "tr_webhook1")
    assert _deliver(connect_app, again) == "transfer known"
    assert _payout(db).gateway_ref == "tr_webhook1"
    forged = _event("transfer.created", payout, "tr_other", destination="acct_thief")
    assert _deliver(connect_app, forged) == "transfer mismatch"

    partly = _event("transfer.reversed", payout, "tr_webhook1", reversed_cents=1000)
    assert _deliver(connect_app, partly) == "transfer reversed"
    assert _deliver(connect_app, _event("transfer.updated", payout, "tr_webhook1", 1000)) == (
        "transfer known"
    )
    assert balances(owed.id).available == 1000
    fully = _event("transfer.reversed", payout, "tr_webhook1", reversed_cents=4500)
    assert _deliver(connect_app, fully) == "transfer reversed"
    assert _payout(db).status == PayoutStatus.REVERSED
    backs = db.session.scalars(
        db.select(LedgerEntry.amount_cents).where(
            LedgerEntry.kind == EntryKind.PAYOUT, LedgerEntry.amount_cents > 0
        )
    ).all()
    assert sorted(backs) == [1000, 3500]
    assert balances(owed.id).available == 4500


def test_an_unsigned_transfer_event_changes_nothing(db, app, connect_app, owed):
    with app.test_request_context():
        payout = payouts.start_transfer(owed.id, 4500, None)
    db.session.commit()
    body = _event("transfer.created", payout, "tr_x")
    response = connect_app.test_client().post(
        "/payments/stripe/webhook",
        data=body,
        headers={"Content-Type": "application/json", "Stripe-Signature": "t=1,v1=bad"},
    )
    assert response.status_code == 400
    assert _payout(db).status == PayoutStatus.PENDING
