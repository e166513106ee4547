"""The fake provider's page posts its signed webhook to pantry over real HTTP."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pantry.payments.models import Payment, ProviderEvent
from pantry.payments.services import start_payment
from tests.helpers import assert_in_html


@pytest.fixture
def pending(live_server, settings):
    settings.PANTRY_SITE_URL = live_server.url
    payment, action = start_payment(
        order_ref="PA-PAGE000001",
        amount=Decimal("19.90"),
        currency="EUR",
        email="ada@example.com",
        return_url="/orders/PA-PAGE000001/?token=t",
        provider="fake",
    )
    return payment, action["url"].removeprefix(live_server.url)


def test_the_page_shows_the_amount_and_both_choices(client, pending):
    _, path = pending

    response = client.get(path)

    html = response.content.decode()
    assert response.status_code == 200
    assert_in_html('<span class="payment-amount">19.90 EUR</span>', html)
    assert 'value="approve"' in html
    assert 'value="decline"' in html


def test_approving_captures_by_webhook_and_returns_to_the_shop(client, pending):
    payment, path = pending

    response = client.post(path, {"decision": "approve"})

    assert response.status_code == 302
    assert response["Location"] == "/orders/PA-PAGE000001/?token=t"
    payment.refresh_from_db()
    assert (payment.status, payment.captured) == ("captured", Decimal("19.90"))
    assert ProviderEvent.objects.get().type == "payment.captured"


def test_declining_fails_the_payment(client, pending):
    payment, path = pending

    client.post(path, {"decision": "decline"})

    payment.refresh_from_db()
    assert payment.status == "failed"


@pytest.mark.django_db
def test_an_unknown_payment_page_is_404(client):
    assert client.get("/payments/fake/fake_nope/").status_code == 404
    assert not Payment.objects.exists()
