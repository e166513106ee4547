"""Catalog fields that checkout reads: weight, shipping need, tax class."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection

from pantry.catalog.models import Variant
from tests.factories import ProductFactory, VariantFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("standard_tax_class")]


def test_a_variant_is_shipped_and_weightless_and_a_product_standard_taxed_by_default():
    # Not VariantFactory: it sets requires_shipping; this is about the model's.
    Variant.objects.create(
        sku="MUG-1", product=ProductFactory(), price="1.00", currency="EUR"
    )

    variant = Variant.objects.select_related("product").get(sku="MUG-1")
    assert (variant.weight_g, variant.requires_shipping) == (0, True)
    assert variant.product.tax_class == "standard"


def test_rows_written_by_raw_sql_get_the_database_defaults():
    VariantFactory(sku="MUG-1")

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO catalog_variant (sku, product_id, options, price, currency,"
            " stock) SELECT 'MUG-2', product_id, '{}', 1, 'EUR', 0"
            " FROM catalog_variant WHERE sku = 'MUG-1'"
        )

    assert Variant.objects.get(sku="MUG-2").requires_shipping is True
    assert Variant.objects.get(sku="MUG-2").weight_g == 0


def test_a_negative_weight_is_refused_by_the_database():
    with pytest.raises(IntegrityError, match="catalog_variant_weight_range"):
        VariantFactory(sku="MUG-1", weight_g=-1)
