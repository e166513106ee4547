"""Payment test helpers: a listener that records changes, signed webhooks."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from pantry.payments.providers.fake import sign
from pantry.payments.services import PaymentChange, off_payment, on_payment


@pytest.fixture
def changes() -> Iterator[list[PaymentChange]]:
    """Every payment change reported while the test runs."""
    heard: list[PaymentChange] = []
    listener = heard.append
    on_payment(listener)
    yield heard
    off_payment(listener)


def fake_webhook(
    ref: str,
    kind: str = "payment.captured",
    *,
    amount: Decimal | str = "25.00",
    event_id: str = "evt_1",
    timestamp: int | None = None,
) -> tuple[bytes, dict[str, str]]:
    """A fake provider webhook body and its signed headers."""
    body = json.dumps(
        {"id": event_id, "type": kind, "data": {"payment": ref, "amount": str(amount)}}
    ).encode()
    stamp = int(time.time()) if timestamp is None else timestamp
    headers = {
        "webhook-id": event_id,
        "webhook-timestamp": str(stamp),
        "webhook-signature": sign(event_id, stamp, body),
    }
    return body, headers


def as_http_headers(headers: dict[str, Any]) -> dict[str, str]:
    """Headers for Django's test client (``HTTP_`` prefix is added by it)."""
    return {key: str(value) for key, value in headers.items()}
