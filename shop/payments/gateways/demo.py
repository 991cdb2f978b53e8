"""The offline demo gateway: no money moves; "paying" confirms through the same path a real
gateway's notification uses. Refused in production."""

from __future__ import annotations

import secrets

from flask import url_for

from shop.orders.models import Order
from shop.payments.gateways.base import PaymentStart
from shop.payments.models import Payment


class DemoGateway:
    """No money moves. Used when no Stripe key is configured; refused in production."""

    name = "demo"

    def start(self, order: Order, attempt: int) -> PaymentStart:
        ref = f"demo_{secrets.token_urlsafe(12)}"
        return PaymentStart(gateway_ref=ref, redirect_url=url_for("payments.demo_pay", ref=ref))

    def refund(self, payment: Payment, amount_cents: int, reason: str, key: str) -> str:
        return f"demo_re_{key.removeprefix('taller-refund-')}"  # same key, same refund

    def transfer(
        self,
        destination: str,
        amount_cents: int,
        currency: str,
        *,
        key: str,
        transfer_group: str,
        metadata: dict[str, str],
    ) -> str:
        return f"demo_tr_{secrets.token_urlsafe(8)}"
