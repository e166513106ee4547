"""The bounded exact pass runs under a time budget; past it the sample
answers, flagged as an estimate, and the transaction goes on."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test import override_settings

import pantry.catalog.facets as facets_module
from pantry.catalog.facets import facets
from pantry.catalog.facets.counting import count_within
from pantry.catalog.filters import ProductFilters
from tests.factories import CategoryFactory, ProductFactory, VariantFactory

pytestmark = pytest.mark.django_db

SLOW = (
    'SELECT "catalog_product"."id", "catalog_product"."tags",'
    ' "catalog_product"."category_id" FROM "catalog_product"'
    " WHERE pg_sleep(0.2) IS NOT NULL"
)


@pytest.fixture
def shelf(db: None) -> None:
    category = CategoryFactory(slug="home", name="Home")
    for i in range(30):
        product = ProductFactory(slug=f"p-{i}", category=category, tags=["all"])
        VariantFactory(product=product, sku=f"S-{i}", price=Decimal(10 + i), stock=2)


def timeout() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return str(cursor.fetchone()[0])


def test_a_pass_past_its_budget_gives_none_and_leaves_the_transaction(shelf):
    before = timeout()

    assert count_within(20, SLOW, [], ProductFilters(), limit=10) is None

    assert timeout() == before
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM catalog_product")
        assert cursor.fetchone()[0] == 30


def test_a_pass_within_its_budget_counts_and_restores_the_timeout(shelf):
    before = timeout()
    inner = SLOW.replace("pg_sleep(0.2)", "pg_sleep(0)")

    counted = count_within(5_000, inner, [], ProductFilters(), limit=100)

    assert counted is not None
    assert counted.total == 30
    assert timeout() == before


@override_settings(PANTRY_FACET_EXACT_LIMIT=100, PANTRY_FACET_SAMPLE_ROWS=10)
def test_facets_past_the_budget_are_the_sample_flagged(shelf, monkeypatch):
    filters = ProductFilters(tags=["all"], min_price=Decimal(12))
    assert facets(filters)["count_is_estimate"] is False  # within the budget

    # A pass too slow for its budget, as a text match with a price range is
    # at a million products.
    monkeypatch.setattr(facets_module, "count_within", lambda *a, **k: None)
    got = facets(filters)

    assert got["count_is_estimate"] is True
    assert 0 < got["total"] <= 84
