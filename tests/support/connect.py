"""A fake of Stripe's Connect transfers API on 127.0.0.1 (localstripe has no Connect).

It answers `POST /v1/transfers` as Stripe does for the official SDK, after checking the
request's shape: bearer key, form fields amount/currency/destination/transfer_group, an
Idempotency-Key header; a repeated key gets the first answer back (Stripe's rule). `mode`
makes it accept, refuse (402-style card/balance error) or fail (500, the SDK retries).
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

SECRET_KEY = "sk_test_taller_connect"
REQUIRED_FIELDS = ("amount", "currency", "destination", "transfer_group")


@dataclass
class Received:
    """One request the fake got, as it arrived."""

    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, str]


@dataclass
class FakeConnect:
    """The fake's state: what it received, how it answers, transfers made per key."""

    url: str = ""
    mode: str = "accept"  # accept | refuse | fail
    received: list[Received] = field(default_factory=list)
    transfers: dict[str, dict] = field(default_factory=dict)
    on_request: Callable[[Received], None] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def transfer_requests(self) -> list[Received]:
        return [r for r in self.received if r.method == "POST" and r.path == "/v1/transfers"]


def _handler(fake: FakeConnect):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # keep the test output clean
            return

        def _answer(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Request-Id", f"req_{secrets.token_hex(6)}")
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode()
            form = {key: values[0] for key, values in parse_qs(raw).items()}
            received = Received(
                "POST", self.path, {k.lower(): v for k, v in self.headers.items()}, form
            )
            with fake.lock:
                fake.received.append(received)
            if fake.on_request:
                fake.on_request(received)
            if self.path != "/v1/transfers":
                return self._answer(404, {"error": {"type": "invalid_request_error"}})
            problem = self._shape_problem(received)
            if problem:
                return self._answer(
                    400, {"error": {"type": "invalid_request_error", "message": problem}}
                )
            if fake.mode == "fail":
                return self._answer(500, {"error": {"type": "api_error", "message": "boom"}})
            if fake.mode == "refuse":
                return self._answer(
                    400,
                    {
                        "error": {
                            "type": "invalid_request_error",
                            "code": "balance_insufficient",
                            "message": "Your platform balance is too low for this transfer.",
                        }
                    },
                )
            key = received.headers["idempotency-key"]
            with fake.lock:
                transfer = fake.transfers.setdefault(key, self._transfer(form))
            return self._answer(200, transfer)

        @staticmethod
        def _shape_problem(received: Received) -> str | None:
            if received.headers.get("authorization") != f"Bearer {SECRET_KEY}":
                return "bad key"
            if not received.headers.get("idempotency-key"):
                return "no Idempotency-Key"
            missing = [name for name in REQUIRED_FIELDS if not received.form.get(name)]
            if missing:
                return f"missing {missing}"
            if not received.form["amount"].isdigit():
                return "amount must be an integer of minor units"
            return None

        @staticmethod
        def _transfer(form: dict[str, str]) -> dict:
            return {
                "id": f"tr_{secrets.token_hex(8)}",
                "object": "transfer",
                "amount": int(form["amount"]),
                "amount_reversed": 0,
                "currency": form["currency"],
                "destination": form["destination"],
                "transfer_group": form["transfer_group"],
                "metadata": {
                    key[len("metadata[") : -1]: value
                    for key, value in form.items()
                    if key.startswith("metadata[")
                },
                "reversed": False,
                "livemode": False,
            }

    return Handler


@pytest.fixture
def fake_connect() -> Iterator[FakeConnect]:
    """The fake Connect API, served on 127.0.0.1 for one test."""
    fake = FakeConnect()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
