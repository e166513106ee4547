"""A real provider for development, tests and demos, run by pantry itself.

Its ``action`` sends the customer to a page of pantry's own that approves
or declines; that page then posts a signed webhook to pantry over HTTP,
exactly as an external provider would. Signatures follow the Standard
Webhooks scheme: ``v1,<base64 HMAC-SHA256 of "id.timestamp.body">``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import urllib.request
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.urls import reverse

from pantry.payments.errors import InvalidSignature, ProviderFailed
from pantry.payments.providers.base import (
    CAPTURED,
    FAILED,
    IGNORED,
    PaymentOrder,
    Started,
    WebhookEvent,
)

TOLERANCE_SECONDS = 300
OUTCOMES = {"payment.captured": CAPTURED, "payment.failed": FAILED}


def secret() -> bytes:
    """The signing secret: the setting, or one derived from SECRET_KEY."""
    configured = settings.PANTRY_FAKE_PAYMENT_SECRET
    if configured:
        return configured.encode()
    return hmac.new(
        settings.SECRET_KEY.encode(), b"pantry fake payments", hashlib.sha256
    ).digest()


def sign(event_id: str, timestamp: int, body: bytes) -> str:
    message = f"{event_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret(), message, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def webhook_url() -> str:
    return settings.PANTRY_FAKE_PAYMENT_WEBHOOK_URL or (
        settings.PANTRY_SITE_URL.rstrip("/") + "/api/v1/payments/fake/webhook"
    )


def send_webhook(*, provider_ref: str, approve: bool, amount: Decimal) -> int:
    """POST the outcome of payment ``provider_ref`` to pantry; return status."""
    event_id = "evt_" + secrets.token_hex(12)
    body = json.dumps(
        {
            "id": event_id,
            "type": "payment.captured" if approve else "payment.failed",
            "data": {"payment": provider_ref, "amount": f"{amount:.2f}"},
        }
    ).encode()
    timestamp = int(time.time())
    request = urllib.request.Request(
        webhook_url(),
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "webhook-id": event_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(event_id, timestamp, body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except OSError as exc:
        raise ProviderFailed(f"The fake provider's webhook failed: {exc}") from None


class FakeProvider:
    code = "fake"

    def create_payment(self, order: PaymentOrder) -> Started:
        ref = "fake_" + secrets.token_hex(12)
        url = settings.PANTRY_SITE_URL.rstrip("/") + reverse(
            "payments:fake", args=[ref]
        )
        return Started(
            provider_ref=ref,
            action={"type": "redirect", "url": url},
            data={"return_url": order.return_url},
        )

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        event_id = headers.get("webhook-id", "")
        stamp = headers.get("webhook-timestamp", "")
        signatures = headers.get("webhook-signature", "").split()
        if not event_id or not stamp.isdigit() or not signatures:
            raise InvalidSignature("The webhook is not signed.")
        if abs(time.time() - int(stamp)) > TOLERANCE_SECONDS:
            raise InvalidSignature("The webhook's timestamp is too old or new.")
        expected = sign(event_id, int(stamp), body)
        if not any(hmac.compare_digest(expected, given) for given in signatures):
            raise InvalidSignature()
        try:
            payload = json.loads(body)
            ref = str(payload["data"]["payment"])
            amount = Decimal(str(payload["data"]["amount"]))
            kind = str(payload["type"])
        except (ValueError, KeyError, TypeError, InvalidOperation):
            raise InvalidSignature("The webhook's body is not a fake event.") from None
        if payload.get("id") != event_id:
            raise InvalidSignature("The webhook's id does not match its body.")
        return WebhookEvent(
            event_id=event_id,
            type=kind,
            provider_ref=ref,
            outcome=OUTCOMES.get(kind, IGNORED),
            payload=payload,
            amount=amount,
        )

    def capture(
        self, *, provider_ref: str, data: dict[str, Any], amount: Decimal
    ) -> None:
        return None  # captured at approval

    def refund(
        self,
        *,
        provider_ref: str,
        data: dict[str, Any],
        amount: Decimal,
        currency: str,
    ) -> str:
        return "fake_refund_" + secrets.token_hex(8)
