"""Stripe against localstripe (a real Stripe-compatible server on 127.0.0.1) and signed webhooks."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from datetime import timedelta

import pytest
import requests
import stripe
from sqlalchemy import func, select

from shop import create_app
from shop.core.time import utcnow
from shop.errors import ValidationFailed
from shop.extensions import db as _db
from shop.orders import services as orders
from shop.orders.cart import CartEntry
from shop.orders.models import Delivery, Order, OrderStatus, Payment
from shop.payments import services as payments
from shop.payments.models import ProcessedEvent
from tests import factories
from tests.conftest import IsolatedClient, LiveServer, _config

SECRET = "sk_test_taller"
WEBHOOK_SECRET = "whsec_taller_test"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def localstripe():
    """localstripe bound to loopback only, for the whole run."""
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from aiohttp import web; from localstripe.server import app; "
            f"web.run_app(app, host='127.0.0.1', port={port}, print=None)",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            requests.get(f"{base}/v1/customers", auth=(SECRET, ""), timeout=1)
            break
        except requests.ConnectionError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("localstripe did not start")
    yield base
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def stripe_app(app, database_url, tmp_path, localstripe):
    """An app on the test database configured for Stripe, served live for webhooks."""
    requests.delete(f"{localstripe}/_config/data", timeout=5)
    config = _config(database_url, tmp_path)
    config["MAIL_OUTBOX_DIR"] = app.config["MAIL_OUTBOX_DIR"]
    config.update(
        STRIPE_SECRET_KEY=SECRET,
        STRIPE_PUBLISHABLE_KEY="pk_test_taller",
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_API_BASE=localstripe,
    )
    shop_app = create_app(config)
    shop_app.test_client_class = IsolatedClient
    server = LiveServer(shop_app).start()
    requests.post(
        f"{localstripe}/_config/webhooks/taller",
        timeout=5,
        data={"url": f"{server.url}/payments/stripe/webhook", "secret": WEBHOOK_SECRET},
    )
    yield shop_app
    server.stop()
    with shop_app.app_context():
        _db.engine.dispose()


def sdk(localstripe):
    return stripe.StripeClient(SECRET, base_addresses={"api": localstripe})


def new_order(shop_app, db, price_cents=1800, stock=3):
    product = factories.product(price_cents=price_cents, stock=stock)
    db.session.commit()
    with shop_app.app_context(), shop_app.test_request_context():
        order = orders.place_order(
            orders.CheckoutRequest(
                entries=[CartEntry("product", product.id, 1)],
                contact=orders.Contact("Gina", "gina@example.com"),
                deliveries={product.artisan_id: Delivery.PICKUP},
                checkout_token=f"stripe-{time.time_ns()}",
            )
        )
        start = payments.start_payment(order)
        _db.session.commit()
        return order.id, start.gateway_ref, product.id


def wait_status(db, order_id, status, seconds=10.0) -> Order:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.expire_all()
        order = db.session.get(Order, order_id)
        if order.status == status:
            return order
        time.sleep(0.1)
    pytest.fail(f"order {order_id} stayed {order.status}, wanted {status}")


def signed_event(kind, intent_id, amount, order_id, event_id=None, timestamp=None, secret=None):
    body = json.dumps(
        {
            "id": event_id or f"evt_{time.time_ns()}",
            "object": "event",
            "type": kind,
            "data": {
                "object": {
                    "id": intent_id,
                    "object": "payment_intent",
                    "amount": amount,
                    "amount_received": amount,
                    "currency": "usd",
                    "metadata": {"order_id": str(order_id)},
                }
            },
        }
    )
    header = stripe.WebhookSignature.generate_signature_header(
        body, secret or WEBHOOK_SECRET, timestamp=timestamp
    )
    return body, header


def post_event(shop_app, body, header):
    return shop_app.test_client().post(
        "/payments/stripe/webhook",
        data=body,
        headers={"Stripe-Signature": header, "Content-Type": "application/json"},
    )


def test_payment_intent_carries_amount_metadata_and_idempotency_key(
    stripe_app, db, localstripe, monkeypatch
):
    sent = []
    original = stripe.RequestsClient.request

    def spy(self, method, url, headers, post_data=None):
        sent.append((method, url, dict(headers or {})))
        return original(self, method, url, headers, post_data)

    monkeypatch.setattr(stripe.RequestsClient, "request", spy)
    order_id, intent_id, _ = new_order(stripe_app, db)
    intent = sdk(localstripe).v1.payment_intents.retrieve(intent_id)
    order = db.session.get(Order, order_id)
    assert intent.amount == order.total_cents and intent.currency == "usd"
    assert intent.metadata["order_id"] == str(order_id)
    create = next(h for m, u, h in sent if m == "post" and u.endswith("/v1/payment_intents"))
    assert create["Idempotency-Key"] == f"taller-order-{order_id}-attempt-1"


def test_card_payment_is_fulfilled_by_the_signed_webhook_once(stripe_app, db, localstripe, outbox):
    order_id, intent_id, product_id = new_order(stripe_app, db, stock=3)
    client = sdk(localstripe)
    assert db.session.get(Order, order_id).status == OrderStatus.PENDING_PAYMENT
    client.v1.payment_intents.update(intent_id, params={"payment_method": "pm_card_visa"})
    assert client.v1.payment_intents.confirm(intent_id).status == "succeeded"
    order = wait_status(db, order_id, OrderStatus.PAID)
    assert order.paid_cents == order.total_cents
    assert db.session.scalar(select(func.count(ProcessedEvent.id))) >= 1
    time.sleep(0.3)
    assert len(outbox.to("gina@example.com")) == 1
    from shop.catalog.models import Product

    assert db.session.get(Product, product_id).stock == 2


def test_declined_card_keeps_the_order_payable_and_a_retry_succeeds(stripe_app, db, localstripe):
    order_id, intent_id, _ = new_order(stripe_app, db)
    client = sdk(localstripe)
    client.v1.payment_intents.update(
        intent_id, params={"payment_method": "pm_card_chargeCustomerFail"}
    )
    with pytest.raises(stripe.CardError):
        client.v1.payment_intents.confirm(intent_id)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        db.session.expire_all()
        payment = db.session.scalar(select(Payment).where(Payment.gateway_ref == intent_id))
        if payment.status == "failed":
            break
        time.sleep(0.1)
    assert payment.status == "failed" and payment.failure_reason
    assert db.session.get(Order, order_id).status == OrderStatus.PENDING_PAYMENT
    with stripe_app.app_context(), stripe_app.test_request_context():
        retry = payments.start_payment(_db.session.get(Order, order_id))
        _db.session.commit()
    assert retry.gateway_ref != intent_id
    client.v1.payment_intents.update(retry.gateway_ref, params={"payment_method": "pm_card_visa"})
    client.v1.payment_intents.confirm(retry.gateway_ref)
    wait_status(db, order_id, OrderStatus.PAID)


def test_three_d_secure_card_pays_after_authentication(stripe_app, db, localstripe):
    order_id, intent_id, _ = new_order(stripe_app, db)
    client = sdk(localstripe)
    method = client.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": "4000000000003220", "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        }
    )
    client.v1.payment_intents.update(intent_id, params={"payment_method": method.id})
    intent = client.v1.payment_intents.confirm(intent_id)
    assert intent.status == "requires_action"
    assert db.session.get(Order, order_id).status == OrderStatus.PENDING_PAYMENT
    requests.post(
        f"{localstripe}/v1/payment_intents/{intent_id}/_authenticate",
        auth=(SECRET, ""),
        timeout=5,
        data={"client_secret": intent.client_secret, "success": "true"},
    )
    wait_status(db, order_id, OrderStatus.PAID)


def test_partial_and_full_refunds_go_through_stripe_within_limits(stripe_app, db, localstripe):
    order_id, intent_id, _ = new_order(stripe_app, db, price_cents=2000)
    client = sdk(localstripe)
    client.v1.payment_intents.update(intent_id, params={"payment_method": "pm_card_visa"})
    client.v1.payment_intents.confirm(intent_id)
    wait_status(db, order_id, OrderStatus.PAID)
    admin = factories.user(is_admin=True)
    db.session.commit()
    with stripe_app.app_context(), stripe_app.test_request_context():
        order = _db.session.get(Order, order_id)
        staff = _db.session.get(type(admin), admin.id)
        orders.refund(order, staff, 500, reason="chipped")
        with pytest.raises(ValidationFailed):
            orders.refund(order, staff, 1501)
        orders.refund(order, staff, 1500)
        _db.session.commit()
        assert order.status == OrderStatus.REFUNDED
    amounts = sorted(
        r.amount for r in client.v1.refunds.list(params={"payment_intent": intent_id}).data
    )
    assert amounts == [500, 1500]


def test_bad_signature_stale_timestamp_and_reserialised_body_write_nothing(stripe_app, db):
    order_id, intent_id, _ = new_order(stripe_app, db)
    amount = db.session.get(Order, order_id).total_cents
    body, header = signed_event("payment_intent.succeeded", intent_id, amount, order_id)
    cases = [
        (body, header.replace("v1=", "v1=0")),
        signed_event("payment_intent.succeeded", intent_id, amount, order_id, secret="whsec_wrong"),
        signed_event(
            "payment_intent.succeeded",
            intent_id,
            amount,
            order_id,
            timestamp=int(time.time()) - 600,
        ),
        (json.dumps(json.loads(body), indent=2, sort_keys=True), header),
        (body, ""),
    ]
    for case_body, case_header in cases:
        assert post_event(stripe_app, case_body, case_header).status_code == 400
    assert db.session.scalar(select(func.count(ProcessedEvent.id))) == 0
    assert db.session.get(Order, order_id).status == OrderStatus.PENDING_PAYMENT


def test_webhook_needs_no_csrf_token_but_a_signature(stripe_app, db):
    order_id, intent_id, _ = new_order(stripe_app, db)
    amount = db.session.get(Order, order_id).total_cents
    body, header = signed_event("payment_intent.succeeded", intent_id, amount, order_id)
    assert post_event(stripe_app, body, header).status_code == 200
    wait_status(db, order_id, OrderStatus.PAID)


def test_duplicate_delivery_five_times_fulfils_once(stripe_app, db, outbox):
    order_id, intent_id, _ = new_order(stripe_app, db)
    amount = db.session.get(Order, order_id).total_cents
    body, header = signed_event(
        "payment_intent.succeeded", intent_id, amount, order_id, event_id="evt_same"
    )
    outcomes = [post_event(stripe_app, body, header).get_json()["outcome"] for _ in range(5)]
    assert outcomes == ["paid"] + ["duplicate event"] * 4
    assert len(outbox.to("gina@example.com")) == 1
    from shop.orders.models import OrderEvent

    assert (
        db.session.scalar(
            select(func.count(OrderEvent.id)).where(
                OrderEvent.order_id == order_id, OrderEvent.action == "paid"
            )
        )
        == 1
    )


def test_out_of_order_events_never_move_an_order_backwards(stripe_app, db):
    order_id, intent_id, _ = new_order(stripe_app, db)
    amount = db.session.get(Order, order_id).total_cents
    post_event(stripe_app, *signed_event("payment_intent.succeeded", intent_id, amount, order_id))
    post_event(
        stripe_app, *signed_event("payment_intent.payment_failed", intent_id, amount, order_id)
    )
    db.session.expire_all()
    assert db.session.get(Order, order_id).status == OrderStatus.PAID


def test_payment_after_expiry_is_flagged_not_lost(stripe_app, db):
    order_id, intent_id, _ = new_order(stripe_app, db)
    amount = db.session.get(Order, order_id).total_cents
    with stripe_app.app_context():
        assert orders.expire_orders(utcnow() + timedelta(minutes=31)) == 1
        _db.session.commit()
    response = post_event(
        stripe_app, *signed_event("payment_intent.succeeded", intent_id, amount, order_id)
    )
    assert response.get_json()["outcome"] == "late"
    db.session.expire_all()
    order = db.session.get(Order, order_id)
    assert order.status == OrderStatus.CANCELLED and order.needs_review
    assert "refund it or honour it" in order.review_reason


@pytest.mark.parametrize("refunded", [False, True], ids=["paid", "refunded"])
def test_second_payment_for_a_paid_order_is_flagged_not_taken_for_a_repeat(
    stripe_app, db, localstripe, outbox, refunded
):
    order_id, intent_id, product_id = new_order(stripe_app, db, price_cents=2000)
    with stripe_app.app_context(), stripe_app.test_request_context():
        other_tab = payments.start_payment(_db.session.get(Order, order_id)).gateway_ref
        _db.session.commit()
    amount = db.session.get(Order, order_id).total_cents
    client = sdk(localstripe)
    client.v1.payment_intents.update(intent_id, params={"payment_method": "pm_card_visa"})
    client.v1.payment_intents.confirm(intent_id)
    wait_status(db, order_id, OrderStatus.PAID)
    if refunded:
        admin = factories.user(is_admin=True)
        db.session.commit()
        with stripe_app.app_context(), stripe_app.test_request_context():
            staff = _db.session.get(type(admin), admin.id)
            orders.refund(_db.session.get(Order, order_id), staff, amount)
            _db.session.commit()
    db.session.expire_all()
    before = db.session.get(Order, order_id)
    status, paid_at = before.status, before.paid_at
    mails = len(outbox.messages())

    second = signed_event("payment_intent.succeeded", other_tab, amount, order_id)
    assert post_event(stripe_app, *second).get_json()["outcome"] == "second_payment"
    again = signed_event("payment_intent.succeeded", other_tab, amount, order_id)
    assert post_event(stripe_app, *again).get_json()["outcome"] == "duplicate"
    db.session.expire_all()
    order = db.session.get(Order, order_id)
    assert (order.status, order.paid_at, order.paid_cents) == (status, paid_at, amount)
    assert order.needs_review and other_tab in order.review_reason
    assert f"{amount} USD" in order.review_reason
    from shop.catalog.models import Product
    from shop.orders.models import OrderEvent

    actions = db.session.scalars(
        select(OrderEvent.action).where(OrderEvent.order_id == order_id)
    ).all()
    assert actions.count("paid") == 1 and actions.count("second_payment") == 1
    assert len(outbox.messages()) == mails
    assert db.session.get(Product, product_id).stock == 2


def test_amount_mismatch_is_flagged_for_review(stripe_app, db):
    order_id, intent_id, _ = new_order(stripe_app, db)
    amount = db.session.get(Order, order_id).total_cents
    response = post_event(
        stripe_app, *signed_event("payment_intent.succeeded", intent_id, amount - 100, order_id)
    )
    assert response.get_json()["outcome"] == "mismatch"
    db.session.expire_all()
    order = db.session.get(Order, order_id)
    assert order.status == OrderStatus.PENDING_PAYMENT and order.needs_review


def test_handler_failing_once_then_redelivered_pays_exactly_once(stripe_app, db, monkeypatch):
    order_id, intent_id, _ = new_order(stripe_app, db)
    amount = db.session.get(Order, order_id).total_cents
    body, header = signed_event(
        "payment_intent.succeeded", intent_id, amount, order_id, event_id="evt_retry"
    )
    real = payments.confirm_payment
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database hiccup")
        return real(*args, **kwargs)

    monkeypatch.setattr(payments, "confirm_payment", flaky)
    assert post_event(stripe_app, body, header).status_code == 500
    assert db.session.scalar(select(func.count(ProcessedEvent.id))) == 0
    assert post_event(stripe_app, body, header).get_json()["outcome"] == "paid"
    assert post_event(stripe_app, body, header).get_json()["outcome"] == "duplicate event"
    wait_status(db, order_id, OrderStatus.PAID)


def test_server_restarted_between_order_and_webhook(
    stripe_app, db, localstripe, database_url, tmp_path, app
):
    order_id, intent_id, product_id = new_order(stripe_app, db, stock=2)
    with stripe_app.app_context():
        _db.engine.dispose()
    config = _config(database_url, tmp_path / "second")
    config.update(
        STRIPE_SECRET_KEY=SECRET,
        STRIPE_PUBLISHABLE_KEY="pk_test_taller",
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_API_BASE=localstripe,
    )
    fresh = create_app(config)
    server = LiveServer(fresh).start()
    try:
        requests.post(
            f"{localstripe}/_config/webhooks/taller",
            timeout=5,
            data={"url": f"{server.url}/payments/stripe/webhook", "secret": WEBHOOK_SECRET},
        )
        client = sdk(localstripe)
        client.v1.payment_intents.update(intent_id, params={"payment_method": "pm_card_visa"})
        client.v1.payment_intents.confirm(intent_id)
        wait_status(db, order_id, OrderStatus.PAID)
        from shop.catalog.models import Product

        assert db.session.get(Product, product_id).stock == 1
    finally:
        server.stop()
        with fresh.app_context():
            _db.engine.dispose()


def test_five_simultaneous_deliveries_fulfil_once(stripe_app, db, backend, outbox):
    if backend != "postgresql":
        pytest.skip("concurrent deliveries need PostgreSQL (SQLite serialises all writers)")
    import threading

    order_id, intent_id, _ = new_order(stripe_app, db)
    amount = db.session.get(Order, order_id).total_cents
    body, header = signed_event(
        "payment_intent.succeeded", intent_id, amount, order_id, event_id="evt_burst"
    )
    server = LiveServer(stripe_app).start()
    barrier = threading.Barrier(5)
    codes: list[int] = []

    def deliver() -> None:
        barrier.wait()
        codes.append(
            requests.post(
                f"{server.url}/payments/stripe/webhook",
                data=body,
                timeout=30,
                headers={"Stripe-Signature": header},
            ).status_code
        )

    threads = [threading.Thread(target=deliver) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    server.stop()
    assert codes == [200] * 5
    wait_status(db, order_id, OrderStatus.PAID)
    from shop.orders.models import OrderEvent

    assert (
        db.session.scalar(
            select(func.count(OrderEvent.id)).where(
                OrderEvent.order_id == order_id, OrderEvent.action == "paid"
            )
        )
        == 1
    )
    time.sleep(0.3)
    assert len(outbox.to("gina@example.com")) == 1


def test_success_page_and_webhook_race_fifty_times(stripe_app, db, backend):
    if backend != "postgresql":
        pytest.skip("concurrent requests need PostgreSQL (SQLite serialises all writers)")
    import threading

    from shop.orders.models import OrderEvent

    created = [new_order(stripe_app, db) for _ in range(50)]
    tokens = {oid: db.session.get(Order, oid).access_token for oid, _, _ in created}
    server = LiveServer(stripe_app).start()
    errors: list[str] = []

    def race(order_id: int, intent_id: str) -> None:
        amount_row = {"amount": None}

        def page() -> None:
            for path in (
                f"/orders/{tokens[order_id]}?payment=processing",
                f"/payments/stripe/{tokens[order_id]}",
            ):
                status = requests.get(server.url + path, timeout=30).status_code
                if status not in (200, 302):
                    errors.append(f"{path}: {status}")

        def hook() -> None:
            body, header = signed_event(
                "payment_intent.succeeded", intent_id, amount_row["amount"], order_id
            )
            status = requests.post(
                f"{server.url}/payments/stripe/webhook",
                data=body,
                timeout=30,
                headers={"Stripe-Signature": header},
            ).status_code
            if status != 200:
                errors.append(f"webhook {order_id}: {status}")

        with stripe_app.app_context():
            amount_row["amount"] = _db.session.get(Order, order_id).total_cents
            _db.session.remove()
        both = [threading.Thread(target=page), threading.Thread(target=hook)]
        for thread in both:
            thread.start()
        for thread in both:
            thread.join(timeout=60)

    runners = [threading.Thread(target=race, args=(oid, ref)) for oid, ref, _ in created]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join(timeout=120)
    server.stop()
    assert errors == []
    db.session.expire_all()
    for order_id, _, _ in created:
        order = db.session.get(Order, order_id)
        assert order.status == OrderStatus.PAID and order.paid_cents == order.total_cents
        assert (
            db.session.scalar(
                select(func.count(OrderEvent.id)).where(
                    OrderEvent.order_id == order_id, OrderEvent.action == "paid"
                )
            )
            == 1
        )
