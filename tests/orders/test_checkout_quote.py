"""POST /api/v1/checkout/quote: totals computed by hand, refusals, no writes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pantry.catalog.models import Variant
from pantry.vouchers.models import Voucher
from pantry.vouchers.services import create_voucher
from tests.factories import VariantFactory, eu_shipping, german_tax
from tests.helpers import assert_error

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("standard_tax_class")]

ADDRESS = {
    "name": "Ada Lovelace",
    "line1": "Unter den Linden 1",
    "city": "Berlin",
    "postal_code": "10117",
    "country": "DE",
}


@pytest.fixture
def shop(db):
    VariantFactory(
        sku="MUG-1",
        price=Decimal("12.00"),
        weight_g=400,
        requires_shipping=True,
        product__name="Mug",
    )
    VariantFactory(
        sku="TEA-1",
        price=Decimal("5.35"),
        weight_g=100,
        requires_shipping=True,
        product__name="Tea",
        product__tax_class="reduced",
    )
    VariantFactory(
        sku="CARD-1",
        price=Decimal("20.00"),
        requires_shipping=False,
        product__name="Gift card",
    )
    eu_shipping(express_max_weight_g=2000)
    german_tax()
    create_voucher(code="TEN", percent_off="10")


BODY = {
    "lines": [{"sku": "MUG-1", "quantity": 2}, {"sku": "TEA-1", "quantity": 2}],
    "shipping_address": ADDRESS,
    "voucher": "ten",
}


def test_a_quote_with_inclusive_prices_a_voucher_and_two_rates(api, shop):
    response = api.post("checkout/quote", BODY)

    # Subtotal 24.00 + 10.70 = 34.70; 10% off = 3.47, spread 2.40 / 1.07.
    # Tax out of 21.60 at 19% = 3.45, of 9.63 at 7% = 0.63, of shipping
    # 4.90 at 19% = 0.78. Total 34.70 - 3.47 + 4.90 = 36.13.
    assert response.status == 200, response.body
    assert response.body == {
        "currency": "EUR",
        "subtotal": "34.70",
        "discount": "3.47",
        "shipping": "4.90",
        "tax": "4.86",
        "total": "36.13",
        "lines": [
            {
                "sku": "MUG-1",
                "name": "Mug",
                "quantity": 2,
                "unit_price": "12.00",
                "line_total": "24.00",
                "discount": "2.40",
                "tax_rate": "19",
                "tax": "3.45",
            },
            {
                "sku": "TEA-1",
                "name": "Tea",
                "quantity": 2,
                "unit_price": "5.35",
                "line_total": "10.70",
                "discount": "1.07",
                "tax_rate": "7",
                "tax": "0.63",
            },
        ],
        "shipping_methods": [
            {"code": "eu-standard", "name": "Standard", "price": "4.90"},
            {"code": "eu-express", "name": "Express", "price": "9.90"},
        ],
        "shipping_method": "eu-standard",
        "voucher": "TEN",
        "prices_include_tax": True,
    }


def test_with_exclusive_prices_tax_is_added_to_the_total(api, shop, settings):
    settings.PANTRY_PRICES_INCLUDE_TAX = False

    response = api.post("checkout/quote", {**BODY, "shipping_method": "eu-express"})

    # 21.60 * 19% = 4.104 -> 4.10; 9.63 * 7% = 0.6741 -> 0.67; shipping
    # 9.90 * 19% = 1.881 -> 1.88. Total 31.23 + 9.90 + 6.65 = 47.78.
    assert response.status == 200, response.body
    body = response.body
    assert [line["tax"] for line in body["lines"]] == ["4.10", "0.67"]
    assert (body["shipping"], body["tax"], body["total"]) == ("9.90", "6.65", "47.78")
    assert body["prices_include_tax"] is False


def test_a_quote_writes_nothing(api, shop):
    api.post("checkout/quote", BODY)

    assert Voucher.objects.get(code="TEN").used == 0
    assert Variant.objects.get(sku="MUG-1").stock == 10


def test_what_needs_no_shipping_needs_no_address(api, shop):
    response = api.post("checkout/quote", {"lines": [{"sku": "CARD-1", "quantity": 1}]})

    assert response.status == 200, response.body
    assert (response.body["shipping"], response.body["total"]) == ("0.00", "20.00")
    assert response.body["shipping_methods"] == []
    assert response.body["shipping_method"] is None


def test_a_method_for_shipped_lines_without_an_address_is_422_shipping_required(
    api, shop
):
    body = assert_error(
        api.post(
            "checkout/quote",
            {"lines": BODY["lines"], "shipping_method": "eu-standard"},
        ),
        422,
        "shipping_required",
    )

    assert body["fields"] == {"shipping_address": "Required: a line needs shipping."}


def test_lines_alone_are_quoted_without_shipping(api, shop):
    response = api.post("checkout/quote", {"lines": BODY["lines"]})

    assert response.status == 200
    assert (response.body["shipping"], response.body["shipping_methods"]) == (
        "0.00",
        [],
    )


def test_an_address_no_method_serves_is_422_shipping_unavailable(api, shop):
    body = assert_error(
        api.post(
            "checkout/quote", {**BODY, "shipping_address": {**ADDRESS, "country": "US"}}
        ),
        422,
        "shipping_unavailable",
    )

    assert body["detail"] == "No shipping method serves US for this order."


def test_an_unknown_country_is_422_naming_the_field(api, shop):
    body = assert_error(
        api.post(
            "checkout/quote", {**BODY, "shipping_address": {**ADDRESS, "country": "XX"}}
        ),
        422,
        "unknown_country",
    )

    assert body["fields"] == {
        "shipping_address.country": "An ISO 3166-1 alpha-2 code such as DE."
    }


def test_a_method_that_does_not_serve_the_address_is_422(api, shop):
    assert_error(
        api.post(
            "checkout/quote",
            {
                **BODY,
                "lines": [{"sku": "MUG-1", "quantity": 5}],
                "shipping_method": "eu-express",
            },
        ),
        422,
        "shipping_unavailable",
    )


def test_an_unknown_voucher_is_422_and_an_exhausted_one_409(api, shop):
    create_voucher(code="GONE", percent_off="5", usage_limit=0)

    assert_error(
        api.post("checkout/quote", {**BODY, "voucher": "NOPE"}), 422, "voucher_invalid"
    )
    assert_error(
        api.post("checkout/quote", {**BODY, "voucher": "gone"}),
        409,
        "voucher_exhausted",
    )


def test_an_unknown_payment_provider_is_422(api, shop):
    assert_error(
        api.post("checkout/quote", {**BODY, "payment_provider": "paypal"}),
        422,
        "unknown_payment_provider",
    )


def test_one_sku_over_several_lines_is_held_to_the_order_limit(api, shop):
    # The order would refuse it: so does its quote.
    lines = [{"sku": "CARD-1", "quantity": 600}, {"sku": "CARD-1", "quantity": 600}]
    body = assert_error(
        api.post("checkout/quote", {"lines": lines}), 422, "validation_error"
    )

    assert body["fields"] == {"lines.1.quantity": "At most 1000 of one SKU per order."}
