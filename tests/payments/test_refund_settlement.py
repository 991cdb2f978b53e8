"""Refunds reach the gateway only after the transaction that recorded them committed: the
refund is pending with every counter in place, then sent with its idempotency key, and the
answer (succeeded or failed) is recorded on its own. A refused refund stays owed money until
a retry (the admin's button or `flask settle-refunds`) goes through, and no retry gives back
the money twice.

The gateway here is the real Stripe SDK talking to tests/support/fake_gateway.py, which
can fail on demand and look at the database while the shop waits for its answer.
"""

from __future__ import annotations

import secrets
import socket
from datetime import timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, update
from werkzeug.datastructures import MultiDict

from shop import create_app
from shop.auth.models import User
from shop.bookings import services as bookings
from shop.catalog.models import Product
from shop.classes.models import ClassSession
from shop.core.errors import InvalidTransition, NotAllowed
from shop.core.time import utcnow
from shop.extensions import db as _db
from shop.orders.models import Order, OrderStatus
from shop.payments import refunds
from shop.payments import services as payments
from shop.payments.models import Payment, Refund, RefundStatus
from shop.payments.settlement import settle
from tests import factories
from tests.conftest import IsolatedClient, _config, login
from tests.support import fake_gateway
from tests.support.fake_gateway import GATEWAY_DOWN, refund_statuses, rows_are_free
from tests.support.html_forms import browser_submission, through_confirmation

fake_stripe = fake_gateway.fake_stripe
RS = RefundStatus


@pytest.fixture
def stripe_app(app, database_url, tmp_path, fake_stripe):
    """The shop configured for Stripe, whose API is the fake gateway."""
    config = _config(database_url, tmp_path / "stripe")
    config.update(
        MAIL_OUTBOX_DIR=app.config["MAIL_OUTBOX_DIR"],
        STRIPE_SECRET_KEY="sk_test_fake",
        STRIPE_PUBLISHABLE_KEY="pk_test_fake",
        STRIPE_WEBHOOK_SECRET="whsec_fake",
        STRIPE_API_BASE=fake_stripe.url,
    )
    shop = create_app(config)
    shop.test_client_class = IsolatedClient
    yield shop
    with shop.app_context():
        _db.engine.dispose()


def _paid_through_stripe(order: Order) -> Payment:
    """Confirm a Stripe payment of the whole order, as the webhook does."""
    payment = Payment(
        order_id=order.id,
        gateway="stripe",
        gateway_ref=f"pi_fake_{secrets.token_hex(6)}",
        amount_cents=order.total_cents,
        currency=order.currency,
    )
    _db.session.add(payment)
    _db.session.flush()
    assert payments.confirm_payment(payment, order.total_cents, order.currency) == "paid"
    return payment


@pytest.fixture
def bowls(app, db):
    """A paid (through Stripe) order of 2 bowls at $10 each; 3 more bowls in stock."""
    bowl = factories.product(title="Cuenco", price_cents=1000, stock=5)
    with app.test_request_context():
        order = factories.order([(bowl, 2)])
        payment = _paid_through_stripe(order)
    admin = factories.user(is_admin=True)
    db.session.commit()
    line = order.lines[0]
    return {
        "order_id": order.id,
        "line_id": line.id,
        "product_id": bowl.id,
        "intent": payment.gateway_ref,
        "admin": admin,
    }


def _state(db, order_id: int) -> tuple:
    """What a refund changes about an order: status, counters, stock."""
    db.session.rollback()
    db.session.expire_all()
    order = db.session.get(Order, order_id)
    line = order.lines[0]
    stock = db.session.get(Product, line.product_id).stock if line.product_id else None
    return order.status, order.refunded_cents, line.refunded_cents, line.restocked_quantity, stock


def _refunds(db, order_id: int) -> list[Refund]:
    db.session.rollback()
    db.session.expire_all()
    return list(db.session.scalars(select(Refund).where(Refund.order_id == order_id)))


def _refund_by_admin_form(shop, admin, order_id: int, line_id: int, amount: str, restock="0"):
    """The admin fills in the order page's refund form, as a browser sends it."""
    client = shop.test_client()
    login(client, admin.email)
    page = client.get(f"/admin/orders/{order_id}").get_data(as_text=True)
    action = f"/admin/orders/{order_id}/refund"
    response = through_confirmation(
        client, page, action, line_id=str(line_id), amount=amount, restock=restock, reason="chipped"
    )
    assert response.status_code == 302
    response = client.get(response.location)
    return client, response.get_data(as_text=True)


def _settle_refunds(shop):
    """`flask settle-refunds` on this app (the test's own app context would win otherwise)."""
    with shop.app_context():
        return shop.test_cli_runner().invoke(args=["settle-refunds"])


# --- demo gateway --------------------------------------------------------------------------


def test_demo_refund_is_recorded_pending_and_sent_once_the_caller_commits(app, db):
    bowl = factories.product(price_cents=1000, stock=5)
    admin = factories.user(is_admin=True)
    with app.test_request_context():
        order = factories.paid_order([(bowl, 2)])
        record = refunds.refund(order, admin, 500, line=order.lines[0], restock_quantity=1)
        # Inside the transaction: recorded with every counter, not sent yet.
        assert (record.status, record.gateway_ref, record.attempted_at) == (RS.PENDING, None, None)
        assert order.refunded_cents == 500 and order.status == OrderStatus.PARTIALLY_REFUNDED
        key = record.idempotency_key
        db.session.commit()
    [sent] = _refunds(db, order.id)
    assert sent.status == RS.SUCCEEDED
    assert sent.gateway_ref == f"demo_re_{key.removeprefix('taller-refund-')}"
    assert sent.attempted_at is not None and sent.settled_at >= sent.attempted_at
    assert sent.last_error is None
    assert _state(db, order.id) == (OrderStatus.PARTIALLY_REFUNDED, 500, 500, 1, 4)


def test_a_rolled_back_refund_is_never_sent(stripe_app, db, bowls, fake_stripe):
    with stripe_app.app_context(), stripe_app.test_request_context():
        order = _db.session.get(Order, bowls["order_id"])
        refunds.refund(order, _db.session.get(User, bowls["admin"].id), 500)
        _db.session.rollback()
        factories.user()  # a later transaction of the same session commits something else
        _db.session.commit()
    assert fake_stripe.calls == []
    assert _refunds(db, bowls["order_id"]) == []


# --- the gateway is never called while a lock is held -------------------------------------


def test_the_probe_sees_a_lock_that_is_held(db, bowls, database_url):
    """The check used below can fail: it reports a row another transaction has locked."""
    db.session.execute(update(Order).where(Order.id == bowls["order_id"]).values(needs_review=True))
    assert not rows_are_free(database_url, [("orders", bowls["order_id"])])
    db.session.rollback()
    assert rows_are_free(database_url, [("orders", bowls["order_id"])])


def test_admin_refund_calls_stripe_after_the_commit_with_no_lock_held(
    stripe_app, db, bowls, fake_stripe, database_url
):
    seen = []
    fake_stripe.during_call = lambda params: seen.append(
        (
            rows_are_free(database_url, [("orders", int(params["metadata[order_id]"]))]),
            refund_statuses(database_url, int(params["metadata[order_id]"])),
        )
    )
    _, page = _refund_by_admin_form(
        stripe_app, bowls["admin"], bowls["order_id"], bowls["line_id"], "5.00", restock="1"
    )
    # While Stripe was deciding, the refund was already committed (pending) and another
    # connection could write the order's row at once.
    assert seen == [(True, ["pending"])]
    [record] = _refunds(db, bowls["order_id"])
    [call] = fake_stripe.calls
    assert call.key == record.idempotency_key
    assert (call.params["amount"], call.params["payment_intent"]) == ("500", bowls["intent"])
    assert (record.status, record.gateway_ref) == (RS.SUCCEEDED, "re_fake_1")
    assert "Reembolso enviado." in page
    assert _state(db, bowls["order_id"]) == (OrderStatus.PARTIALLY_REFUNDED, 500, 500, 1, 4)


def test_cancelling_a_session_sends_each_refund_after_the_commit(
    stripe_app, db, fake_stripe, database_url
):
    class_session = factories.session(capacity=6)
    db.session.commit()
    with stripe_app.app_context(), stripe_app.test_request_context():
        booked = {}
        for seats in (2, 1):
            order = factories.book(class_session, seats)
            _paid_through_stripe(order)
            booked[order.id] = order.total_cents
        _db.session.commit()
    rows = [("class_sessions", class_session.id), *(("orders", i) for i in booked)]
    seen = []
    fake_stripe.during_call = lambda params: seen.append(rows_are_free(database_url, rows))

    with stripe_app.app_context(), stripe_app.test_request_context():
        bookings.cancel_session(_db.session.get(ClassSession, class_session.id))
        assert fake_stripe.calls == []  # nothing leaves while the transaction is open
        _db.session.commit()

    assert seen == [True, True]
    sent = sorted(
        (int(c.params["metadata[order_id]"]), int(c.params["amount"])) for c in fake_stripe.calls
    )
    assert sent == sorted(booked.items())
    for order_id in booked:
        [record] = _refunds(db, order_id)
        assert record.status == RS.SUCCEEDED
        assert db.session.get(Order, order_id).status == OrderStatus.REFUNDED


# --- a refused refund stays owed, and a retry sends it once --------------------------------


def test_a_refused_refund_stays_recorded_and_settle_refunds_sends_it(
    stripe_app, db, bowls, fake_stripe, outbox
):
    fake_stripe.failing = True
    _, page = _refund_by_admin_form(
        stripe_app, bowls["admin"], bowls["order_id"], bowls["line_id"], "5.00", restock="1"
    )
    assert "rechazó" in page and GATEWAY_DOWN in page
    [record] = _refunds(db, bowls["order_id"])
    assert (record.status, record.gateway_ref, record.last_error) == (
        RS.FAILED,
        None,
        GATEWAY_DOWN,
    )
    # The money is owed: the counters, the restock and the customer's e-mail stand.
    owed = (OrderStatus.PARTIALLY_REFUNDED, 500, 500, 1, 4)
    assert _state(db, bowls["order_id"]) == owed
    assert len(outbox.to("gina@example.com")) == 2  # paid, refund
    # The SDK retried the 503 by itself, every time with the refund's own key.
    assert len(fake_stripe.calls) == 3
    assert {c.key for c in fake_stripe.calls} == {record.idempotency_key}

    result = _settle_refunds(stripe_app)
    assert "1 failed" in result.output, result.output
    assert _refunds(db, bowls["order_id"])[0].status == RS.FAILED

    fake_stripe.failing = False
    result = _settle_refunds(stripe_app)
    assert "1 succeeded" in result.output, result.output
    [record] = _refunds(db, bowls["order_id"])
    assert (record.status, record.gateway_ref, record.last_error) == (
        RS.SUCCEEDED,
        "re_fake_1",
        None,
    )
    assert record.settled_at is not None
    assert _state(db, bowls["order_id"]) == owed  # counted once, when it was recorded
    assert {c.key for c in fake_stripe.calls} == {record.idempotency_key}
    assert len(fake_stripe.refunds) == 1

    calls = len(fake_stripe.calls)
    result = _settle_refunds(stripe_app)
    assert "Sent 0 refunds" in result.output, result.output
    assert len(fake_stripe.calls) == calls


def test_an_unreachable_stripe_leaves_the_refund_failed_with_a_short_reason(
    app, db, bowls, database_url, tmp_path
):
    # A loopback port bound but never listening: refused, and no other process (another
    # xdist worker's server) can take it while the socket stays open.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
        config = _config(database_url, tmp_path / "nowhere")
        config.update(
            STRIPE_SECRET_KEY="sk_test_fake", STRIPE_API_BASE=f"http://127.0.0.1:{closed}"
        )
        nowhere = create_app(config)
        nowhere.test_client_class = IsolatedClient
        _, page = _refund_by_admin_form(
            nowhere, bowls["admin"], bowls["order_id"], bowls["line_id"], "5.00"
        )
    with nowhere.app_context():
        _db.engine.dispose()
    [record] = _refunds(db, bowls["order_id"])
    assert (record.status, record.last_error) == (RS.FAILED, "Stripe could not be reached.")
    assert "Stripe could not be reached." in page
    assert _state(db, bowls["order_id"]) == (OrderStatus.PARTIALLY_REFUNDED, 500, 500, 0, 3)


def test_admin_retries_a_failed_refund_and_a_second_click_sends_nothing(
    stripe_app, db, bowls, fake_stripe
):
    fake_stripe.failing = True
    client, page = _refund_by_admin_form(
        stripe_app, bowls["admin"], bowls["order_id"], bowls["line_id"], "7.50"
    )
    [record] = _refunds(db, bowls["order_id"])
    action = f"/admin/refunds/{record.id}/retry"
    assert "fallido" in page and GATEWAY_DOWN in page and f'action="{action}"' in page
    fields = MultiDict(browser_submission(page, action))  # the same page, posted twice

    fake_stripe.failing = False
    calls = len(fake_stripe.calls)
    first = client.post(action, data=fields, follow_redirects=True).get_data(as_text=True)
    second = client.post(action, data=fields, follow_redirects=True).get_data(as_text=True)

    assert "Reembolso enviado." in first and f'action="{action}"' not in first
    assert "Este reembolso no está esperando un nuevo intento." in second
    [record] = _refunds(db, bowls["order_id"])
    assert (record.status, record.gateway_ref) == (RS.SUCCEEDED, "re_fake_1")
    assert len(fake_stripe.calls) == calls + 1  # one more request, from the first click
    assert {c.key for c in fake_stripe.calls} == {record.idempotency_key}
    assert len(fake_stripe.refunds) == 1
    assert _state(db, bowls["order_id"]) == (OrderStatus.PARTIALLY_REFUNDED, 750, 750, 0, 3)


def test_only_admins_retry_refunds(stripe_app, db, bowls, fake_stripe):
    fake_stripe.failing = True
    _refund_by_admin_form(stripe_app, bowls["admin"], bowls["order_id"], bowls["line_id"], "5.00")
    [record] = _refunds(db, bowls["order_id"])
    artisan_id = db.session.get(Product, bowls["product_id"]).artisan.user_id
    with stripe_app.app_context(), stripe_app.test_request_context():
        with pytest.raises(NotAllowed):
            refunds.retry(_db.session.get(Refund, record.id), _db.session.get(User, artisan_id))
        _db.session.rollback()
    assert _refunds(db, bowls["order_id"])[0].status == RS.FAILED


def test_a_second_settle_while_the_first_waits_for_stripe_sends_nothing(
    stripe_app, db, bowls, fake_stripe
):
    """Two processes settling one refund at once (the after-commit send and a cron run):
    the first claims it, the second leaves it alone."""

    def settle_again(params):
        fake_stripe.during_call = None  # once: without the claim this would send it again
        with stripe_app.app_context():
            settle([refund_id])

    fake_stripe.during_call = settle_again
    with stripe_app.app_context(), stripe_app.test_request_context():
        order = _db.session.get(Order, bowls["order_id"])
        record = refunds.refund(order, _db.session.get(User, bowls["admin"].id), 300)
        _db.session.flush()
        refund_id = record.id
        _db.session.commit()
    assert len(fake_stripe.calls) == 1
    assert _refunds(db, bowls["order_id"])[0].status == RS.SUCCEEDED


def test_settle_refunds_sends_what_a_crash_left_pending_and_not_what_is_in_flight(
    stripe_app, db, bowls, fake_stripe
):
    """A pending refund with no answer a minute after it was recorded or last tried was left
    by a process that died; one tried seconds ago may still be waiting for its answer."""
    now = utcnow()
    order = db.session.get(Order, bowls["order_id"])
    payment_id = order.payments[0].id
    left = [
        Refund(
            order_id=order.id,
            payment_id=payment_id,
            amount_cents=amount,
            status=RS.PENDING,
            created_at=created,
            attempted_at=attempted,
        )
        for amount, created, attempted in (
            (100, now - timedelta(minutes=5), None),  # died before calling
            (200, now - timedelta(minutes=5), now - timedelta(minutes=2)),  # died mid-call
            (300, now - timedelta(seconds=5), now - timedelta(seconds=5)),  # in flight
        )
    ]
    db.session.add_all(left)
    db.session.commit()
    keys = {r.amount_cents: r.idempotency_key for r in left}

    result = _settle_refunds(stripe_app)

    assert "Sent 2 refunds again: 2 succeeded" in result.output, result.output
    assert sorted((c.params["amount"], c.key) for c in fake_stripe.calls) == [
        ("100", keys[100]),
        ("200", keys[200]),
    ]
    statuses = {r.amount_cents: r.status for r in _refunds(db, order.id)}
    assert statuses == {100: RS.SUCCEEDED, 200: RS.SUCCEEDED, 300: RS.PENDING}


def test_retrying_a_refund_that_went_through_is_refused(app, db):
    bowl = factories.product(price_cents=1000, stock=5)
    admin = factories.user(is_admin=True)
    with app.test_request_context():
        order = factories.paid_order([(bowl, 1)])
        record = refunds.refund(order, admin, 1000)
        db.session.commit()
        assert record.status == RS.SUCCEEDED
        with pytest.raises(InvalidTransition):
            refunds.retry(record, admin)
        db.session.rollback()
    [record] = _refunds(db, order.id)
    assert record.status == RS.SUCCEEDED


def test_refunds_recorded_before_migration_0010_count_as_succeeded(app, db):
    """They were sent inside the transaction that recorded them: settled when made."""
    bowl = factories.product(price_cents=1000, stock=5)
    admin = factories.user(is_admin=True)
    with app.test_request_context():
        order = factories.paid_order([(bowl, 1)])
        refunds.refund(order, admin, 400)
    db.session.commit()
    order_id = order.id
    db.session.remove()
    downgrade(revision="0009")
    upgrade()
    [record] = _refunds(db, order_id)
    assert (record.status, record.settled_at) == (RS.SUCCEEDED, record.created_at)
    assert record.idempotency_key == f"taller-refund-before-0010-{record.id}"
