"""Stripe through its SDK: sessions and refunds against a local stub of its
API, webhooks signed locally with a test secret."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from pantry.payments.errors import InvalidSignature
from pantry.payments.models import Payment
from pantry.payments.services import ingest_webhook, refund_payment, start_payment
from tests.helpers import free_port

pytestmark = pytest.mark.django_db

WEBHOOK_SECRET = "whsec_test_secret"


class StripeStub(BaseHTTPRequestHandler):
    """Answers the two calls pantry makes, recording each request."""

    requests: list[tuple[str, dict[str, list[str]], str]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        StripeStub.requests.append(
            (self.path, form, self.headers.get("Authorization", ""))
        )
        if self.path == "/v1/checkout/sessions":
            body: dict[str, Any] = {
                "id": "cs_test_123",
                "object": "checkout.session",
                "url": "https://checkout.stripe.test/c/cs_test_123",
            }
        elif self.path == "/v1/refunds":
            body = {"id": "re_test_1", "object": "refund", "status": "succeeded"}
        else:
            self.send_response(404)
            self.end_headers()
            return
        raw = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def stripe_stub(settings) -> Iterator[list[tuple[str, dict[str, list[str]], str]]]:
    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), StripeStub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.PANTRY_STRIPE_API_BASE = f"http://127.0.0.1:{port}"
    settings.PANTRY_STRIPE_API_KEY = "sk_test_pantry"
    settings.PANTRY_STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    StripeStub.requests = []
    yield StripeStub.requests
    server.shutdown()
    server.server_close()


def signed(event: dict[str, Any], secret: str = WEBHOOK_SECRET) -> tuple[bytes, dict]:
    body = json.dumps(event).encode()
    stamp = int(time.time())
    mac = hmac.new(
        secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return body, {"Stripe-Signature": f"t={stamp},v1={mac}"}


def completed(event_id: str = "evt_1", status: str = "paid") -> dict[str, Any]:
    return {
        "id": event_id,
        "object": "event",
        "type": "checkout.session.completed",
        "data": {
            "object": {
                "id": "cs_test_123",
                "object": "checkout.session",
                "payment_status": status,
                "amount_total": 4990,
                "currency": "eur",
                "payment_intent": "pi_test_9",
            }
        },
    }


@pytest.fixture
def payment(stripe_stub):
    payment, action = start_payment(
        order_ref="PA-STRIPE0001",
        amount=Decimal("49.90"),
        currency="EUR",
        email="ada@example.com",
        return_url="http://shop.test/orders/PA-STRIPE0001/",
        provider="stripe",
    )
    return payment, action


def test_a_stripe_payment_is_a_checkout_session_in_cents(payment, stripe_stub):
    row, action = payment

    assert row.provider_ref == "cs_test_123"
    assert action == {
        "type": "redirect",
        "url": "https://checkout.stripe.test/c/cs_test_123",
    }
    path, form, auth = stripe_stub[0]
    assert path == "/v1/checkout/sessions"
    assert auth == "Bearer sk_test_pantry"
    assert form["line_items[0][price_data][unit_amount]"] == ["4990"]
    assert form["line_items[0][price_data][currency]"] == ["eur"]
    assert form["client_reference_id"] == ["PA-STRIPE0001"]


def test_a_signed_completed_session_captures_the_payment(payment, changes):
    body, headers = signed(completed())

    outcome = ingest_webhook(provider="stripe", body=body, headers=headers)

    row = Payment.objects.get(provider_ref="cs_test_123")
    assert outcome.applied is True
    assert (row.status, row.captured) == ("captured", Decimal("49.90"))
    assert row.provider_data["payment_intent"] == "pi_test_9"
    assert [change.status for change in changes] == ["captured"]


def test_a_completed_but_unpaid_session_changes_nothing(payment, changes):
    body, headers = signed(completed(status="unpaid"))

    ingest_webhook(provider="stripe", body=body, headers=headers)

    assert Payment.objects.get(provider_ref="cs_test_123").status == "pending"
    assert changes == []


def test_a_payload_signed_with_another_secret_is_refused(payment, changes):
    body, headers = signed(completed(), secret="whsec_wrong")

    with pytest.raises(InvalidSignature):
        ingest_webhook(provider="stripe", body=body, headers=headers)

    assert Payment.objects.get(provider_ref="cs_test_123").status == "pending"


def test_a_refund_goes_to_stripe_for_the_payment_intent_in_cents(payment, stripe_stub):
    body, headers = signed(completed())
    ingest_webhook(provider="stripe", body=body, headers=headers)

    refs = refund_payment(order_ref="PA-STRIPE0001", amount=Decimal("10.00"))

    assert refs == ["re_test_1"]
    path, form, _ = stripe_stub[-1]
    assert path == "/v1/refunds"
    assert form == {"payment_intent": ["pi_test_9"], "amount": ["1000"]}
    assert Payment.objects.get(provider_ref="cs_test_123").refunded == Decimal("10.00")
