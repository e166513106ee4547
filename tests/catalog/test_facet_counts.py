"""catalog_facetcount kept by triggers, and the facets read from it or
counted over a bounded set of matches."""

from __future__ import annotations

import io
import json
import re
import threading
import time
from collections import Counter
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from pantry.catalog.facets import about, facets
from pantry.catalog.filters import ProductFilters
from pantry.catalog.importing import import_products
from pantry.catalog.models import Category, Product, ProductSummary, Variant
from pantry.catalog.queries import filtered_products
from tests.factories import CategoryFactory, ProductFactory, VariantFactory
from tests.helpers import assert_in_html, assert_uses_index

pytestmark = pytest.mark.django_db

ROWS = (
    "SELECT category_id, tag, products, in_stock FROM catalog_facetcount ORDER BY 1, 2"
)


def kept_and_rebuilt() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The table as the triggers left it, then as counted from scratch."""
    with connection.cursor() as cursor:
        cursor.execute(ROWS)
        kept = cursor.fetchall()
        cursor.execute("SELECT catalog_facets_rebuild()")
        cursor.execute(ROWS)
        return kept, cursor.fetchall()


def assert_kept_right() -> list[tuple[Any, ...]]:
    kept, rebuilt = kept_and_rebuilt()
    assert kept == rebuilt
    return kept


@pytest.fixture
def tree(db: None) -> dict[str, Category]:
    home = CategoryFactory(slug="home", name="Home")
    lamps = CategoryFactory(slug="lamps", name="Lamps", parent=home)
    garden = CategoryFactory(slug="garden", name="Garden")
    return {"home": home, "lamps": lamps, "garden": garden}


def test_the_kept_counts_equal_a_recount_after_every_kind_of_write(tree):
    lamps, garden, home = tree["lamps"], tree["garden"], tree["home"]
    desk = ProductFactory(slug="desk", category=lamps, tags=["gift", "led"])
    VariantFactory(product=desk, sku="DESK-1", stock=2)
    VariantFactory(product=desk, sku="DESK-2", stock=0)
    hose = ProductFactory(slug="hose", category=garden, tags=["gift"])
    VariantFactory(product=hose, sku="HOSE-1", stock=0)
    ProductFactory(slug="bare", category=home, tags=["led"])  # no variants
    ProductFactory(slug="off", category=lamps, tags=["gift"], is_active=False)
    assert assert_kept_right() == [
        (0, "", 3, 1),
        (0, "gift", 2, 1),
        (0, "led", 2, 1),
        (home.pk, "", 1, 0),
        (home.pk, "led", 1, 0),
        (lamps.pk, "", 1, 1),
        (lamps.pk, "gift", 1, 1),
        (lamps.pk, "led", 1, 1),
        (garden.pk, "", 1, 0),
        (garden.pk, "gift", 1, 0),
    ]

    # Tags, category and activity change; stock flips both ways.
    Product.objects.filter(slug="desk").update(tags=["led", "sale"])
    Product.objects.filter(slug="hose").update(category=home)
    Product.objects.filter(slug__in=["off", "bare"]).update(is_active=True)
    Variant.objects.filter(sku="HOSE-1").update(stock=4)
    Variant.objects.filter(sku="DESK-1").update(stock=0)
    Variant.objects.filter(sku="DESK-2").update(stock=1)  # no flip: still stocked
    assert_kept_right()

    # Deletes: a variant (the summary goes), a product with its variants.
    Variant.objects.filter(sku="HOSE-1").delete()
    Product.objects.filter(slug="desk").delete()
    Product.objects.filter(slug="off").update(is_active=False)
    assert_kept_right()

    # A bulk import (COPY and statement-level INSERT ... SELECT).
    lines = [
        {
            "slug": f"imported-{i}",
            "name": f"Imported {i}",
            "category": "lamps",
            "tags": ["gift", f"t{i % 2}"],
            "variants": [
                {"sku": f"IMP-{i}", "price": "5.00", "currency": "EUR", "stock": i % 2}
            ],
        }
        for i in range(6)
    ]
    data = b"".join(json.dumps(line).encode() + b"\n" for line in lines)
    result = import_products(io.BytesIO(data), file_format="jsonl")
    assert result.products_created == 6
    rows = assert_kept_right()
    assert (lamps.pk, "gift", 6, 3) in rows
    assert (0, "", Product.objects.filter(is_active=True).count(), 3) in rows


def test_a_fresh_import_into_an_empty_catalog_is_counted(tree):
    lines = [
        {
            "slug": f"p-{i}",
            "name": f"P {i}",
            "category": "garden",
            "tags": ["a"],
            "variants": [{"sku": f"S-{i}", "price": "1.00", "stock": 1}],
        }
        for i in range(3)
    ]
    data = b"".join(json.dumps(line).encode() + b"\n" for line in lines)

    import_products(io.BytesIO(data), file_format="jsonl", rebuild_indexes=True)

    assert (tree["garden"].pk, "a", 3, 3) in assert_kept_right()


def test_a_fresh_import_that_drops_repeated_lines_is_counted_once(tree):
    # The facets are recounted after the file's repeats are taken out again.
    lines = [
        {
            "slug": f"p-{i % 3}",
            "name": f"P {i}",
            "category": "garden",
            "tags": ["a", f"t{i}"],
            "variants": [{"sku": f"S-{i}", "price": "1.00", "stock": i % 2}],
        }
        for i in range(5)
    ]
    data = b"".join(json.dumps(line).encode() + b"\n" for line in lines)

    result = import_products(
        io.BytesIO(data), file_format="jsonl", rebuild_indexes=True, skip_invalid=True
    )

    assert result.products_created == 3
    assert (tree["garden"].pk, "a", 3, 1) in assert_kept_right()  # lines 1-3 kept


def test_a_repeated_tag_counts_once(tree):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO catalog_product (slug, name, description, category_id, tags,"
            " specs, attributes, is_active, tax_class, created_at, updated_at)"
            " VALUES ('twice', 'Twice', '', %s, '{gift,gift}', '{}', '', true,"
            " 'standard', now(), now())",
            [tree["garden"].pk],
        )

    assert (tree["garden"].pk, "gift", 1, 0) in assert_kept_right()


def test_truncating_the_catalog_empties_the_counts(tree):
    ProductFactory(category=tree["garden"], tags=["a"])

    with connection.cursor() as cursor:
        # Deferred foreign key checks would forbid TRUNCATE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE catalog_product CASCADE")

    assert assert_kept_right() == []


# -- the facets read from it or counted ----------------------------------


@pytest.fixture
def shelf(tree: dict[str, Category]) -> dict[str, Category]:
    """30 products over the tree: tags from a few, every third out of stock,
    every fifth without variants, one inactive."""
    cats = [tree["home"], tree["lamps"], tree["garden"]]
    for i in range(30):
        product = ProductFactory(
            slug=f"p-{i}",
            name=f"Lamp {i}" if i % 4 == 0 else f"Thing {i}",
            category=cats[i % 3],
            tags=["all", f"t{i % 4}"] + (["rare"] if i == 7 else []),
            is_active=i != 29,
        )
        if i % 5:
            VariantFactory(
                product=product,
                sku=f"S-{i}",
                price=Decimal(10 + i),
                stock=0 if i % 3 == 0 else 2,
            )
    return tree


def reference(filters: ProductFilters) -> dict[str, Any]:
    """The facets counted the slow way: every matching product in Python."""
    products = list(filtered_products(filters).select_related("category"))
    summaries = {
        s.product_id: s
        for s in ProductSummary.objects.filter(product__in=[p.pk for p in products])
    }
    tags = Counter(tag for p in products for tag in set(p.tags))
    rolled: Counter[str] = Counter()
    for p in products:
        for slug in str(p.category.path).split("."):
            rolled[slug] += 1
    in_stock = sum(
        1 for p in products if p.pk in summaries and summaries[p.pk].has_stock
    )
    top = sorted(tags.items(), key=lambda t: (-t[1], t[0]))[:30]
    return {
        "tags": [{"value": t, "count": n} for t, n in top],
        "categories": sorted(rolled.items()),
        "in_stock": {"count": in_stock},
        "total": len(products),
    }


CASES = {
    "none": ProductFilters(),
    "category": ProductFilters(category="home"),
    "leaf": ProductFilters(category="lamps"),
    "in stock": ProductFilters(in_stock=True),
    "category in stock": ProductFilters(category="home", in_stock=True),
    "out of stock": ProductFilters(in_stock=False),
    "tag": ProductFilters(tags=["t1"]),
    "any tag": ProductFilters(any_tags=["t1", "rare"]),
    "text": ProductFilters(q="lamp"),
    "price": ProductFilters(min_price=Decimal("15"), max_price=Decimal("30")),
    "category tag price": ProductFilters(
        category="home", tags=["all"], min_price=Decimal("12")
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_exact_counts_equal_a_count_of_every_match(shelf, name):
    filters = CASES[name]

    got = facets(filters)

    wanted = reference(filters)
    assert got["count_is_estimate"] is False
    assert got["tags"] == wanted["tags"]
    assert (
        sorted((c["slug"], c["count"]) for c in got["categories"])
        == wanted["categories"]
    )
    assert got["in_stock"] == wanted["in_stock"]
    assert got["total"] == wanted["total"]


def test_lookups_give_the_exact_effective_price_range(shelf):
    # p-1 (11.00) is the cheapest active product with variants; p-28 the
    # dearest (38.00); p-29 (39.00) is inactive.
    assert facets(ProductFilters())["price"] == {"min": "11.00", "max": "38.00"}
    assert facets(ProductFilters(category="lamps"))["price"] == {
        "min": "11.00",
        "max": "38.00",
    }
    # In stock: p-3 (13.00) and p-27 (37.00) have none.
    assert facets(ProductFilters(in_stock=True))["price"] == {
        "min": "11.00",
        "max": "38.00",
    }
    # Garden: p-2 (12.00) to p-26 (36.00).
    assert facets(ProductFilters(category="garden", in_stock=True))["price"] == {
        "min": "12.00",
        "max": "36.00",
    }


def test_lookup_prices_follow_promotions(shelf):
    from tests.factories import PromotionFactory

    PromotionFactory(product=Product.objects.get(slug="p-28"), percent_off=Decimal(50))

    assert facets(ProductFilters())["price"] == {"min": "11.00", "max": "37.00"}
    # Lamps: p-28 now 19.00, p-25 has no variants, p-22 costs 32.00.
    assert facets(ProductFilters(category="lamps"))["price"] == {
        "min": "11.00",
        "max": "32.00",
    }


@override_settings(PANTRY_FACET_EXACT_LIMIT=5, PANTRY_FACET_SAMPLE_ROWS=1000)
def test_a_sample_of_the_whole_table_is_exact(shelf):
    filters = ProductFilters(tags=["all"])

    got = facets(filters)

    assert got["count_is_estimate"] is False
    assert got["total"] == 29
    assert got["tags"] == reference(filters)["tags"]


@override_settings(PANTRY_FACET_EXACT_LIMIT=5, PANTRY_FACET_SAMPLE_ROWS=10)
def test_past_the_limit_counts_are_estimates_and_say_so(shelf, api):
    response = api.get("products/facets", {"tag": "all"})

    assert response.status == 200
    body = response.body
    assert body["count_is_estimate"] is True
    # 10 of 30 rows sampled: each match found stands for about three.
    assert 0 < body["total"] <= 60
    assert body["price"]["min"] is not None


@override_settings(PANTRY_FACET_EXACT_LIMIT=5, PANTRY_FACET_SAMPLE_ROWS=10)
def test_the_page_marks_estimated_counts(shelf, client):
    response = client.get("/products/", {"tag": "all"})

    page = response.content.decode()
    assert "(counts are estimates)" in page
    assert re.search(r"about \d+ products", page)


def test_the_page_shows_exact_totals(shelf, client):
    response = client.get("/products/", {"tag": "t1"})

    page = response.content.decode()
    # t1: p-1, p-5, ..., p-25 (p-29 is inactive).
    assert_in_html('<p class="result-count">7 products</p>', page)
    assert "about" not in page.split('class="result-count"')[1][:40]


def test_estimates_round_to_two_significant_digits():
    assert [about(n) for n in (0, 7.4, 99, 1234, 12_345.6, 987_654)] == [
        0,
        7,
        99,
        1200,
        12_000,
        990_000,
    ]


@override_settings(PANTRY_FACET_EXACT_LIMIT=5)
def test_the_bounded_pass_stops_at_the_limit_plus_one(shelf):
    with CaptureQueriesContext(connection) as run:
        facets(ProductFilters(tags=["all"]))

    bounded = next(q["sql"] for q in run.captured_queries if "LIMIT 6" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + bounded)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    matched = plan.split("CTE matched")[1]
    assert re.search(r"Limit \(actual time=\S+ rows=6(\.00)? loops=1\)", matched), plan
    # Past the limit the per-row work is skipped.
    assert "One-Time Filter" in plan


def test_unfiltered_facets_read_the_whole_catalog_rows_by_key(shelf):
    with CaptureQueriesContext(connection) as run:
        facets(ProductFilters())

    lookup = next(q["sql"] for q in run.captured_queries if "facetcount" in q["sql"])
    plan = assert_uses_index(lookup, "catalog_facetcount_pkey")
    assert "catalog_product " not in plan


# -- concurrent writers -----------------------------------------------------


def _connect() -> psycopg.Connection[Any]:
    return psycopg.connect(**connection.get_connection_params())


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first", ["tags", "stock"])
def test_a_stock_flip_racing_a_tag_change_leaves_the_counts_right(first):
    garden = CategoryFactory(slug="garden", name="Garden")
    product = ProductFactory(slug="hose", category=garden, tags=["old"])
    VariantFactory(product=product, sku="HOSE-1", stock=1)
    change_tags = (
        "UPDATE catalog_product SET tags = '{new}' WHERE id = %s",
        [product.pk],
    )
    sell_out = ("UPDATE catalog_variant SET stock = 0 WHERE sku = 'HOSE-1'", [])
    statements = {"tags": change_tags, "stock": sell_out}
    second = "stock" if first == "tags" else "tags"
    with _connect() as one, _connect() as two:
        one.execute(*statements[first])
        # The second writer waits on the first one's locks until it commits.
        waiting = threading.Thread(
            target=lambda: (two.execute(*statements[second]), two.commit())
        )
        waiting.start()
        time.sleep(0.3)
        one.commit()
        waiting.join(timeout=10)
        assert not waiting.is_alive()

    rows = assert_kept_right()
    assert (garden.pk, "new", 1, 0) in rows
    assert not any(tag == "old" for _, tag, _, _ in rows)
