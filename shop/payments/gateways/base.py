"""What every payment gateway offers the shop."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from shop.orders.models import Order
    from shop.payments.models import Payment


class GatewayError(Exception):
    """The gateway refused a request or could not be reached (the message says why)."""


class TransferRefused(Exception):
    """The gateway refused a transfer for good (bad account, no funds): it was not made."""


class TransferUnsure(Exception):
    """No clear answer (network, gateway error): retry with the same idempotency key."""


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

    def refund(self, payment: Payment, amount_cents: int, reason: str, key: str) -> str:
        """Give back part or all of a payment; returns the gateway's refund reference.

        `key` is the refund's idempotency key: a repeated call with it gives back nothing
        more. Raises GatewayError when the gateway refuses or cannot be reached.
        """

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
        """Send money to an artisan's connected account; returns the transfer reference.
        Raises TransferRefused or TransferUnsure."""
