"""The fake provider and webhooks: verified, applied once, moving forward."""

from __future__ import annotations

import re
import time
from decimal import Decimal

import pytest

from pantry.payments.errors import InvalidSignature, UnknownPaymentProvider
from pantry.payments.models import Payment, ProviderEvent
from pantry.payments.services import PaymentChange, ingest_webhook, start_payment
from tests.helpers import Response, assert_error
from tests.payments.conftest import fake_webhook

pytestmark = pytest.mark.django_db


@pytest.fixture
def payment(db):
    payment, _ = start_payment(
        order_ref="PA-TEST000001",
        amount=Decimal("25.00"),
        currency="EUR",
        email="ada@example.com",
        return_url="http://shop.test/orders/PA-TEST000001/",
        provider="fake",
    )
    return payment


def post_webhook(api, body, headers, provider="fake"):
    return api.client.post(
        f"/api/v1/payments/{provider}/webhook",
        data=body,
        content_type="application/json",
        headers=headers,
    )


def test_a_fake_payment_redirects_to_pantrys_own_page(db, settings):
    settings.PANTRY_SITE_URL = "http://shop.test"

    payment, action = start_payment(
        order_ref="PA-1",
        amount=Decimal("9.90"),
        currency="EUR",
        email="a@example.com",
        return_url="/",
        provider="fake",
    )

    assert action == {
        "type": "redirect",
        "url": f"http://shop.test/payments/fake/{payment.provider_ref}/",
    }
    assert (payment.status, payment.amount, payment.captured) == (
        "pending",
        Decimal("9.90"),
        Decimal("0"),
    )


def test_an_unknown_or_disabled_provider_is_refused(db, settings):
    settings.PANTRY_PAYMENT_PROVIDERS = ["manual", "fake"]

    with pytest.raises(
        UnknownPaymentProvider,
        match=re.escape(
            "'stripe' is not a payment provider here (available: manual, fake)."
        ),
    ):
        start_payment(
            order_ref="PA-1",
            amount=Decimal("1"),
            currency="EUR",
            email="a@b.c",
            return_url="/",
            provider="stripe",
        )

    assert not Payment.objects.exists()


def test_a_signed_capture_marks_the_payment_captured_and_tells_orders(payment, changes):
    body, headers = fake_webhook(payment.provider_ref)

    outcome = ingest_webhook(provider="fake", body=body, headers=headers)

    payment.refresh_from_db()
    assert outcome.applied is True
    assert (payment.status, payment.authorized, payment.captured) == (
        "captured",
        Decimal("25.00"),
        Decimal("25.00"),
    )
    assert changes == [
        PaymentChange(
            order_ref="PA-TEST000001",
            provider="fake",
            provider_ref=payment.provider_ref,
            status="captured",
            amount=Decimal("25.00"),
        )
    ]


def test_a_replayed_webhook_answers_200_and_changes_nothing(api, payment, changes):
    body, headers = fake_webhook(payment.provider_ref)

    first = post_webhook(api, body, headers)
    second = post_webhook(api, body, headers)

    assert (first.status_code, first.json()) == (200, {"applied": True})
    assert (second.status_code, second.json()) == (200, {"applied": False})
    assert ProviderEvent.objects.count() == 1
    assert len(changes) == 1


def test_an_event_of_no_known_payment_is_recorded_once_and_moves_nothing(
    api, payment, changes
):
    body, headers = fake_webhook("fake_nobody", event_id="evt_stray")

    first = post_webhook(api, body, headers)
    second = post_webhook(api, body, headers)

    assert (first.json(), second.json()) == ({"applied": True}, {"applied": False})
    event = ProviderEvent.objects.get()
    assert (event.event_id, event.payment_id) == ("evt_stray", None)
    payment.refresh_from_db()
    assert (payment.status, payment.captured) == ("pending", Decimal("0"))
    assert changes == []


def test_a_bad_signature_is_401_and_nothing_changes(api, payment, changes):
    body, headers = fake_webhook(payment.provider_ref)
    headers["webhook-signature"] = "v1,AAAA"

    response = post_webhook(api, body, headers)

    assert_error(
        Response(response.status_code, response.json(), {}), 401, "invalid_signature"
    )
    payment.refresh_from_db()
    assert payment.status == "pending"
    assert not ProviderEvent.objects.exists()
    assert changes == []


def test_a_tampered_body_does_not_verify(payment):
    body, headers = fake_webhook(payment.provider_ref, amount="25.00")

    with pytest.raises(InvalidSignature):
        ingest_webhook(
            provider="fake", body=body.replace(b"25.00", b"0.01"), headers=headers
        )


def test_an_old_webhook_is_refused(payment):
    body, headers = fake_webhook(
        payment.provider_ref, timestamp=int(time.time()) - 3600
    )

    with pytest.raises(
        InvalidSignature, match=re.escape("The webhook's timestamp is too old or new.")
    ):
        ingest_webhook(provider="fake", body=body, headers=headers)


def test_a_failure_arriving_after_the_capture_leaves_it_captured(payment, changes):
    captured = fake_webhook(payment.provider_ref, event_id="evt_2")
    failed = fake_webhook(payment.provider_ref, "payment.failed", event_id="evt_1")

    ingest_webhook(provider="fake", body=captured[0], headers=captured[1])
    late = ingest_webhook(provider="fake", body=failed[0], headers=failed[1])

    payment.refresh_from_db()
    assert late.applied is True
    assert payment.status == "captured"
    assert [change.status for change in changes] == ["captured"]
    assert ProviderEvent.objects.count() == 2


def test_a_declined_payment_fails(payment, changes):
    body, headers = fake_webhook(payment.provider_ref, "payment.failed")

    ingest_webhook(provider="fake", body=body, headers=headers)

    payment.refresh_from_db()
    assert payment.status == "failed"
    assert [change.status for change in changes] == ["failed"]


def test_a_webhook_for_an_unknown_provider_is_404(api):
    response = post_webhook(api, b"{}", {}, provider="paypal")

    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_the_manual_provider_accepts_no_webhooks(api, payment):
    response = post_webhook(api, b"{}", {}, provider="manual")

    assert response.status_code == 401
    assert response.json() == {
        "error": "invalid_signature",
        "detail": "The manual provider sends no webhooks.",
    }
