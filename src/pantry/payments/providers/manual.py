"""Bank transfer or cash on delivery: staff mark the order paid by hand."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from pantry.payments.errors import InvalidSignature
from pantry.payments.providers.base import PaymentOrder, Started, WebhookEvent


class ManualProvider:
    code = "manual"

    def create_payment(self, order: PaymentOrder) -> Started:
        return Started(
            provider_ref=f"manual-{order.order_ref}-{secrets.token_hex(4)}",
            action=None,
        )

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        raise InvalidSignature("The manual provider sends no webhooks.")

    def capture(
        self, *, provider_ref: str, data: dict[str, Any], amount: Decimal
    ) -> None:
        return None

    def refund(
        self,
        *,
        provider_ref: str,
        data: dict[str, Any],
        amount: Decimal,
        currency: str,
    ) -> str:
        # The money goes back by hand (a transfer); the record is pantry's.
        return f"manual-refund-{secrets.token_hex(4)}"
