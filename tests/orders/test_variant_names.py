"""Variants are named as a shopper reads them: product name plus options."""

from __future__ import annotations

import importlib
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.contrib.messages import get_messages
from django.db import connection
from django.utils import timezone

from pantry.catalog.models import option_label, variant_name
from pantry.orders.models import Order, OrderLine
from tests.factories import VariantFactory
from tests.orders.checkout_steps import walk_checkout

SAFFRON = "Spice Route La Mancha Saffron"


def text(html: str) -> str:
    """The page's text with tags dropped and whitespace runs made one space."""
    spaced = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    return re.sub(r" ([:,.])", r"\1", spaced)


@pytest.fixture
def saffron(db):
    small = VariantFactory(
        sku="SAF-5",
        price=Decimal("6.90"),
        stock=10,
        options={"weight": "5 g"},
        product__name=SAFFRON,
    )
    VariantFactory(
        sku="SAF-25",
        price=Decimal("24.90"),
        stock=10,
        options={"weight": "25 g"},
        product=small.product,
    )
    return small


def add(client, sku, quantity=1):
    return client.post("/cart/", {"action": "add", "sku": sku, "quantity": quantity})


def test_a_variant_name_is_the_product_name_and_option_values():
    assert variant_name("Saffron", {"weight": "5 g"}) == "Saffron, 5 g"
    assert (
        variant_name("Aurora Pro Laptop", {"memory": "16 GB RAM", "disk": "1 TB SSD"})
        == "Aurora Pro Laptop, 16 GB RAM, 1 TB SSD"
    )
    assert variant_name("Mug", {}) == "Mug"
    assert variant_name("Mug", {"size": ""}) == "Mug"
    assert option_label({"pack": 2}) == "2"


def test_the_cart_shows_two_pack_sizes_apart_with_the_sku_as_detail(client, saffron):
    add(client, "SAF-5")
    add(client, "SAF-25", 2)

    page = text(client.get("/cart/").text)

    assert f"{SAFFRON}, 5 g SKU SAF-5" in page
    assert f"{SAFFRON}, 25 g SKU SAF-25" in page
    assert f"Quantity of {SAFFRON}, 25 g" in page


def test_cart_messages_name_the_variant_not_the_sku(client, saffron):
    add(client, "SAF-5", 2)
    added = [str(m) for m in get_messages(client.get("/cart/").wsgi_request)]
    client.post("/cart/", {"action": "update", "sku": "SAF-5", "quantity": 3})
    client.post("/cart/", {"action": "remove", "sku": "SAF-5"})
    later = [str(m) for m in get_messages(client.get("/cart/").wsgi_request)]

    assert added == [f"Added 2 of {SAFFRON}, 5 g."]
    assert later == [f"{SAFFRON}, 5 g updated.", f"{SAFFRON}, 5 g removed."]


def test_checkout_confirmation_and_email_name_the_variant(
    client, saffron, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.PANTRY_PAYMENT_DEFAULT = "manual"  # placing ends on the order page
    add(client, "SAF-25", 2)
    checkout = client.get("/checkout/")

    with django_capture_on_commit_callbacks(execute=True):
        placed = walk_checkout(client, name="Ada")
    confirmation = text(client.get(placed.url).text)

    assert f"2 \u00d7 {SAFFRON}, 25 g SKU SAF-25: 49.80 EUR" in text(checkout.text)
    assert f"{SAFFRON}, 25 g SKU SAF-25 2 24.90 EUR" in confirmation
    line = OrderLine.objects.get()
    assert (line.product_name, line.variant_name) == (SAFFRON, f"{SAFFRON}, 25 g")
    assert f"2 x {SAFFRON}, 25 g (SAF-25) at 24.90 EUR" in mailoutbox[0].body


def test_the_api_receipt_names_the_line_by_its_variant(saffron):
    from pantry.orders.services import place_order

    placement = place_order(name="Ada", email="ada@example.com", lines=[("SAF-5", 1)])

    assert [line["name"] for line in placement.receipt["lines"]] == [f"{SAFFRON}, 5 g"]


def test_the_admin_shows_order_lines_by_variant_name(admin_client, saffron):
    from pantry.orders.services import place_order

    placement = place_order(
        name="Ada", email="ada@example.com", lines=[("SAF-5", 1), ("SAF-25", 1)]
    )
    order = Order.objects.get(number=placement.number)

    page = text(admin_client.get(f"/admin/orders/order/{order.pk}/change/").text)
    product = text(
        admin_client.get(f"/admin/catalog/product/{saffron.product_id}/change/").text
    )

    assert f"{SAFFRON}, 25 g SAF-25" in page
    assert f"{SAFFRON}, 5 g (SAF-5)" in product


def test_the_backfill_names_older_lines_from_their_variant(saffron):
    migration = importlib.import_module(
        "pantry.orders.migrations.0015_backfill_orderline_variant_name"
    )
    order = Order.objects.create(
        number="P-OLD", customer_name="Ada", email="ada@example.com",
        currency="EUR", total=Decimal("31.80"), subtotal=Decimal("31.80"),
        placed_at=timezone.now(),
    )  # fmt: skip
    for sku in ("SAF-5", "SAF-25", "GONE-1"):
        OrderLine.objects.create(
            order=order, sku=sku, product_name=SAFFRON, unit_price=Decimal("10.60"),
            quantity=1, line_total=Decimal("10.60"), net=Decimal("10.60"),
            gross=Decimal("10.60"), discount=0, tax_class="standard", tax_rate=0,
            tax=0,
        )  # fmt: skip

    migration.name_lines(django_apps, SimpleNamespace(connection=connection))

    names = dict(OrderLine.objects.values_list("sku", "variant_name"))
    assert names == {
        "SAF-5": f"{SAFFRON}, 5 g",
        "SAF-25": f"{SAFFRON}, 25 g",
        "GONE-1": "",
    }
    assert OrderLine.objects.get(sku="GONE-1").display_name == SAFFRON
