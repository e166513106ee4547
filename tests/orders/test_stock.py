"""catalog.stock: prices now, taking and returning stock."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone

from pantry.catalog.models import Promotion, Variant
from pantry.catalog.stock import (
    InsufficientStock,
    UnknownSku,
    current_prices,
    return_stock,
    take_stock,
)
from tests.factories import ProductFactory, VariantFactory


def promote(product, percent, *, starts, ends):
    now = timezone.now()
    return Promotion.objects.create(
        product=product,
        percent_off=Decimal(percent),
        during=DateTimeTZRange(now + starts, now + ends),
    )


def test_current_prices_apply_the_active_promotion_only(db):
    promoted = VariantFactory(sku="A-1", price=Decimal("19.99"))
    promote(promoted.product, "10", starts=-timedelta(days=1), ends=timedelta(days=1))
    later = VariantFactory(sku="B-1", price=Decimal("5.00"))
    promote(later.product, "50", starts=timedelta(days=1), ends=timedelta(days=2))

    prices = current_prices(["A-1", "B-1"])

    assert prices["A-1"].unit_price == Decimal("17.99")
    assert prices["B-1"].unit_price == Decimal("5.00")
    assert prices["A-1"].product_name == promoted.product.name
    assert prices["A-1"].currency == "EUR"


def test_current_prices_refuse_unknown_and_inactive_skus(db):
    VariantFactory(sku="OK-1")
    VariantFactory(sku="OFF-1", product=ProductFactory(is_active=False))

    with pytest.raises(UnknownSku, match="NOPE-1, OFF-1") as caught:
        current_prices(["OK-1", "OFF-1", "NOPE-1"])

    assert caught.value.extra == {"skus": ["NOPE-1", "OFF-1"]}


def test_take_stock_decreases_every_sku(db):
    VariantFactory(sku="A-1", stock=5)
    VariantFactory(sku="B-1", stock=3)

    take_stock({"A-1": 2, "B-1": 3})

    assert dict(Variant.objects.values_list("sku", "stock")) == {"A-1": 3, "B-1": 0}


def test_take_stock_short_on_one_sku_changes_nothing(db):
    VariantFactory(sku="A-1", stock=5)
    VariantFactory(sku="B-1", stock=1)

    with pytest.raises(InsufficientStock, match="Only 1 of B-1 left") as caught:
        take_stock({"A-1": 2, "B-1": 3})

    assert caught.value.extra == {"sku": "B-1", "available": 1}
    assert dict(Variant.objects.values_list("sku", "stock")) == {"A-1": 5, "B-1": 1}


def test_take_stock_of_a_missing_sku_changes_nothing(db):
    VariantFactory(sku="A-1", stock=5)

    with pytest.raises(UnknownSku, match="GONE-1"):
        take_stock({"A-1": 2, "GONE-1": 1})

    assert Variant.objects.get(sku="A-1").stock == 5


def test_return_stock_increases_every_sku_and_skips_deleted_ones(db):
    VariantFactory(sku="A-1", stock=0)

    with transaction.atomic():
        return_stock({"A-1": 4, "GONE-1": 2})

    assert Variant.objects.get(sku="A-1").stock == 4
