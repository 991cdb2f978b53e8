"""Stripe: PaymentIntents confirmed in the browser by the Payment Element, fulfilled by
signed webhooks. The only module that imports `stripe`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import stripe
from flask import url_for

from shop.orders.models import Order
from shop.payments.gateways.base import (
    GatewayError,
    PaymentStart,
    TransferRefused,
    TransferUnsure,
)
from shop.payments.models import Payment

WEBHOOK_TOLERANCE_SECONDS = 300


class BadWebhook(Exception):
    """The webhook's signature, timestamp or body did not verify."""


@dataclass(frozen=True)
class WebhookEvent:
    """What the shop needs from a Stripe event."""

    id: str
    type: str
    object_id: str
    amount: int
    currency: str
    order_id: str | None
    failure: str | None
    # Transfers (Connect): where the money went, how much came back, our metadata.
    destination: str | None = None
    amount_reversed: int = 0
    metadata: dict = field(default_factory=dict)


class StripeGateway:
    """Stripe through its official SDK; STRIPE_API_BASE points it elsewhere for tests."""

    name = "stripe"

    def __init__(self, config) -> None:
        addresses = {"api": config["STRIPE_API_BASE"]} if config.get("STRIPE_API_BASE") else {}
        self.client = stripe.StripeClient(
            config["STRIPE_SECRET_KEY"], base_addresses=addresses, max_network_retries=2
        )
        self.webhook_secret = config.get("STRIPE_WEBHOOK_SECRET") or ""
        self.publishable_key = config.get("STRIPE_PUBLISHABLE_KEY") or ""

    def start(self, order: Order, attempt: int) -> PaymentStart:
        intent = self.client.v1.payment_intents.create(
            params={
                "amount": order.total_cents,
                "currency": order.currency.lower(),
                "payment_method_types": ["card"],
                "metadata": {"order_id": str(order.id), "reference": order.reference},
            },
            # Same order and attempt: Stripe returns the same intent, never a second charge.
            options={"idempotency_key": f"taller-order-{order.id}-attempt-{attempt}"},
        )
        return PaymentStart(
            gateway_ref=intent.id,
            client_secret=intent.client_secret,
            redirect_url=url_for("payments.stripe_pay", token=order.access_token),
        )

    def refund(self, payment: Payment, amount_cents: int, reason: str, key: str) -> str:
        try:
            refund = self.client.v1.refunds.create(
                params={
                    "payment_intent": payment.gateway_ref,
                    "amount": amount_cents,
                    "metadata": {"order_id": str(payment.order_id), "reason": reason[:200]},
                },
                # Every attempt at one refund sends its key: Stripe gives back money once.
                options={"idempotency_key": key},
            )
        except stripe.APIConnectionError as error:  # its message is a page of network detail
            raise GatewayError("Stripe could not be reached.") from error
        except stripe.StripeError as error:
            raise GatewayError(error.user_message or type(error).__name__) from error
        return refund.id

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
        """A Connect transfer ("separate charges and transfers"); the same key never pays
        twice, so a call that got no answer is retried with it."""
        try:
            transfer = self.client.v1.transfers.create(
                params={
                    "amount": amount_cents,
                    "currency": currency.lower(),
                    "destination": destination,
                    "transfer_group": transfer_group,
                    "metadata": metadata,
                },
                options={"idempotency_key": key},
            )
        except (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError) as error:
            raise TransferUnsure(error.user_message or str(error)) from None
        except stripe.StripeError as error:
            raise TransferRefused(error.user_message or str(error)) from None
        return transfer.id

    def intent(self, gateway_ref: str) -> tuple[str, str]:
        """(status, client secret) of a PaymentIntent: shown to the customer, never trusted."""
        intent = self.client.v1.payment_intents.retrieve(gateway_ref)
        return intent.status, intent.client_secret

    def parse_webhook(self, payload: bytes, signature: str | None) -> WebhookEvent:
        """Verify signature and timestamp on the raw body; raise BadWebhook otherwise."""
        try:
            stripe.WebhookSignature.verify_header(
                payload.decode("utf-8"),
                signature or "",
                self.webhook_secret,
                tolerance=WEBHOOK_TOLERANCE_SECONDS,
            )
            body = json.loads(payload)  # verified above; plain dicts are simpler to read
        except (ValueError, UnicodeDecodeError, stripe.SignatureVerificationError) as error:
            raise BadWebhook(str(error)) from None
        obj = body.get("data", {}).get("object", {})
        error = obj.get("last_payment_error") or {}
        metadata = obj.get("metadata") or {}
        return WebhookEvent(
            id=body["id"],
            type=body["type"],
            object_id=obj.get("id", ""),
            amount=int(obj.get("amount_received") or obj.get("amount") or 0),
            currency=str(obj.get("currency") or "").upper(),
            order_id=metadata.get("order_id"),
            failure=error.get("message") if isinstance(error, dict) else None,
            destination=obj.get("destination") if isinstance(obj.get("destination"), str) else None,
            amount_reversed=int(obj.get("amount_reversed") or 0),
            metadata=metadata if isinstance(metadata, dict) else {},
        )
