"""Payment gateways: `get_gateway()` picks Stripe when STRIPE_SECRET_KEY is set, else the
offline demo gateway."""

from __future__ import annotations

from flask import current_app

from shop.payments.gateways.base import (
    GatewayError,
    PaymentGateway,
    PaymentStart,
    TransferRefused,
    TransferUnsure,
)
from shop.payments.gateways.demo import DemoGateway
from shop.payments.gateways.stripe import BadWebhook, StripeGateway

__all__ = [
    "BadWebhook",
    "DemoGateway",
    "GatewayError",
    "PaymentGateway",
    "PaymentStart",
    "TransferRefused",
    "TransferUnsure",
    "get_gateway",
]


def get_gateway() -> PaymentGateway:
    """The configured gateway for this app."""
    if current_app.config.get("STRIPE_SECRET_KEY"):
        return StripeGateway(current_app.config)
    return DemoGateway()
