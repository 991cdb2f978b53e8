"""Stripe test support: localstripe on loopback, a Stripe-configured app served live for
its webhooks, and helpers to order, pay like the browser does, and sign our own events.

localstripe delivers every event shortly after it happens (WEBHOOK_DELAY) to the one
endpoint registered with it, signed with that endpoint's secret at delivery time: an event
still pending when a test ends would be accepted by the next test's server. So every test
waits for the deliveries it causes, and `stripe_shop` checks when the test ends that every
event localstripe made was answered by one of the test's servers (else the test errors).
"""

from __future__ import annotations

import io
import json
import re
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import stripe
from flask import Flask
from sqlalchemy import func, select

from shop import create_app
from shop.extensions import db as _db
from shop.orders import checkout as ordering
from shop.orders.cart import CartEntry
from shop.orders.models import Delivery, Order, OrderEvent
from shop.payments import services as payments
from shop.payments.models import Payment, ProcessedEvent
from tests import factories
from tests.conftest import IsolatedClient, LiveServer, _config
from tests.support.threads import Timeout

SECRET_KEY = "sk_test_taller_suite"
PUBLISHABLE_KEY = "pk_test_taller_suite"
WEBHOOK_PATH = "/payments/stripe/webhook"
WEBHOOK_ENDPOINT_ID = "taller"  # one endpoint, re-pointed at each test's live server
CUSTOMER_EMAIL = "gina@example.com"
WAIT_SECONDS = 10.0
POLL_SECONDS = 0.05


def wait_for(check: Callable[[], Any], what: str, seconds: float = WAIT_SECONDS) -> Any:
    """Poll check() until it returns something truthy; raise Timeout after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise Timeout(f"waited {seconds:.0f} s for {what}")
        time.sleep(POLL_SECONDS)


# --- localstripe --------------------------------------------------------------------------


# Started with `python -c` and two adjustments to localstripe itself:
# - store.dump_to_disk pickles the whole store to the fixed path /tmp/localstripe.pickle
#   after every POST (shared by every localstripe on the machine, read only by its CLI):
#   switched off, which also keeps the 50-order race fast;
# - every webhook waits a fixed second before delivery: shortened to WEBHOOK_DELAY so the
#   suite does not spend most of its time asleep (still after the API call has answered).
WEBHOOK_DELAY = 0.1
_LOG: dict[str, Path] = {}


def localstripe_log(lines: int = 15) -> str:
    """The end of localstripe's log (its deliveries and their answers), for diagnostics."""
    path = _LOG.get("path")
    if path is None or not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


_LOCALSTRIPE = """
import asyncio, logging, types
logging.basicConfig(level=logging.INFO)
from aiohttp import web
from localstripe import webhooks
from localstripe.resources import store
from localstripe.server import app
store.dump_to_disk = lambda: None
webhooks.asyncio = types.SimpleNamespace(
    sleep=lambda seconds: asyncio.sleep(min(seconds, {delay})),
    ensure_future=asyncio.ensure_future,
)
import pathlib, socket
sock = socket.socket()
sock.bind(('127.0.0.1', 0))  # the kernel's free port: no race with another xdist worker
written = pathlib.Path({port_file!r} + '.new')
written.write_text(str(sock.getsockname()[1]))
written.rename({port_file!r})
web.run_app(app, sock=sock, print=None)
"""


@pytest.fixture(scope="session")
def localstripe(tmp_path_factory) -> Iterator[str]:
    """localstripe listening on 127.0.0.1 only, for the whole run; yields its base URL."""
    log_path = tmp_path_factory.mktemp("localstripe") / "localstripe.log"
    _LOG["path"] = log_path
    port_file = log_path.with_name("port")
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                _LOCALSTRIPE.format(port_file=str(port_file), delay=WEBHOOK_DELAY),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = None
    deadline = time.monotonic() + 60  # a fresh virtualenv compiles aiohttp's modules: slow
    while process.poll() is None and time.monotonic() < deadline:
        try:
            if base is None:
                base = f"http://127.0.0.1:{int(port_file.read_text())}"
            requests.get(f"{base}/v1/payment_intents", auth=(SECRET_KEY, ""), timeout=5)
            break
        except (OSError, ValueError, requests.RequestException):  # not bound or listening yet
            time.sleep(0.05)
    else:
        process.kill()
        process.wait(timeout=5)
        pytest.fail(f"localstripe did not start; see {log_path}:\n{log_path.read_text()[-2000:]}")
    try:
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture
def stripe_url(localstripe: str) -> str:
    """localstripe's base URL, with its data emptied for this test."""
    requests.delete(f"{localstripe}/_config/data", timeout=5).raise_for_status()
    _SHOPS.clear()
    return localstripe


def register_webhook(stripe_base: str, server_url: str, secret: str) -> None:
    """Make localstripe deliver signed events to this server (replaces the endpoint)."""
    response = requests.post(
        f"{stripe_base}/_config/webhooks/{WEBHOOK_ENDPOINT_ID}",
        data={"url": server_url + WEBHOOK_PATH, "secret": secret},
        timeout=5,
    )
    response.raise_for_status()


def sdk(stripe_base: str) -> stripe.StripeClient:
    """A Stripe client for the test itself (the browser's and the dashboard's side)."""
    return stripe.StripeClient(
        SECRET_KEY, base_addresses={"api": stripe_base}, max_network_retries=0
    )


# --- the shop, configured for Stripe and served live ---------------------------------------


@dataclass
class WebhookCall:
    """One request to the webhook route, as the server answered it."""

    status: int
    user_agent: str
    body: bytes
    headers: dict[str, str]
    answer: dict

    @property
    def event(self) -> dict:
        try:
            data = json.loads(self.body)
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    @property
    def from_localstripe(self) -> bool:
        return "aiohttp" in self.user_agent

    @property
    def outcome(self) -> str | None:
        return self.answer.get("outcome")


class Tracker:
    """WSGI middleware: counts requests in flight and records webhook deliveries."""

    def __init__(self, wsgi_app) -> None:
        self.wsgi_app = wsgi_app
        self.lock = threading.Lock()
        self.active = 0
        self.deliveries: list[WebhookCall] = []

    def __call__(self, environ, start_response):
        with self.lock:
            self.active += 1
        try:
            if environ.get("PATH_INFO") != WEBHOOK_PATH:
                return self.wsgi_app(environ, start_response)
            return self._webhook(environ, start_response)
        finally:
            with self.lock:
                self.active -= 1

    def _webhook(self, environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        seen: dict[str, Any] = {}

        def capture(status, headers, exc_info=None):
            seen["status"] = int(status.split()[0])
            return start_response(status, headers, exc_info)

        result = self.wsgi_app(environ, capture)
        try:
            answer_bytes = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        try:
            answer = json.loads(answer_bytes)
        except ValueError:
            answer = {}
        with self.lock:
            self.deliveries.append(
                WebhookCall(
                    status=seen.get("status", 0),
                    user_agent=environ.get("HTTP_USER_AGENT", ""),
                    body=body,
                    headers={
                        "Stripe-Signature": environ.get("HTTP_STRIPE_SIGNATURE", ""),
                        "Content-Type": environ.get("CONTENT_TYPE", ""),
                    },
                    answer=answer if isinstance(answer, dict) else {},
                )
            )
        return [answer_bytes]

    def wait_idle(self, seconds: float = WAIT_SECONDS) -> None:
        wait_for(lambda: self.active == 0, "the server to finish its requests", seconds)


@dataclass
class StripeShop:
    """A Stripe-configured app on the test database, served on 127.0.0.1."""

    app: Flask
    server: LiveServer
    tracker: Tracker
    stripe_base: str
    webhook_secret: str
    closed: bool = False
    _client: stripe.StripeClient | None = field(default=None, repr=False)

    @property
    def stripe(self) -> stripe.StripeClient:
        if self._client is None:
            self._client = sdk(self.stripe_base)
        return self._client

    def deliveries(
        self, event_type: str | None = None, intent_id: str | None = None, *, real: bool = False
    ) -> list[WebhookCall]:
        """Webhook requests answered so far, optionally only localstripe's own."""
        with self.tracker.lock:
            found = list(self.tracker.deliveries)
        return [
            d
            for d in found
            if (event_type is None or d.event.get("type") == event_type)
            and (intent_id is None or _intent_of(d.event) == intent_id)
            and (not real or d.from_localstripe)
        ]

    def wait_delivery(self, event_type: str, intent_id: str, count: int = 1) -> WebhookCall:
        """Wait until localstripe delivered this event and the server answered it."""
        try:
            found = wait_for(
                lambda: (
                    len(got := self.deliveries(event_type, intent_id, real=True)) >= count and got
                ),
                f"localstripe to deliver {event_type} for {intent_id}",
            )
        except Timeout as timeout:
            seen = [
                (d.event.get("type"), _intent_of(d.event), d.status, d.user_agent)
                for d in self.deliveries()
            ]
            raise Timeout(
                f"{timeout}; the server saw {seen}; localstripe's log ends:\n{localstripe_log()}"
            ) from None
        self.tracker.wait_idle()
        return found[count - 1]

    def close(self) -> None:
        """Stop serving, let requests in flight finish, drop the connections."""
        if self.closed:
            return
        self.closed = True
        self.server.stop()
        self.tracker.wait_idle()
        self.server.server.server_close()
        with self.app.app_context():
            _db.engine.dispose()


# Every shop built during the current test (a restarted server is a second one).
_SHOPS: list[StripeShop] = []


def undelivered_events(stripe_base: str) -> set[str]:
    """Events localstripe made in this test that none of the test's servers answered yet."""
    made = sdk(stripe_base).v1.events.list(params={"limit": 100}).data
    answered = {d.event.get("id") for shop in _SHOPS for d in shop.deliveries(real=True)}
    return {event.id for event in made} - answered


def _intent_of(event: dict) -> str | None:
    obj = (event.get("data") or {}).get("object") or {}
    return obj.get("id") if isinstance(obj, dict) else None


def build_shop(
    database_url: str,
    folder: Path,
    outbox_dir: str,
    stripe_base: str,
    secret: str | None = None,
    **extra,
) -> StripeShop:
    """Create, serve and register a Stripe-configured app instance (a "server process").

    A fresh webhook secret per test unless given (a restarted server keeps its secret).
    """
    config = _config(database_url, folder)
    secret = secret or f"whsec_{secrets.token_hex(16)}"
    config.update(
        MAIL_OUTBOX_DIR=outbox_dir,  # the test's `outbox` reads this folder
        STRIPE_SECRET_KEY=SECRET_KEY,
        STRIPE_PUBLISHABLE_KEY=PUBLISHABLE_KEY,
        STRIPE_WEBHOOK_SECRET=secret,
        STRIPE_API_BASE=stripe_base,
        **extra,
    )
    app = create_app(config)
    app.test_client_class = IsolatedClient
    tracker = Tracker(app.wsgi_app)
    app.wsgi_app = tracker
    server = LiveServer(app).start()  # polls for shutdown every 0.02 s: each test ends sooner
    register_webhook(stripe_base, server.url, secret)
    shop = StripeShop(
        app=app, server=server, tracker=tracker, stripe_base=stripe_base, webhook_secret=secret
    )
    _SHOPS.append(shop)
    return shop


@pytest.fixture
def stripe_shop(app: Flask, database_url: str, tmp_path: Path, stripe_url: str, backend: str):
    """The Stripe app + its live server + the registered endpoint.

    Depends on conftest's `app`, whose teardown empties the tables after this one closed.
    """
    extra = {}
    if backend == "postgresql":  # the 50-order race opens many requests at once
        extra["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "pool_pre_ping": True,
            "pool_size": 20,
            "max_overflow": 10,
        }
    shop = build_shop(
        database_url, tmp_path / "stripe", app.config["MAIL_OUTBOX_DIR"], stripe_url, **extra
    )
    try:
        yield shop
    finally:  # after a failure too: a pending event must not reach the next test's server
        try:
            wait_for(lambda: not undelivered_events(stripe_url), "localstripe's events")
        except Timeout as timeout:
            pending = sorted(undelivered_events(stripe_url))
            raise Timeout(f"{timeout}: never answered by this test's servers: {pending}") from None
        finally:
            shop.close()


@pytest.fixture
def pg_only(backend: str) -> None:
    """Skip (before any server starts) unless the test runs on PostgreSQL."""
    if backend != "postgresql":
        pytest.skip("real simultaneous writers need PostgreSQL (SQLite serialises all writers)")


@pytest.fixture
def stripe_app(stripe_shop: StripeShop) -> Flask:
    """The Stripe-configured application itself."""
    return stripe_shop.app


@dataclass(frozen=True)
class SentRequest:
    """One HTTP request the Stripe SDK sent (whoever sent it: shop or test)."""

    method: str
    url: str
    headers: dict[str, str]  # lower-case names
    params: dict[str, list[str]]

    @property
    def path(self) -> str:
        return urlsplit(self.url).path


@pytest.fixture
def stripe_requests(monkeypatch) -> list[SentRequest]:
    """Every request the stripe SDK sends during the test, headers included.

    localstripe ignores idempotency keys, so the test asserts what is sent.
    """
    sent: list[SentRequest] = []
    lock = threading.Lock()
    original = stripe.HTTPClient.request_with_retries

    def spy(self, method, url, headers, post_data=None, *args, **kwargs):
        form = post_data.decode() if isinstance(post_data, bytes) else post_data
        request = SentRequest(
            method=method.upper(),
            url=url,
            headers={name.lower(): value for name, value in (headers or {}).items()},
            params=parse_qs(form) if isinstance(form, str) else {},
        )
        with lock:
            sent.append(request)
        return original(self, method, url, headers, post_data, *args, **kwargs)

    monkeypatch.setattr(stripe.HTTPClient, "request_with_retries", spy)
    return sent


# --- orders and payments -------------------------------------------------------------------


@dataclass(frozen=True)
class Placed:
    """What a test needs to know about an order whose payment was started."""

    order_id: int
    total_cents: int
    token: str
    intent_id: str
    client_secret: str
    product_id: int


def make_product(db, *, price_cents: int = 1800, stock: int = 3) -> tuple[int, int]:
    """A product in the test database; returns (product id, artisan id)."""
    product = factories.product(price_cents=price_cents, stock=stock)
    db.session.commit()
    return product.id, product.artisan_id


def place_and_start(
    shop: StripeShop,
    product: tuple[int, int],
    *,
    quantity: int = 1,
    email: str = CUSTOMER_EMAIL,
) -> Placed:
    """Checkout (place_order) and open the first payment attempt, as the shop does."""
    product_id, artisan_id = product
    with shop.app.app_context(), shop.app.test_request_context():
        order = ordering.place_order(
            ordering.CheckoutRequest(
                entries=[CartEntry("product", product_id, quantity)],
                contact=ordering.Contact("Gina Guest", email),
                deliveries={artisan_id: Delivery.PICKUP},
                checkout_token=f"stripe-{secrets.token_hex(8)}",
            )
        )
        start = payments.start_payment(order)
        placed = Placed(
            order_id=order.id,
            total_cents=order.total_cents,
            token=order.access_token,
            intent_id=start.gateway_ref,
            client_secret=start.client_secret or "",
            product_id=product_id,
        )
        _db.session.commit()
        return placed


def start_again(shop: StripeShop, order_id: int) -> tuple[str, str]:
    """Another payment attempt for the same order; returns (intent id, client secret)."""
    with shop.app.app_context(), shop.app.test_request_context():
        start = payments.start_payment(_db.session.get(Order, order_id))
        _db.session.commit()
        return start.gateway_ref, start.client_secret or ""


def pay_in_browser(shop: StripeShop, intent_id: str, payment_method: str = "pm_card_visa"):
    """What Stripe.js does: attach the card, confirm. Raises stripe.CardError on decline."""
    shop.stripe.v1.payment_intents.update(intent_id, params={"payment_method": payment_method})
    return shop.stripe.v1.payment_intents.confirm(intent_id)


def card_method(shop: StripeShop, number: str) -> str:
    """A PaymentMethod for a test card number (e.g. 3-D Secure cards)."""
    method = shop.stripe.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        }
    )
    return method.id


def authenticate_3ds(shop: StripeShop, intent_id: str, client_secret: str, success: bool = True):
    """The customer passes (or fails) the bank's 3-D Secure challenge (localstripe's API)."""
    response = requests.post(
        f"{shop.stripe_base}/v1/payment_intents/{intent_id}/_authenticate",
        data={"client_secret": client_secret, "success": "true" if success else "false"},
        auth=(SECRET_KEY, ""),
        timeout=5,
    )
    response.raise_for_status()
    return response.json()


def refresh(db) -> None:
    """End the test session's transaction so the next reads see other connections' commits."""
    db.session.rollback()
    db.session.expire_all()


def load_order(db, order_id: int) -> Order:
    refresh(db)
    return db.session.get(Order, order_id)


def wait_order_status(db, order_id: int, status: str, seconds: float = WAIT_SECONDS) -> Order:
    """Poll (bounded) until the order reaches status."""
    wait_for(
        lambda: load_order(db, order_id).status == status,
        f"order {order_id} to become {status}",
        seconds,
    )
    return load_order(db, order_id)


def order_events(db, order_id: int, action: str) -> int:
    refresh(db)
    return db.session.scalar(
        select(func.count(OrderEvent.id)).where(
            OrderEvent.order_id == order_id, OrderEvent.action == action
        )
    )


def processed_events(db) -> int:
    refresh(db)
    return db.session.scalar(select(func.count()).select_from(ProcessedEvent))


def payments_of(db, order_id: int) -> list[Payment]:
    refresh(db)
    return list(
        db.session.scalars(select(Payment).where(Payment.order_id == order_id).order_by(Payment.id))
    )


def stock_of(db, product_id: int) -> int:
    from shop.catalog.models import Product

    refresh(db)
    return db.session.get(Product, product_id).stock


# --- our own signed events -----------------------------------------------------------------


def event_body(
    event_type: str,
    intent_id: str,
    amount: int,
    order_id: int,
    *,
    event_id: str | None = None,
    currency: str = "usd",
    failure: str | None = None,
) -> bytes:
    """A Stripe event about a PaymentIntent, serialised like Stripe does (compact-ish)."""
    failed = event_type == "payment_intent.payment_failed"
    intent = {
        "id": intent_id,
        "object": "payment_intent",
        "amount": amount,
        "amount_received": 0 if failed else amount,
        "currency": currency,
        "status": "requires_payment_method" if failed else "succeeded",
        "metadata": {"order_id": str(order_id)},
        "last_payment_error": (
            {"code": "card_declined", "message": failure or "Your card was declined."}
            if failed
            else None
        ),
    }
    event = {
        "id": event_id or f"evt_test_{secrets.token_hex(8)}",
        "object": "event",
        "api_version": "2025-01-27",
        "created": int(time.time()),
        "livemode": False,
        "type": event_type,
        "data": {"object": intent},
    }
    return json.dumps(event).encode()


def sign(body: bytes, secret: str, timestamp: int | None = None) -> str:
    """The Stripe-Signature header for these exact bytes."""
    return stripe.WebhookSignature.generate_signature_header(
        body.decode("utf-8"), secret, timestamp=timestamp
    )


def post_event(shop: StripeShop, body: bytes, header: str | None):
    """POST an event the way Stripe does: raw JSON body, no cookies, no CSRF token."""
    headers = {"Content-Type": "application/json"}
    if header is not None:
        headers["Stripe-Signature"] = header
    return shop.app.test_client().post(WEBHOOK_PATH, data=body, headers=headers)


def deliver(shop: StripeShop, body: bytes, timestamp: int | None = None):
    """Sign with the shop's secret and POST."""
    return post_event(shop, body, sign(body, shop.webhook_secret, timestamp))


def post_live(shop: StripeShop, body: bytes) -> tuple[int, str | None]:
    """Sign and POST over real HTTP to the live server (safe from many threads at once);
    returns (status code, outcome)."""
    response = requests.post(
        shop.server.url + WEBHOOK_PATH,
        data=body,
        headers={
            "Content-Type": "application/json",
            "Stripe-Signature": sign(body, shop.webhook_secret),
        },
        timeout=30,
    )
    return response.status_code, response.json().get("outcome")


_URL_VARIABLE = re.compile(r"<(?:(\w+):)?(\w+)>")


def sample_url(rule) -> str:
    """A concrete URL for a rule: 1 for int variables, a word for the others."""
    return _URL_VARIABLE.sub(lambda m: "1" if m.group(1) == "int" else "sample", rule.rule)
