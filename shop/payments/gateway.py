"""The payment gateway interface and the offline demo gateway.

`get_gateway()` picks Stripe when STRIPE_SECRET_KEY is set, else the demo gateway, which
"pays" at once through the same confirmation path a real gateway's notification uses.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Protocol

from flask import current_app, url_for

from shop.orders.models import Order, Payment


@dataclass(frozen=True)
class PaymentStart:
    """What the payment page needs: where to send the customer, or a client secret."""

    gateway_ref: str
    redirect_url: str | None = None
    client_secret: str | None = None


class PaymentGateway(Protocol):
    """What every gateway offers the shop."""

    name: str

    def start(self, order: Order, attempt: int) -> PaymentStart:
        """Begin collecting order.total_cents; attempt numbers retries of the same order."""

    def refund(self, payment: Payment, amount_cents: int, reason: str) -> str:
        """Give back part or all of a payment; returns the gateway's refund reference."""

    def transfer(self, artisan_account: str, amount_cents: int, currency: str, key: str) -> str:
        """Send money to an artisan's connected account; returns the transfer reference."""


class DemoGateway:
    """No money moves. Used when no Stripe key is configured; refused in production."""

    name = "demo"

    def start(self, order: Order, attempt: int) -> PaymentStart:
        ref = f"demo_{secrets.token_urlsafe(12)}"
        return PaymentStart(gateway_ref=ref, redirect_url=url_for("payments.demo_pay", ref=ref))

    def refund(self, payment: Payment, amount_cents: int, reason: str) -> str:
        return f"demo_re_{secrets.token_urlsafe(8)}"

    def transfer(self, artisan_account: str, amount_cents: int, currency: str, key: str) -> str:
        return f"demo_tr_{secrets.token_urlsafe(8)}"


def get_gateway() -> PaymentGateway:
    """The configured gateway for this app."""
    if current_app.config.get("STRIPE_SECRET_KEY"):
        from shop.payments.stripe_gateway import StripeGateway

        return StripeGateway(current_app.config)
    return DemoGateway()
