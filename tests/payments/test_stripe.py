"""Stripe payments end to end: StripeGateway against localstripe on 127.0.0.1, fulfilled by
real signed webhooks delivered to a live server, plus our own signed events for the cases
localstripe cannot produce (late, duplicate, out-of-order, tampered, mismatched).

Every money or stock change must happen exactly once, whatever the order, the number or
the timing of the deliveries.
"""

from __future__ import annotations

import functools
import json
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests
import stripe
from sqlalchemy import func, select

from shop.auth.models import User
from shop.core.errors import InvalidTransition, ValidationFailed
from shop.core.time import utcnow
from shop.extensions import db as _db
from shop.orders import lifecycle
from shop.orders.models import Order, OrderEvent, OrderStatus
from shop.payments import refunds
from shop.payments import services as payments
from shop.payments.models import Payment, ProcessedEvent, Refund, RefundStatus
from tests import factories
from tests.support import stripe as stripe_support
from tests.support.stripe import (
    CUSTOMER_EMAIL,
    WEBHOOK_PATH,
    Placed,
    StripeShop,
    authenticate_3ds,
    build_shop,
    card_method,
    deliver,
    event_body,
    load_order,
    make_product,
    order_events,
    pay_in_browser,
    payments_of,
    place_and_start,
    post_event,
    post_live,
    processed_events,
    refresh,
    sample_url,
    sign,
    start_again,
    stock_of,
    wait_order_status,
)
from tests.support.threads import run_together

# The support module's fixtures, made visible here (pytest finds them by their own names).
localstripe = stripe_support.localstripe
stripe_url = stripe_support.stripe_url
stripe_shop = stripe_support.stripe_shop
stripe_app = stripe_support.stripe_app
stripe_requests = stripe_support.stripe_requests
pg_only = stripe_support.pg_only

OS = OrderStatus
SUCCEEDED = "payment_intent.succeeded"
FAILED = "payment_intent.payment_failed"


def _intent_creations(sent) -> list:
    return [r for r in sent if r.method == "POST" and r.path == "/v1/payment_intents"]


def _refund_requests(sent) -> list:
    return [r for r in sent if r.method == "POST" and r.path == "/v1/refunds"]


def _snapshot(db, order_id: int) -> tuple:
    """Everything a webhook could change about an order."""
    order = load_order(db, order_id)
    return (
        order.status,
        order.paid_cents,
        order.paid_at,
        order.needs_review,
        order.review_reason,
        [(p.status, p.failure_reason) for p in payments_of(db, order_id)],
        db.session.scalar(select(func.count(OrderEvent.id)).where(OrderEvent.order_id == order_id)),
        processed_events(db),
    )


def _refund_as_admin(shop: StripeShop, order_id: int, admin_id: int, amount: int) -> str | None:
    """shop.orders.services.refund by an admin, committed (rolled back when refused)."""
    with shop.app.app_context(), shop.app.test_request_context():
        try:
            record = refunds.refund(
                _db.session.get(Order, order_id),
                _db.session.get(User, admin_id),
                amount,
                reason="test refund",
            )
            _db.session.commit()
        except Exception:
            _db.session.rollback()
            raise
        return record.gateway_ref


def _assert_paid_once(db, outbox, placed: Placed, stock_left: int) -> Order:
    """Paid in full once: one "paid" event, one e-mail, the stock reserved at checkout only."""
    order = load_order(db, placed.order_id)
    assert order.status == OS.PAID and order.paid_at is not None
    assert order.paid_cents == placed.total_cents == order.total_cents
    assert order_events(db, placed.order_id, "paid") == 1
    assert len(outbox.to(CUSTOMER_EMAIL)) == 1
    assert stock_of(db, placed.product_id) == stock_left
    return order


def _paid_by_localstripe(shop: StripeShop, db, placed: Placed) -> None:
    """The customer pays with a good card; localstripe's signed webhook fulfils."""
    assert pay_in_browser(shop, placed.intent_id).status == "succeeded"
    delivery = shop.wait_delivery(SUCCEEDED, placed.intent_id)
    assert (delivery.status, delivery.outcome) == (200, "paid"), delivery
    wait_order_status(db, placed.order_id, OS.PAID)


# --- 1. creating the PaymentIntent ---------------------------------------------------------


def test_start_creates_the_intent_with_amount_currency_metadata_and_idempotency_key(
    stripe_shop, db, stripe_requests
):
    product = make_product(db, price_cents=1850, stock=3)
    placed = place_and_start(stripe_shop, product, quantity=2)

    intent = stripe_shop.stripe.v1.payment_intents.retrieve(placed.intent_id)
    assert placed.total_cents == 2 * 1850
    assert intent.amount == placed.total_cents
    assert intent.currency == "usd"
    assert intent.metadata["order_id"] == str(placed.order_id)
    assert intent.status == "requires_payment_method"
    assert placed.client_secret == intent.client_secret

    (create,) = _intent_creations(stripe_requests)
    assert create.url.startswith(stripe_shop.stripe_base)  # STRIPE_API_BASE is honoured
    assert create.headers["idempotency-key"] == f"taller-order-{placed.order_id}-attempt-1"
    assert create.params["amount"] == [str(placed.total_cents)]

    (payment,) = payments_of(db, placed.order_id)
    assert (payment.gateway, payment.gateway_ref, payment.status) == (
        "stripe",
        placed.intent_id,
        "created",
    )
    assert (payment.amount_cents, payment.currency) == (placed.total_cents, "USD")
    assert load_order(db, placed.order_id).status == OS.PENDING_PAYMENT

    page = stripe_shop.app.test_client().get(f"/payments/stripe/{placed.token}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert placed.client_secret in html and "pk_test_taller_suite" in html


# --- 2. a good card: the real signed webhook pays once ---------------------------------------


def test_card_payment_is_fulfilled_once_by_the_signed_webhook(stripe_shop, db, outbox):
    product = make_product(db, price_cents=1800, stock=3)
    placed = place_and_start(stripe_shop, product)
    assert stock_of(db, placed.product_id) == 2  # reserved at checkout

    assert pay_in_browser(stripe_shop, placed.intent_id).status == "succeeded"
    delivery = stripe_shop.wait_delivery(SUCCEEDED, placed.intent_id)
    assert (delivery.status, delivery.outcome) == (200, "paid")

    order = _assert_paid_once(db, outbox, placed, stock_left=2)  # paying takes no stock again
    assert not order.needs_review
    assert [p.status for p in payments_of(db, placed.order_id)] == ["succeeded"]
    assert processed_events(db) == 1
    assert db.session.get(ProcessedEvent, delivery.event["id"]) is not None
    (mail,) = outbox.to(CUSTOMER_EMAIL)
    assert order.reference in mail["Subject"] + outbox.body(mail)

    # Stripe re-sends an event it thinks was lost: the very same bytes change nothing.
    again = post_event(stripe_shop, delivery.body, delivery.headers["Stripe-Signature"])
    assert (again.status_code, again.get_json()["outcome"]) == (200, "duplicate event")
    _assert_paid_once(db, outbox, placed, stock_left=2)
    assert processed_events(db) == 1


# --- 3. a declined card, then a second attempt ------------------------------------------------


def test_declined_card_keeps_the_order_payable_and_a_retry_pays(
    stripe_shop, db, outbox, stripe_requests
):
    product = make_product(db, stock=3)
    placed = place_and_start(stripe_shop, product)

    with pytest.raises(stripe.CardError):
        pay_in_browser(stripe_shop, placed.intent_id, "pm_card_chargeCustomerFail")
    intent = stripe_shop.stripe.v1.payment_intents.retrieve(placed.intent_id)
    assert intent.status == "requires_payment_method"
    delivery = stripe_shop.wait_delivery(FAILED, placed.intent_id)
    assert (delivery.status, delivery.outcome) == (200, "failed")

    (payment,) = payments_of(db, placed.order_id)
    assert payment.status == "failed"
    assert payment.failure_reason == "Your card was declined."
    order = load_order(db, placed.order_id)
    assert order.status == OS.PENDING_PAYMENT and order.paid_cents == 0
    assert not order.needs_review
    assert order_events(db, placed.order_id, "payment_failed") == 1
    assert outbox.to(CUSTOMER_EMAIL) == []
    assert stock_of(db, placed.product_id) == 2  # still held for the retry

    retry_intent, _ = start_again(stripe_shop, placed.order_id)
    assert retry_intent != placed.intent_id
    keys = [r.headers["idempotency-key"] for r in _intent_creations(stripe_requests)]
    assert keys == [
        f"taller-order-{placed.order_id}-attempt-1",
        f"taller-order-{placed.order_id}-attempt-2",
    ]
    assert pay_in_browser(stripe_shop, retry_intent).status == "succeeded"
    delivery = stripe_shop.wait_delivery(SUCCEEDED, retry_intent)
    assert (delivery.status, delivery.outcome) == (200, "paid")

    _assert_paid_once(db, outbox, placed, stock_left=2)
    assert [p.status for p in payments_of(db, placed.order_id)] == ["failed", "succeeded"]


# --- 4. 3-D Secure ------------------------------------------------------------------------


def test_three_d_secure_card_pays_only_after_authentication(stripe_shop, db, outbox):
    placed = place_and_start(stripe_shop, make_product(db))
    method = card_method(stripe_shop, "4000000000003220")

    intent = pay_in_browser(stripe_shop, placed.intent_id, method)
    assert intent.status == "requires_action"
    client = stripe_shop.app.test_client()
    assert client.get(f"/payments/stripe/{placed.token}").status_code == 200  # form again
    assert load_order(db, placed.order_id).status == OS.PENDING_PAYMENT

    authenticated = authenticate_3ds(stripe_shop, placed.intent_id, placed.client_secret)
    assert authenticated["status"] == "succeeded"
    delivery = stripe_shop.wait_delivery(SUCCEEDED, placed.intent_id)
    assert (delivery.status, delivery.outcome) == (200, "paid")

    _assert_paid_once(db, outbox, placed, stock_left=2)
    assert stripe_shop.deliveries(FAILED, placed.intent_id) == []
    page = client.get(f"/payments/stripe/{placed.token}")
    assert page.status_code == 302 and f"/orders/{placed.token}" in page.location


# --- 5. refunds ---------------------------------------------------------------------------


def test_partial_and_full_refunds_reach_stripe_and_never_exceed_what_was_paid(
    stripe_shop, db, stripe_requests
):
    placed = place_and_start(stripe_shop, make_product(db, price_cents=2000))
    _paid_by_localstripe(stripe_shop, db, placed)
    admin_id = factories.user(is_admin=True).id
    db.session.commit()

    with pytest.raises(ValidationFailed):
        _refund_as_admin(stripe_shop, placed.order_id, admin_id, 2001)
    assert _refund_requests(stripe_requests) == []  # refused before Stripe is asked

    partial = _refund_as_admin(stripe_shop, placed.order_id, admin_id, 500)
    order = load_order(db, placed.order_id)
    assert (order.status, order.refunded_cents) == (OS.PARTIALLY_REFUNDED, 500)

    with pytest.raises(ValidationFailed):
        _refund_as_admin(stripe_shop, placed.order_id, admin_id, 1501)
    assert len(_refund_requests(stripe_requests)) == 1

    rest = _refund_as_admin(stripe_shop, placed.order_id, admin_id, 1500)
    order = load_order(db, placed.order_id)
    assert (order.status, order.refunded_cents) == (OS.REFUNDED, 2000)
    with pytest.raises(InvalidTransition):
        _refund_as_admin(stripe_shop, placed.order_id, admin_id, 1)
    sent = _refund_requests(stripe_requests)
    assert len(sent) == 2
    assert [r.params["amount"] for r in sent] == [["500"], ["1500"]]
    assert all(r.params["payment_intent"] == [placed.intent_id] for r in sent)
    keys = [r.headers.get("idempotency-key") for r in sent]
    assert all(keys) and len(set(keys)) == 2

    at_stripe = stripe_shop.stripe.v1.refunds.list(params={"payment_intent": placed.intent_id}).data
    assert sorted((r.id, r.amount) for r in at_stripe) == sorted([(partial, 500), (rest, 1500)])
    assert {r.metadata["order_id"] for r in at_stripe} == {str(placed.order_id)}
    refresh(db)
    recorded = db.session.scalars(select(Refund).where(Refund.order_id == placed.order_id)).all()
    assert sorted((r.gateway_ref, r.amount_cents) for r in recorded) == sorted(
        [(partial, 500), (rest, 1500)]
    )
    # Each refund went out after its commit, with its own key, and its answer was recorded.
    assert {r.status for r in recorded} == {RefundStatus.SUCCEEDED}
    assert sorted(keys) == sorted(r.idempotency_key for r in recorded)


# --- 6. webhook security ------------------------------------------------------------------


def _flip_last(header: str) -> str:
    return header[:-1] + ("0" if header[-1] != "0" else "1")


def _resign_with_new_timestamp(body: bytes, secret: str) -> tuple[bytes, str]:
    old = sign(body, secret, timestamp=int(time.time()) - 3600)
    signature = old.split(",v1=")[1]
    return body, f"t={int(time.time())},v1={signature}"


UNVERIFIABLE = {
    "wrong secret": lambda body, secret: (body, sign(body, "whsec_" + "0" * 32)),
    "altered signature": lambda body, secret: (body, _flip_last(sign(body, secret))),
    "no signature header": lambda body, secret: (body, None),
    "empty signature header": lambda body, secret: (body, ""),
    "stale timestamp": lambda body, secret: (
        body,
        sign(body, secret, timestamp=int(time.time()) - 301),
    ),
    "old signature with a fresh timestamp": _resign_with_new_timestamp,
    "re-serialised body": lambda body, secret: (
        json.dumps(json.loads(body), indent=2, sort_keys=True).encode(),
        sign(body, secret),
    ),
    "altered amount": lambda body, secret: (
        body.replace(b'"amount": ', b'"amount": 1', 1),
        sign(body, secret),
    ),
}


@pytest.mark.parametrize("case", list(UNVERIFIABLE))
def test_unverifiable_webhooks_are_refused_and_write_nothing(stripe_shop, db, outbox, case):
    placed = place_and_start(stripe_shop, make_product(db))
    body = event_body(SUCCEEDED, placed.intent_id, placed.total_cents, placed.order_id)
    bad_body, header = UNVERIFIABLE[case](body, stripe_shop.webhook_secret)
    before = _snapshot(db, placed.order_id)

    response = post_event(stripe_shop, bad_body, header)
    assert response.status_code == 400
    assert response.get_json() == {"error": "invalid signature"}
    assert _snapshot(db, placed.order_id) == before
    assert processed_events(db) == 0
    assert outbox.messages() == []

    # Control: the genuine event is accepted, so the refusal above was the signature's doing.
    genuine = deliver(stripe_shop, body)
    assert (genuine.status_code, genuine.get_json()["outcome"]) == (200, "paid")


def test_a_signature_inside_the_tolerance_is_accepted(stripe_shop, db):
    placed = place_and_start(stripe_shop, make_product(db))
    body = event_body(SUCCEEDED, placed.intent_id, placed.total_cents, placed.order_id)
    response = deliver(stripe_shop, body, timestamp=int(time.time()) - 240)
    assert (response.status_code, response.get_json()["outcome"]) == (200, "paid")


def test_webhook_is_the_only_post_route_without_csrf_protection(stripe_app, stripe_shop, db):
    client = stripe_app.test_client()
    checked = []
    for rule in stripe_app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint == "payments.stripe_webhook":
            continue
        url = sample_url(rule)
        response = client.post(url, data={}, headers={"Accept-Language": "en"})
        text = response.get_data(as_text=True)
        assert response.status_code == 400 and "Your form expired" in text, (url, response)
        checked.append(url)
    assert len(checked) > 20

    # The webhook: no session, no cookie, no CSRF token; only Stripe's signature.
    placed = place_and_start(stripe_shop, make_product(db))
    body = event_body(SUCCEEDED, placed.intent_id, placed.total_cents, placed.order_id)
    fresh_client = stripe_app.test_client()
    response = fresh_client.post(
        WEBHOOK_PATH,
        data=body,
        headers={
            "Content-Type": "application/json",
            "Stripe-Signature": sign(body, stripe_shop.webhook_secret),
        },
    )
    assert response.status_code == 200
    assert load_order(db, placed.order_id).status == OS.PAID


# --- 7. duplicate deliveries --------------------------------------------------------------


def test_same_event_five_times_in_a_row_fulfils_once(stripe_shop, db, outbox):
    placed = place_and_start(stripe_shop, make_product(db, stock=3))
    body = event_body(SUCCEEDED, placed.intent_id, placed.total_cents, placed.order_id)
    header = sign(body, stripe_shop.webhook_secret)

    answers = [post_event(stripe_shop, body, header) for _ in range(5)]
    assert [a.status_code for a in answers] == [200] * 5
    assert [a.get_json()["outcome"] for a in answers] == ["paid"] + ["duplicate event"] * 4
    _assert_paid_once(db, outbox, placed, stock_left=2)

    # Another event about the same intent (a new event id): the payment is confirmed already.
    other = event_body(SUCCEEDED, placed.intent_id, placed.total_cents, placed.order_id)
    answer = deliver(stripe_shop, other)
    assert (answer.status_code, answer.get_json()["outcome"]) == (200, "duplicate")

    order = _assert_paid_once(db, outbox, placed, stock_left=2)
    assert not order.needs_review
    assert processed_events(db) == 2


# The answers to the four deliveries that lose the race, by what the five deliveries are.
LOSERS = {
    "same event": "duplicate event",  # one event id: the processed_events key refuses it
    "distinct events": "duplicate",  # five event ids, one intent: the payment is confirmed
    "distinct payments": "second_payment",  # five intents (five tabs): four extra charges
}


@pytest.mark.parametrize("deliveries", list(LOSERS))
def test_five_simultaneous_deliveries_fulfil_once(pg_only, stripe_shop, db, outbox, deliveries):
    placed = place_and_start(stripe_shop, make_product(db, stock=3))
    intents = [placed.intent_id] * 5
    if deliveries == "distinct payments":  # the pay page open in five tabs, all paid
        intents[1:] = [start_again(stripe_shop, placed.order_id)[0] for _ in range(4)]
    bodies = [
        event_body(SUCCEEDED, intent, placed.total_cents, placed.order_id) for intent in intents
    ]
    if deliveries == "same event":
        bodies = bodies[:1] * 5

    answers = run_together(*(functools.partial(post_live, stripe_shop, body) for body in bodies))
    stripe_shop.tracker.wait_idle()
    assert [status for status, _ in answers] == [200] * 5
    assert Counter(outcome for _, outcome in answers) == {"paid": 1, LOSERS[deliveries]: 4}
    order = _assert_paid_once(db, outbox, placed, stock_left=2)
    assert processed_events(db) == (1 if deliveries == "same event" else 5)
    extra_charges = 4 if deliveries == "distinct payments" else 0
    assert order_events(db, placed.order_id, "second_payment") == extra_charges
    assert order.needs_review == bool(extra_charges)
    assert [p.status for p in payments_of(db, placed.order_id)] == ["succeeded"] * len(set(intents))


# --- 8. events out of order, or too late ------------------------------------------------------


def test_payment_failed_after_succeeded_does_not_move_the_order_back(stripe_shop, db, outbox):
    placed = place_and_start(stripe_shop, make_product(db))
    args = (placed.intent_id, placed.total_cents, placed.order_id)
    assert deliver(stripe_shop, event_body(SUCCEEDED, *args)).get_json()["outcome"] == "paid"

    late_failure = deliver(stripe_shop, event_body(FAILED, *args))
    assert late_failure.status_code == 200

    order = load_order(db, placed.order_id)
    assert order.status == OS.PAID and order.paid_cents == placed.total_cents
    assert not order.needs_review
    assert [(p.status, p.failure_reason) for p in payments_of(db, placed.order_id)] == [
        ("succeeded", None)
    ]
    assert order_events(db, placed.order_id, "payment_failed") == 0
    assert len(outbox.to(CUSTOMER_EMAIL)) == 1


def test_payment_after_the_hold_expired_is_flagged_never_reopened(stripe_shop, db, outbox):
    placed = place_and_start(stripe_shop, make_product(db, stock=3))
    hold = stripe_shop.app.config["ORDER_HOLD_MINUTES"]
    with stripe_shop.app.app_context():
        assert lifecycle.expire_orders(utcnow() + timedelta(minutes=hold + 1)) == 1
        _db.session.commit()
    assert load_order(db, placed.order_id).status == OS.CANCELLED
    assert stock_of(db, placed.product_id) == 3  # released
    with (
        stripe_shop.app.app_context(),
        stripe_shop.app.test_request_context(),
        pytest.raises(InvalidTransition),
    ):
        payments.start_payment(_db.session.get(Order, placed.order_id))

    # The customer's tab was still open: the old intent is paid at Stripe anyway.
    assert pay_in_browser(stripe_shop, placed.intent_id).status == "succeeded"
    delivery = stripe_shop.wait_delivery(SUCCEEDED, placed.intent_id)
    assert (delivery.status, delivery.outcome) == (200, "late")

    order = load_order(db, placed.order_id)
    assert order.status == OS.CANCELLED and order.paid_cents == 0  # not re-opened
    assert order.needs_review and "cancelled" in order.review_reason
    assert str(placed.total_cents) in order.review_reason
    assert order_events(db, placed.order_id, "late_payment") == 1
    assert order_events(db, placed.order_id, "paid") == 0
    assert [p.status for p in payments_of(db, placed.order_id)] == ["succeeded"]
    assert stock_of(db, placed.product_id) == 3  # nothing taken for a cancelled order
    assert outbox.to(CUSTOMER_EMAIL) == []  # no "thank you, paid" for a cancelled order


@pytest.mark.parametrize("refunded", [False, True], ids=["order paid", "order refunded"])
def test_a_second_payment_for_a_paid_or_refunded_order_is_flagged(
    stripe_shop, db, outbox, refunded
):
    placed = place_and_start(stripe_shop, make_product(db, price_cents=2000, stock=3))
    other_tab_intent, _ = start_again(stripe_shop, placed.order_id)  # pay page opened twice
    _paid_by_localstripe(stripe_shop, db, placed)
    if refunded:
        admin_id = factories.user(is_admin=True).id
        db.session.commit()
        _refund_as_admin(stripe_shop, placed.order_id, admin_id, placed.total_cents)
    before = load_order(db, placed.order_id)
    status, paid_at = before.status, before.paid_at
    assert status == (OS.REFUNDED if refunded else OS.PAID) and not before.needs_review
    mails = len(outbox.messages())

    # The second tab pays too: the customer has now been charged twice.
    assert pay_in_browser(stripe_shop, other_tab_intent).status == "succeeded"
    delivery = stripe_shop.wait_delivery(SUCCEEDED, other_tab_intent)
    assert (delivery.status, delivery.outcome) == (200, "second_payment")

    order = load_order(db, placed.order_id)
    assert (order.status, order.paid_at) == (status, paid_at)  # nothing re-opened or re-paid
    assert order.paid_cents == placed.total_cents
    assert order.refunded_cents == (placed.total_cents if refunded else 0)
    assert order.needs_review  # an admin must refund the second charge
    assert other_tab_intent in order.review_reason
    assert f"{placed.total_cents} USD" in order.review_reason
    assert order_events(db, placed.order_id, "second_payment") == 1
    assert order_events(db, placed.order_id, "paid") == 1
    assert [p.status for p in payments_of(db, placed.order_id)] == ["succeeded", "succeeded"]
    assert len(outbox.messages()) == mails  # no second "thank you, paid" to anyone
    assert stock_of(db, placed.product_id) == 2

    # Redeliveries of that same second payment are harmless: flagged once, not twice.
    again = post_event(stripe_shop, delivery.body, delivery.headers["Stripe-Signature"])
    assert (again.status_code, again.get_json()["outcome"]) == (200, "duplicate event")
    other = event_body(SUCCEEDED, other_tab_intent, placed.total_cents, placed.order_id)
    assert deliver(stripe_shop, other).get_json()["outcome"] == "duplicate"
    assert order_events(db, placed.order_id, "second_payment") == 1
    assert load_order(db, placed.order_id).status == status


def test_expiry_racing_the_webhooks_never_loses_a_payment(pg_only, stripe_shop, db):
    product = make_product(db, price_cents=900, stock=40)
    placed = [
        place_and_start(stripe_shop, product, email=f"racer{i}@example.com") for i in range(20)
    ]
    assert stock_of(db, product[0]) == 20
    hold = stripe_shop.app.config["ORDER_HOLD_MINUTES"]

    def expire():
        with stripe_shop.app.app_context():
            count = lifecycle.expire_orders(utcnow() + timedelta(minutes=hold + 1))
            _db.session.commit()
            return count

    def webhook(order: Placed, delay: float):
        body = event_body(SUCCEEDED, order.intent_id, order.total_cents, order.order_id)

        def post():
            time.sleep(delay)  # last orders first: the expiry job starts from the first
            return post_live(stripe_shop, body)

        return post

    expired, *answers = run_together(
        expire, *(webhook(order, 0.01 * (len(placed) - i)) for i, order in enumerate(placed))
    )
    stripe_shop.tracker.wait_idle()

    assert all(status == 200 for status, _ in answers), answers
    outcomes = {
        order.order_id: outcome for order, (_, outcome) in zip(placed, answers, strict=True)
    }
    refresh(db)
    paid = 0
    for order in placed:
        row = db.session.get(Order, order.order_id)
        if row.status == OS.PAID:
            paid += 1
            assert outcomes[order.order_id] == "paid"
            assert row.paid_cents == order.total_cents and row.released_at is None
            assert not row.needs_review
        else:  # expired first: the payment arrived late and is flagged, never dropped
            assert row.status == OS.CANCELLED and row.released_at is not None
            assert outcomes[order.order_id] == "late"
            assert row.needs_review and row.paid_cents == 0
    assert expired == 20 - paid
    assert stock_of(db, product[0]) == 40 - paid  # each cancelled order released once


# --- 9. amount or currency mismatch -------------------------------------------------------


@pytest.mark.parametrize(
    ("delta", "currency"),
    [(-100, "usd"), (100, "usd"), (0, "eur")],
    ids=["less", "more", "other currency"],
)
def test_mismatched_payment_is_flagged_and_not_fulfilled(stripe_shop, db, outbox, delta, currency):
    placed = place_and_start(stripe_shop, make_product(db, stock=3))
    amount = placed.total_cents + delta
    body = event_body(SUCCEEDED, placed.intent_id, amount, placed.order_id, currency=currency)
    response = deliver(stripe_shop, body)
    assert (response.status_code, response.get_json()["outcome"]) == (200, "mismatch")

    order = load_order(db, placed.order_id)
    assert order.status == OS.PENDING_PAYMENT and order.paid_cents == 0
    assert order.needs_review
    assert f"{amount} {currency.upper()}" in order.review_reason
    assert str(placed.total_cents) in order.review_reason
    assert order_events(db, placed.order_id, "payment_mismatch") == 1
    assert order_events(db, placed.order_id, "paid") == 0
    assert outbox.to(CUSTOMER_EMAIL) == []
    assert stock_of(db, placed.product_id) == 2


# --- 10. success page and webhook at the same time ------------------------------------------


def test_success_page_and_webhook_race_for_fifty_orders(pg_only, stripe_shop, db, outbox):
    product = make_product(db, price_cents=1200, stock=60)
    placed = [
        place_and_start(stripe_shop, product, email=f"buyer{i}@example.com") for i in range(50)
    ]
    base = stripe_shop.server.url

    def race(order: Placed):
        body = event_body(SUCCEEDED, order.intent_id, order.total_cents, order.order_id)

        def order_page():
            response = requests.get(
                f"{base}/orders/{order.token}?payment=processing",
                timeout=30,
                allow_redirects=False,
            )
            shown = [
                status
                for status in ("paid", "pending_payment")
                if f"order-status-{status}" in response.text
            ]
            return response.status_code, shown

        def card_page():
            response = requests.get(
                f"{base}/payments/stripe/{order.token}", timeout=30, allow_redirects=False
            )
            return response.status_code

        return run_together(functools.partial(post_live, stripe_shop, body), order_page, card_page)

    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(race, placed))
    stripe_shop.tracker.wait_idle()

    for order, (hook, page, card) in zip(placed, outcomes, strict=True):
        assert hook == (200, "paid"), (order, hook)
        assert page[0] == 200 and len(page[1]) == 1, (order, page)
        assert card in (200, 302), (order, card)
    refresh(db)
    ids = [p.order_id for p in placed]
    rows = db.session.execute(select(Order.status, Order.paid_cents, Order.total_cents)).all()
    assert len(rows) == 50
    assert all(status == OS.PAID and paid == total for status, paid, total in rows), rows
    paid_events = Counter(
        db.session.scalars(
            select(OrderEvent.order_id).where(
                OrderEvent.action == "paid", OrderEvent.order_id.in_(ids)
            )
        )
    )
    assert paid_events == dict.fromkeys(ids, 1)
    statuses = db.session.scalars(select(Payment.status).where(Payment.order_id.in_(ids)))
    assert Counter(statuses) == {"succeeded": 50}
    assert stock_of(db, product[0]) == 10
    assert all(len(outbox.to(f"buyer{i}@example.com")) == 1 for i in range(50))


# --- 11. a handler that fails once ----------------------------------------------------------


@pytest.mark.parametrize("failing", ["confirm_payment", "after the mails are queued"])
def test_handler_failing_once_stores_nothing_and_the_redelivery_pays_once(
    stripe_shop, db, outbox, monkeypatch, failing
):
    module, name = (
        (payments, "confirm_payment")
        if failing == "confirm_payment"
        else (lifecycle, "_notify_paid")
    )
    real = getattr(module, name)
    calls: list[int] = []

    def fails_the_first_time(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            if name == "_notify_paid":
                real(*args, **kwargs)  # order moved to paid, mails queued: then it breaks
            raise RuntimeError("the database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, fails_the_first_time)
    placed = place_and_start(stripe_shop, make_product(db, stock=3))

    assert pay_in_browser(stripe_shop, placed.intent_id).status == "succeeded"
    first = stripe_shop.wait_delivery(SUCCEEDED, placed.intent_id)
    assert first.status == 500
    assert processed_events(db) == 0  # Stripe must be able to redeliver it
    order = load_order(db, placed.order_id)
    assert order.status == OS.PENDING_PAYMENT and order.paid_cents == 0
    assert [p.status for p in payments_of(db, placed.order_id)] == ["created"]
    assert order_events(db, placed.order_id, "paid") == 0
    assert outbox.messages() == []

    # Stripe redelivers the same event (same id, same bytes).
    again = post_event(stripe_shop, first.body, first.headers["Stripe-Signature"])
    assert (again.status_code, again.get_json()["outcome"]) == (200, "paid")
    third = post_event(stripe_shop, first.body, first.headers["Stripe-Signature"])
    assert (third.status_code, third.get_json()["outcome"]) == (200, "duplicate event")

    _assert_paid_once(db, outbox, placed, stock_left=2)
    assert processed_events(db) == 1


# --- 12. the server restarts between the order and the webhook ------------------------------


def test_server_restarted_between_order_and_webhook(
    stripe_shop, db, outbox, database_url, tmp_path, stripe_url
):
    placed = place_and_start(stripe_shop, make_product(db, stock=3), quantity=2)
    assert stock_of(db, placed.product_id) == 1
    stripe_shop.close()  # the old process: server stopped, connections disposed

    restarted = build_shop(
        database_url,
        tmp_path / "restarted",
        str(outbox.folder),
        stripe_url,
        secret=stripe_shop.webhook_secret,
    )
    try:
        assert pay_in_browser(restarted, placed.intent_id).status == "succeeded"
        delivery = restarted.wait_delivery(SUCCEEDED, placed.intent_id)
        assert (delivery.status, delivery.outcome) == (200, "paid")

        _assert_paid_once(db, outbox, placed, stock_left=1)
        assert stripe_shop.deliveries() == []  # nothing reached the stopped instance
        page = restarted.app.test_client().get(f"/payments/stripe/{placed.token}")
        assert page.status_code == 302
    finally:
        restarted.close()
