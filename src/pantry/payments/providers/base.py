"""What every payment provider offers pantry, and what it hands back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

# Outcomes a webhook event can report about a payment.
AUTHORIZED = "authorized"
CAPTURED = "captured"
FAILED = "failed"
IGNORED = "ignored"


@dataclass(frozen=True)
class PaymentOrder:
    """What a provider needs to know of the order being paid."""

    order_ref: str
    amount: Decimal
    currency: str
    email: str
    return_url: str


@dataclass(frozen=True)
class Started:
    """A created payment: the provider's id and the client's next step."""

    provider_ref: str
    action: dict[str, Any] | None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class WebhookEvent:
    """A verified provider event, reduced to what pantry acts on."""

    event_id: str
    type: str
    provider_ref: str
    outcome: str
    payload: dict[str, Any]
    # Amount the event reports (captured, authorized), if any.
    amount: Decimal | None = None
    data: dict[str, Any] = field(default_factory=dict)


class Provider(Protocol):
    code: str

    def create_payment(self, order: PaymentOrder) -> Started:
        """Open a payment at the provider; say what the client does next."""
        ...

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        """Verify and read a webhook; raise InvalidSignature if it fails."""
        ...

    def capture(
        self, *, provider_ref: str, data: dict[str, Any], amount: Decimal
    ) -> None:
        """Take authorized money (providers that capture at once do nothing)."""
        ...

    def refund(
        self, *, provider_ref: str, data: dict[str, Any], amount: Decimal, currency: str
    ) -> str:
        """Give ``amount`` back; return the provider's refund id."""
        ...
