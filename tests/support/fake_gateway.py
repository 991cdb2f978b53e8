"""A stand-in for Stripe's refunds endpoint on 127.0.0.1, for what localstripe cannot do:
fail on demand, honour idempotency keys, and let a test look at the database while the
shop waits for the answer.

The real Stripe SDK talks to it (STRIPE_API_BASE). `failing` makes it answer 503 as a
proxy in front of an unreachable Stripe would (nothing remembered); otherwise it answers
like Stripe: the first request with an idempotency key creates a refund, and every later
request with that key gets the same refund back.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import parse_qs

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

GATEWAY_DOWN = "The payment provider is unreachable (test)."


@dataclass(frozen=True)
class RefundCall:
    """One POST /v1/refunds the SDK sent."""

    key: str
    params: dict[str, str]
    answered: int  # HTTP status


@dataclass
class FakeStripe:
    """The server and what it saw; `during_call` runs while a refund request waits."""

    url: str = ""
    failing: bool = False
    during_call: Callable[[dict[str, str]], None] | None = None
    calls: list[RefundCall] = field(default_factory=list)
    refunds: dict[str, dict] = field(default_factory=dict)  # idempotency key -> refund
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, environ, start_response):
        request = Request(environ)
        if request.method != "POST" or request.path != "/v1/refunds":
            return _json(404, {"error": {"type": "invalid_request_error"}})(environ, start_response)
        params = {k: v[0] for k, v in parse_qs(request.get_data(as_text=True)).items()}
        key = request.headers.get("Idempotency-Key", "")
        if self.during_call is not None:
            self.during_call(params)
        with self.lock:
            if self.failing:
                status, body = 503, {"error": {"type": "api_error", "message": GATEWAY_DOWN}}
            else:
                if key not in self.refunds:
                    self.refunds[key] = {
                        "id": f"re_fake_{len(self.refunds) + 1}",
                        "object": "refund",
                        "amount": int(params["amount"]),
                        "currency": "usd",
                        "payment_intent": params["payment_intent"],
                        "status": "succeeded",
                    }
                status, body = 200, self.refunds[key]
            self.calls.append(RefundCall(key=key, params=params, answered=status))
        return _json(status, body)(environ, start_response)


def _json(status: int, body: dict) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


@pytest.fixture
def fake_stripe() -> Iterator[FakeStripe]:
    """The fake refunds endpoint, served on a free loopback port for one test."""
    fake = FakeStripe()
    server = make_server("127.0.0.1", 0, fake, threaded=True)
    fake.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield fake
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


# A write that changes nothing but needs the row's lock (or SQLite's write lock).
_TOUCH = {
    table: text(f"UPDATE {table} SET id = id WHERE id = :id")  # noqa: S608 (fixed names)
    for table in ("orders", "order_lines", "class_sessions", "products")
}


def rows_are_free(database_url: str, rows: list[tuple[str, int]]) -> bool:
    """Whether another connection can update these rows at once (table, id): False when a
    transaction still holds a lock on them (a row lock on PostgreSQL, the write lock on
    SQLite), after half a second of waiting."""
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SET lock_timeout = '500ms'"))
            else:
                connection.exec_driver_sql("PRAGMA busy_timeout = 500")
            connection.commit()
            with connection.begin():
                for table, row_id in rows:
                    connection.execute(_TOUCH[table], {"id": row_id})
        return True
    except OperationalError:
        return False
    finally:
        engine.dispose()


def refund_statuses(database_url: str, order_id: int) -> list[str]:
    """The order's refunds as another connection sees them (only what was committed)."""
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return list(
                connection.scalars(
                    text("SELECT status FROM refunds WHERE order_id = :id ORDER BY id"),
                    {"id": order_id},
                )
            )
    finally:
        engine.dispose()
