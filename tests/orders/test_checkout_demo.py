"""The demo shop (`make run`) is configured to ship, tax and discount."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pantry.catalog.models import Variant
from pantry.catalog.sample_data import demo as catalog_demo
from pantry.shipping import demo as shipping_demo
from pantry.shipping.models import Method
from pantry.tax import demo as tax_demo
from pantry.vouchers import demo as voucher_demo
from tests.helpers import assert_error

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("standard_tax_class")]


@pytest.fixture
def demo_shop(db):
    catalog_demo.load()
    for module in (shipping_demo, tax_demo, voucher_demo):
        assert module.is_empty()
        module.load()
        assert not module.is_empty()


def address(country: str, region: str = "") -> dict[str, str]:
    return {
        "name": "Ada",
        "line1": "1 Main St",
        "city": "Town",
        "country": country,
        "region": region,
    }


def test_every_zone_has_a_flat_standard_and_a_tiered_express_method(demo_shop):
    methods = {
        method.code: method.rates.count()
        for method in Method.objects.prefetch_related("rates")
    }

    assert methods == {
        "eu-standard": 2,
        "eu-express": 3,
        "uk-standard": 1,
        "uk-express": 3,
        "us-standard": 1,
        "us-express": 3,
    }
    assert not Variant.objects.filter(weight_g=0).exists()


def test_a_german_order_ships_by_the_cheapest_method_with_tax_and_a_voucher(
    api, demo_shop
):
    tea = Variant.objects.filter(
        product__category__slug="tea", stock__gte=2, price__lt=30
    ).first()

    response = api.post(
        "orders",
        {
            "customer": {"name": "Ada", "email": "ada@example.com"},
            "lines": [{"sku": tea.sku, "quantity": 1}],
            "shipping_address": address("DE"),
            "voucher": "welcome10",
            "payment_provider": "fake",
        },
    )

    assert response.status == 201, response.body
    body = response.body
    discount = (tea.price / 10).quantize(Decimal("0.01"))
    assert body["discount"] == f"{discount:.2f}"
    assert (body["shipping_method"], body["shipping"]) == ("eu-standard", "4.90")
    assert body["lines"][0]["tax_rate"] == "7"
    assert body["payment"]["action"]["type"] == "redirect"


def test_the_original_body_places_in_the_demo_without_shipping(api, demo_shop):
    sku = Variant.objects.filter(stock__gte=1).values_list("sku", flat=True).first()

    response = api.post(
        "orders",
        {
            "customer": {"name": "Ada", "email": "ada@example.com"},
            "lines": [{"sku": sku, "quantity": 1}],
        },
    )

    assert response.status == 201
    assert response.body["shipping"] == "0.00"


def test_a_demo_method_without_an_address_is_422_shipping_required(api, demo_shop):
    sku = Variant.objects.filter(stock__gte=1).values_list("sku", flat=True).first()

    assert_error(
        api.post(
            "orders",
            {
                "customer": {"name": "Ada", "email": "ada@example.com"},
                "lines": [{"sku": sku, "quantity": 1}],
                "shipping_method": "eu-standard",
            },
        ),
        422,
        "shipping_required",
    )


@pytest.mark.parametrize(
    ("country", "region", "rate"), [("GB", "", "20"), ("US", "CA", "7.25")]
)
def test_uk_and_us_orders_are_taxed_at_their_rates(
    api, demo_shop, country, region, rate
):
    pan = Variant.objects.filter(product__category__slug="pans", stock__gte=1).first()

    response = api.post(
        "checkout/quote",
        {
            "lines": [{"sku": pan.sku, "quantity": 1}],
            "shipping_address": address(country, region),
        },
    )

    assert response.status == 200, response.body
    assert response.body["lines"][0]["tax_rate"] == rate
    assert len(response.body["shipping_methods"]) == 2
