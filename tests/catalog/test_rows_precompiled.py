"""Row subqueries compiled once (catalog.queries.rows.Precompiled)."""

from __future__ import annotations

import pytest
from django.db.models import Subquery
from django.utils import timezone

from pantry.catalog.models import Product
from pantry.catalog.queries.rows import product_json, with_json_fields
from tests.factories import VariantFactory

pytestmark = pytest.mark.django_db


def test_a_top_level_product_query_carries_its_variants():
    variant = VariantFactory(sku="ROW-1")

    row = with_json_fields(Product.objects.all(), now=timezone.now()).get()

    assert row.pk == variant.product_id
    assert [v["sku"] for v in product_json(row)["variants"]] == ["ROW-1"]


def test_nested_in_another_query_the_rows_refuse_rather_than_name_the_wrong_table():
    # Nested, the product table gets another alias, which the compiled SQL
    # does not follow: it must not silently read the outer query's rows.
    VariantFactory()
    inner = with_json_fields(Product.objects.all(), now=timezone.now())

    with pytest.raises(NotImplementedError, match="top-level"):
        list(Product.objects.filter(pk__in=Subquery(inner.values("pk"))))
