"""Placing orders with a voucher and a payment provider (issue 15, part)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from pantry.catalog.models import Variant
from pantry.orders.models import Order
from pantry.orders.services import place_order
from pantry.payments.models import Payment
from pantry.vouchers.errors import VoucherExhausted
from pantry.vouchers.models import Redemption, Voucher
from pantry.vouchers.services import create_voucher
from tests.factories import VariantFactory
from tests.helpers import assert_error
from tests.orders.conftest import race

BODY = {
    "customer": {"name": "Ada Lovelace", "email": "ada@example.com"},
    "lines": [{"sku": "MUG-1", "quantity": 2}],
}


@pytest.fixture
def mug(db):
    return VariantFactory(sku="MUG-1", price=Decimal("12.50"), stock=10)


def test_a_voucher_is_taken_off_the_total_and_redeemed_for_the_order(api, mug):
    create_voucher(code="TEN", percent_off="10", usage_limit=5)

    response = api.post("orders", {**BODY, "voucher": "ten"})

    assert response.status == 201, response.body
    body = response.body
    assert (body["total"], body["discount"], body["voucher"]) == (
        "22.50",
        "2.50",
        "TEN",
    )
    assert Voucher.objects.get(code="TEN").used == 1
    assert Redemption.objects.get().order_ref == body["number"]


def test_an_exhausted_voucher_is_409_and_nothing_is_placed(api, mug):
    create_voucher(code="GONE", percent_off="10", usage_limit=0)

    assert_error(
        api.post("orders", {**BODY, "voucher": "GONE"}), 409, "voucher_exhausted"
    )

    assert not Order.objects.exists()
    assert Variant.objects.get(sku="MUG-1").stock == 10


def test_an_unknown_voucher_is_422_and_nothing_is_placed(api, mug):
    assert_error(
        api.post("orders", {**BODY, "voucher": "NOPE"}), 422, "voucher_invalid"
    )

    assert not Order.objects.exists()


def test_the_fake_provider_gives_a_redirect_and_a_payment_window(api, mug, settings):
    settings.PANTRY_SITE_URL = "http://shop.test"

    response = api.post("orders", {**BODY, "payment_provider": "fake"})

    assert response.status == 201, response.body
    payment = Payment.objects.get()
    assert response.body["payment"] == {
        "provider": "fake",
        "status": "pending",
        "action": {
            "type": "redirect",
            "url": f"http://shop.test/payments/fake/{payment.provider_ref}/",
        },
    }
    order = Order.objects.get()
    assert (payment.order_ref, payment.amount) == (order.number, Decimal("25.00"))
    assert payment.provider_data["return_url"].startswith(
        f"http://shop.test/orders/{order.number}/?token="
    )
    assert order.payment_provider == "fake"
    assert order.expires_at - order.placed_at == timedelta(minutes=30)


def test_a_manual_payment_never_expires(api, mug):
    response = api.post("orders", {**BODY, "payment_provider": "manual"})

    assert response.body["payment"]["action"] is None
    assert Order.objects.get().expires_at is None


def test_an_unknown_payment_provider_is_422_and_nothing_is_placed(api, mug):
    assert_error(
        api.post("orders", {**BODY, "payment_provider": "paypal"}),
        422,
        "unknown_payment_provider",
    )

    assert not Order.objects.exists()
    assert not Payment.objects.exists()


def test_a_replay_returns_the_same_payment_and_another_voucher_is_a_new_request(
    api, mug
):
    create_voucher(code="TEN", percent_off="10")
    headers = {"Idempotency-Key": "k-1"}
    body = {**BODY, "payment_provider": "fake", "voucher": "TEN"}

    first = api.post("orders", body, headers=headers)
    again = api.post("orders", body, headers=headers)
    other = api.post("orders", {**body, "voucher": None}, headers=headers)

    assert (first.status, again.status) == (201, 200)
    assert again.body["payment"] == first.body["payment"]
    assert Payment.objects.count() == 1
    assert_error(other, 409, "idempotency_key_reused")


def test_sixty_four_orders_racing_for_a_voucher_limited_to_ten_redeem_ten(wide_pool):
    VariantFactory(sku="MUG-1", price=Decimal("10.00"), stock=1000)
    create_voucher(code="RACE", amount_off="1.00", currency="EUR", usage_limit=10)

    outcomes = race(
        lambda i: place_order(
            name="Buyer",
            email=f"b{i}@example.com",
            lines=[("MUG-1", 1)],
            voucher="RACE",
        ),
        64,
    )

    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 54
    assert all(isinstance(exc, VoucherExhausted) for exc in refused), refused[:3]
    assert Voucher.objects.get(code="RACE").used == 10
    assert Order.objects.count() == 10
    assert set(Order.objects.values_list("total", flat=True)) == {Decimal("9.00")}
    assert Variant.objects.get(sku="MUG-1").stock == 990
