"""Query counts that do not grow with the page, and plans that use indexes."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pantry.catalog import queries
from pantry.catalog.facets import facets
from pantry.catalog.models import Category, Product, Promotion, Variant
from pantry.catalog.queries import ProductFilters, rows
from tests.helpers import assert_constant_queries, assert_uses_index

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(db: None) -> Category:
    """120 products with two variants each (10 + i % 60, and 1 more), every
    third one promoted now."""
    root = Category.objects.create(slug="root", name="Root", path="root")
    leaf = Category.objects.create(
        slug="leaf", name="Leaf", parent=root, path="root.leaf"
    )
    products = Product.objects.bulk_create(
        Product(
            slug=f"p-{i}",
            name=f"Product {i}",
            category=leaf if i % 2 else root,
            tags=["all", f"t{i % 5}"],
            specs={"size": {"cm": i % 3}},
            attributes={"brand": f"b{i % 4}"},
        )
        for i in range(120)
    )
    Variant.objects.bulk_create(
        Variant(
            product=p,
            sku=f"S-{i}-{n}",
            price=Decimal(10 + i % 60 + n),
            currency="EUR",
            stock=n,
        )
        for i, p in enumerate(products)
        for n in range(2)
    )
    now = timezone.now()
    Promotion.objects.bulk_create(
        Promotion(
            product=p,
            percent_off=Decimal(10),
            during=DateTimeTZRange(now - timedelta(hours=1), now + timedelta(hours=1)),
        )
        for p in products[::3]
    )
    # A tree and statistics of realistic shape, so plans are those of a
    # big catalog rather than of an empty one.
    Category.objects.bulk_create(
        Category(slug=f"other-{i}", name=f"Other {i}", path=f"other_{i // 20}.c{i}")
        for i in range(400)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE catalog_category, catalog_product, catalog_variant,"
            " catalog_productsummary, catalog_promotion"
        )
    return leaf


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"sort": "price"},
        {"sort": "-price"},
        {"sort": "name"},
        {"q": "product"},
        {"tag": "all", "category": "root", "min_price": "5", "max_price": "50"},
        {
            "any_tag": ["t1", "t2"],
            "in_stock": "true",
            "spec.size.cm": "1",
            "attr.brand": "b1",
        },
    ],
)
def test_list_query_count_does_not_depend_on_page_size(api, many, params):
    def fetch(limit: int) -> Any:
        response = api.get("products", {**params, "limit": limit})
        assert response.status == 200, response.body
        assert response.body["items"]

    assert_constant_queries(fetch)


def test_detail_shows_the_promotion_in_its_prices(api, many):
    body = api.get("products/p-0").body

    assert [v["effective_price"] for v in body["variants"]] == ["9.00", "9.90"]


def test_facet_query_count_does_not_depend_on_the_matched_set(api, many):
    def fetch(size: int) -> Any:
        # The same filters matching two products (p-0, p-60) or all 120.
        params = {"tag": "all", "max_price": "100"}
        if size == 1:
            params.update({"tag": "t0", "attr.brand": "b0", "max_price": "9.00"})
        response = api.get("products/facets", params)
        assert response.status == 200, response.body
        assert response.body["categories"][0]["count"] == (120 if size == 100 else 2)

    # The deepest promotion (max_price), the planned row count, and the pass
    # under its time budget: savepoint, set the timeout, count, reset, release.
    assert assert_constant_queries(fetch) == 7


def test_admin_changelist_query_count_does_not_depend_on_page_size(admin_client, many):
    def fetch(size: int) -> Any:
        response = admin_client.get(
            "/admin/catalog/product/", {"o": "1"} if size == 1 else {}
        )
        assert response.status_code == 200

    from pantry.catalog.admin import ProductAdmin

    original = ProductAdmin.list_per_page
    counts = []
    try:
        for size in (1, 100):
            ProductAdmin.list_per_page = size
            counts.append(assert_constant_queries(fetch, sizes=(size,)))
    finally:
        ProductAdmin.list_per_page = original
    assert counts[0] == counts[1], counts


def filtered(**kwargs: Any) -> Any:
    return queries.filtered_products(ProductFilters(**kwargs)).values("id")


@pytest.mark.parametrize(
    ("filters", "index"),
    [
        ({"tags": ["t1"]}, "catalog_product_tags_gin"),
        ({"tags": ["t1", "all"]}, "catalog_product_tags_gin"),
        ({"any_tags": ["t1", "t2"]}, "catalog_product_tags_gin"),
        ({"specs": [(["size", "cm"], "1")]}, "catalog_product_props_gin"),
        ({"specs": [(["a'b", 'c"d[0]'], "x")]}, "catalog_product_props_gin"),
        ({"attributes": [("brand", "b1")]}, "catalog_product_props_gin"),
        ({"attributes": [("it's", 'a "b"')]}, "catalog_product_props_gin"),
        ({"q": "product"}, "catalog_product_search_gin"),
        (
            {"min_price": Decimal(5), "max_price": Decimal(10)},
            "catalog_variant_price_product",
        ),
    ],
)
def test_each_filter_uses_its_index(many, filters, index):
    assert_uses_index(filtered(**filters), index)


def test_specs_and_attributes_together_are_one_index_scan(many):
    plan = assert_uses_index(
        filtered(
            specs=[(["size", "cm"], "b")],
            attributes=[("brand", "b1"), ("colour", "red")],
        ),
        "catalog_product_props_gin",
    )

    # Both conditions in one scan of the index, not one scan each ANDed.
    assert plan.count("Bitmap Index Scan") == 1, plan
    assert "BitmapAnd" not in plan, plan


def test_price_filter_finds_the_deepest_discount_by_its_index(many):
    with CaptureQueriesContext(connection) as queries_run:
        queries.product_list(
            ProductFilters(min_price=Decimal(5), max_price=Decimal(10)), limit=20
        )
    deepest = queries_run.captured_queries[0]["sql"]
    assert 'FROM "catalog_promotion"' in deepest, deepest

    assert_uses_index(deepest, "catalog_promotion_deepest")


def test_price_sort_walks_the_summary_index(many):
    qs, order = rows._ordered(
        queries.filtered_products(ProductFilters()), "price", None
    )

    assert_uses_index(qs.order_by(*order)[:20], "catalog_summary_price")


def test_newest_sort_walks_its_index(many):
    qs = queries.filtered_products(ProductFilters()).order_by("-created_at", "-id")[:20]

    assert_uses_index(qs, "catalog_product_newest")


def test_category_subtree_is_one_gist_lookup(many):
    subtree = Category.objects.filter(path__descendant_of="root").values("id")

    assert_uses_index(subtree, "catalog_category_path_gist")


def test_category_filter_walks_the_category_newest_index(many):
    # One category among many: walking the newest of all would read more.
    other = Category.objects.get(slug="other-0")
    Product.objects.bulk_create(
        Product(slug=f"o-{i}", name=f"Other {i}", category=other) for i in range(2000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_product")
    qs = queries.filtered_products(ProductFilters(category="leaf"))

    assert_uses_index(
        qs.order_by("-created_at", "-id")[:20], "catalog_product_category_cover"
    )


def test_category_with_price_sort_walks_the_summary_category_index(many):
    qs, order = rows._ordered(
        queries.filtered_products(ProductFilters(category="leaf"), by_price=True),
        "price",
        None,
    )

    assert_uses_index(qs.order_by(*order)[:20], "catalog_summary_cat_price")


def test_category_facets_are_lookups_by_the_facet_count_key(many):
    with CaptureQueriesContext(connection) as queries_run:
        facets(ProductFilters(category="leaf"))

    lookup = next(
        q["sql"]
        for q in queries_run.captured_queries
        if "catalog_facetcount" in q["sql"]
    )
    plan = assert_uses_index(lookup, "catalog_facetcount_pkey")
    assert "catalog_product " not in plan


def test_the_next_promotion_boundary_is_two_index_probes(db):
    from pantry.catalog.queries.freshness import NEXT_PRICE_CHANGE

    now = timezone.now()
    plan = assert_uses_index(NEXT_PRICE_CHANGE, "catalog_promotion_starts", [now, now])
    assert "catalog_promotion_ends" in plan


def test_the_next_promotion_boundary_is_the_nearest_start_or_end(db):
    kitchen = Category.objects.create(name="Kitchen", slug="kitchen")
    now = timezone.now()
    assert queries.next_price_change(now) is None
    for n, (starts, ends) in enumerate([(-2, 5), (3, 9), (-9, -1)]):
        product = Product.objects.create(
            name=f"Pot {n}", slug=f"pot-{n}", category=kitchen
        )
        Promotion.objects.create(
            product=product,
            percent_off=Decimal("10"),
            during=DateTimeTZRange(
                now + timedelta(hours=starts), now + timedelta(hours=ends)
            ),
        )
    assert queries.next_price_change(now) == now + timedelta(hours=3)
    assert queries.next_price_change(now + timedelta(hours=4)) == now + timedelta(
        hours=5
    )
    assert queries.next_price_change(now + timedelta(hours=9)) is None
