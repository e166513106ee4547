"""The low-stock rows kept by the variant triggers, and the list read
from them."""

from __future__ import annotations

import io
import json

import pytest
from django.db import connection, transaction

from pantry.catalog.importing import import_products
from pantry.catalog.models import LowStockVariant, Variant
from pantry.catalog.queries import low_stock_variants
from tests.factories import CategoryFactory, ProductFactory, VariantFactory
from tests.helpers import assert_uses_index

pytestmark = pytest.mark.django_db


def low() -> dict[str, int]:
    return dict(LowStockVariant.objects.values_list("sku", "stock"))


def expected() -> dict[str, int]:
    """The oracle: the variants with 1 to 5 left."""
    return dict(
        Variant.objects.filter(stock__gte=1, stock__lte=5).values_list("sku", "stock")
    )


def test_stock_entering_moving_in_and_leaving_the_band_keeps_the_rows():
    variant = VariantFactory(sku="A", stock=9)
    VariantFactory(sku="B", stock=3)
    assert low() == {"B": 3}

    for stock, rows in [(5, {"A": 5}), (1, {"A": 1}), (0, {}), (4, {"A": 4})]:
        Variant.objects.filter(pk=variant.pk).update(stock=stock)
        assert low() == {"B": 3, **rows}
    Variant.objects.filter(pk=variant.pk).update(sku="A2")
    assert low() == {"B": 3, "A2": 4}

    Variant.objects.filter(stock__lte=5).update(stock=2)  # one statement, many rows
    assert low() == expected() == {"B": 2, "A2": 2}
    variant.product.delete()
    assert low() == expected() == {"B": 2}


@pytest.mark.django_db(transaction=True)
def test_truncating_variants_empties_the_rows():
    VariantFactory(stock=2)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE catalog_variant CASCADE")
    assert not LowStockVariant.objects.exists()


@pytest.mark.parametrize("rebuild", [False, True], ids=["upsert", "insert-only"])
def test_a_bulk_import_recounts_the_rows(rebuild):
    CategoryFactory(slug="spices")
    VariantFactory(sku="OLD", stock=80)
    variant = {"price": "2.00", "currency": "EUR"}
    docs = [
        {
            "slug": f"spice-{n}",
            "name": f"Spice {n}",
            "category": "spices",
            "variants": [{"sku": f"S{n}", "stock": n % 8, **variant}],
        }
        for n in range(16)
    ]
    data = b"".join(json.dumps(doc).encode() + b"\n" for doc in docs)
    with transaction.atomic():
        import_products(io.BytesIO(data), file_format="jsonl", rebuild_indexes=rebuild)
    assert low() == expected()
    assert len(low()) == 10  # stock 1 to 5 in each run of 8


def test_the_list_is_the_head_of_the_index_and_leaves_out_inactive_products():
    VariantFactory(sku="C", stock=3, product__name="Cumin", options={"weight": "5 g"})
    VariantFactory(sku="D", stock=1, product=ProductFactory(is_active=False))
    VariantFactory(sku="E", stock=5)
    VariantFactory(sku="F", stock=0)

    rows = low_stock_variants(limit=8)
    assert [row.sku for row in rows] == ["C", "E"]
    assert (rows[0].stock, rows[0].name) == (3, "Cumin, 5 g")
    bulk = ProductFactory()
    with connection.cursor() as cursor:
        # A catalog's worth of variants, so the plan is the one a shop gets.
        cursor.execute(
            "INSERT INTO catalog_variant (sku, product_id, options, price, currency,"
            " stock) SELECT 'X' || n, %s, '{}', 1, 'EUR', CASE WHEN n %% 2 = 0"
            " THEN 1 + n %% 5 ELSE 50 END FROM generate_series(1, 20000) n",
            [bulk.pk],
        )
        cursor.execute("ANALYZE catalog_variant")
        cursor.execute("ANALYZE catalog_product")
        cursor.execute("ANALYZE catalog_lowstockvariant")
    query = (
        LowStockVariant.objects.filter(variant__product__is_active=True)
        .select_related("variant__product")
        .order_by("stock", "sku")[:8]
    )
    assert_uses_index(query, "catalog_lowstock_order")
