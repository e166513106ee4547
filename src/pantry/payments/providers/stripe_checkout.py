"""Stripe, through its official SDK: Checkout Sessions and signed webhooks."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import stripe
from django.conf import settings

from pantry.payments.errors import InvalidSignature, ProviderFailed
from pantry.payments.providers.base import (
    CAPTURED,
    FAILED,
    IGNORED,
    PaymentOrder,
    Started,
    WebhookEvent,
)

# Currencies Stripe counts in whole units (no cents); the rest in cents.
ZERO_DECIMAL = frozenset(
    {
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "JPY",
        "KMF",
        "KRW",
        "MGA",
        "PYG",
        "RWF",
        "UGX",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    }
)
FAILING = frozenset(
    {"checkout.session.expired", "checkout.session.async_payment_failed"}
)
SUCCEEDING = frozenset(
    {"checkout.session.completed", "checkout.session.async_payment_succeeded"}
)


def minor_units(amount: Decimal, currency: str) -> int:
    factor = 1 if currency.upper() in ZERO_DECIMAL else 100
    return int((amount * factor).to_integral_value())


def from_minor_units(value: int, currency: str) -> Decimal:
    factor = 1 if currency.upper() in ZERO_DECIMAL else 100
    return (Decimal(value) / factor).quantize(Decimal("0.01"))


def client() -> stripe.StripeClient:
    return stripe.StripeClient(
        settings.PANTRY_STRIPE_API_KEY or "sk_test_unset",
        base_addresses={"api": settings.PANTRY_STRIPE_API_BASE},
        max_network_retries=0,
    )


class StripeProvider:
    code = "stripe"

    def create_payment(self, order: PaymentOrder) -> Started:
        try:
            session = client().v1.checkout.sessions.create(
                params={
                    "mode": "payment",
                    "client_reference_id": order.order_ref,
                    "customer_email": order.email,
                    "success_url": order.return_url,
                    "cancel_url": order.return_url,
                    "line_items": [
                        {
                            "quantity": 1,
                            "price_data": {
                                "currency": order.currency.lower(),
                                "unit_amount": minor_units(
                                    order.amount, order.currency
                                ),
                                "product_data": {"name": f"Order {order.order_ref}"},
                            },
                        }
                    ],
                    "metadata": {"order": order.order_ref},
                }
            )
        except stripe.StripeError as exc:
            raise ProviderFailed(f"Stripe refused the payment: {exc}") from None
        return Started(
            provider_ref=session.id, action={"type": "redirect", "url": session.url}
        )

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        try:
            event = stripe.Webhook.construct_event(
                body,
                headers.get("Stripe-Signature", ""),
                settings.PANTRY_STRIPE_WEBHOOK_SECRET,
            )
        except (stripe.SignatureVerificationError, ValueError):
            raise InvalidSignature() from None
        payload = event.to_dict()
        session = payload.get("data", {}).get("object", {})
        outcome = IGNORED
        if event.type in SUCCEEDING and session.get("payment_status") == "paid":
            outcome = CAPTURED
        elif event.type in FAILING:
            outcome = FAILED
        currency = str(session.get("currency") or "eur")
        amount = session.get("amount_total")
        return WebhookEvent(
            event_id=event.id,
            type=event.type,
            provider_ref=str(session.get("id", "")),
            outcome=outcome,
            payload=payload,
            amount=None if amount is None else from_minor_units(int(amount), currency),
            data={"payment_intent": session.get("payment_intent")},
        )

    def capture(
        self, *, provider_ref: str, data: dict[str, Any], amount: Decimal
    ) -> None:
        return None  # Checkout Sessions capture at completion

    def refund(
        self,
        *,
        provider_ref: str,
        data: dict[str, Any],
        amount: Decimal,
        currency: str,
    ) -> str:
        intent = data.get("payment_intent")
        if not intent:
            raise ProviderFailed("This Stripe payment has no PaymentIntent to refund.")
        try:
            refund = client().v1.refunds.create(
                params={
                    "payment_intent": intent,
                    "amount": minor_units(amount, currency),
                }
            )
        except stripe.StripeError as exc:
            raise ProviderFailed(f"Stripe refused the refund: {exc}") from None
        return str(refund.id)
