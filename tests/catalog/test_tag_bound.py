"""A category with tags: the kept facet counts bound the matches
(catalog.queries.matching.tag_bound), so a pair that matches nothing costs
no product query and a pair that matches few is not found by walking the
newest index across the catalog."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pantry.catalog.errors import UnknownCategory
from pantry.catalog.facets import facets
from pantry.catalog.filters import ProductFilters
from pantry.catalog.models import Category, Product
from pantry.catalog.queries import listed_products, tag_bound
from tests.factories import CategoryFactory, ProductFactory, VariantFactory

pytestmark = pytest.mark.django_db

SORTS = ("newest", "name", "price", "-price")


@pytest.fixture
def shop(db: None) -> dict[str, Category]:
    home = CategoryFactory(slug="home", name="Home")
    lamps = CategoryFactory(slug="lamps", name="Lamps", parent=home)
    garden = CategoryFactory(slug="garden", name="Garden")
    start = timezone.now() - timedelta(days=30)
    kinds = [
        (lamps, ["gift", "eco"], 3),
        (lamps, ["gift"], 0),
        (home, ["eco"], 2),
        (garden, ["gift", "sale"], 1),
        (garden, [], 4),
    ]
    for n, (category, tags, stock) in enumerate(kinds * 3):
        product = ProductFactory(
            slug=f"p-{n}",
            name=f"Item {(n * 7) % 15:02d}",
            category=category,
            tags=tags,
            is_active=n != 14,
        )
        Product.objects.filter(pk=product.pk).update(
            created_at=start + timedelta(hours=n % 4)  # ties on created_at
        )
        VariantFactory(product=product, price=10 + n % 5, stock=stock)
    return {"home": home, "lamps": lamps, "garden": garden}


def every_page(filters: ProductFilters, sort: str) -> list[str]:
    slugs: list[str] = []
    cursor = None
    while True:
        page = listed_products(filters, sort=sort, limit=2, cursor=cursor)
        slugs += [row.slug for row in page.rows]
        if page.next is None:
            return slugs
        cursor = page.next


def expected(filters: ProductFilters, sort: str) -> list[str]:
    qs = Product.objects.filter(is_active=True)
    if filters.category:
        root = Category.objects.get(slug=filters.category)
        qs = qs.filter(category__path__descendant_of=root.path)
    for tag in filters.tags:
        qs = qs.filter(tags__contains=[tag])
    if filters.any_tags:
        qs = qs.filter(tags__overlap=list(filters.any_tags))
    if filters.in_stock:
        qs = qs.filter(summary__has_stock=True)
    order = {
        "newest": ["-created_at", "-id"],
        "name": ["name", "id"],
        "price": ["summary__price_min", "id"],
        "-price": ["-summary__price_min", "-id"],
    }[sort]
    return list(qs.order_by(*order).values_list("slug", flat=True))


def test_the_bound_is_the_kept_count_of_the_rarest_tag_in_the_subtree(shop):
    assert tag_bound(ProductFilters(category="home", tags=["gift"])) == 6
    # A bound, not a count: six carry each tag, three carry both.
    assert tag_bound(ProductFilters(category="home", tags=["gift", "eco"])) == 6
    assert tag_bound(ProductFilters(category="lamps", tags=["eco"])) == 3
    assert tag_bound(ProductFilters(category="home", tags=["sale"])) == 0
    assert tag_bound(ProductFilters(category="home", tags=["nope"])) == 0
    # In stock only: the kept in-stock counts.
    assert (
        tag_bound(ProductFilters(category="lamps", tags=["gift"], in_stock=True)) == 3
    )
    # Any of several tags: at most the sum of their counts; with tags all
    # wanted as well, the least of the two bounds.
    assert tag_bound(ProductFilters(category="home", any_tags=["gift", "eco"])) == 12
    assert tag_bound(ProductFilters(category="lamps", any_tags=["eco", "eco"])) == 3
    assert tag_bound(ProductFilters(category="home", any_tags=["sale", "nope"])) == 0
    assert (
        tag_bound(ProductFilters(category="home", tags=["eco"], any_tags=["gift"])) == 6
    )
    assert (
        tag_bound(ProductFilters(category="home", tags=["gift"], any_tags=["sale"]))
        == 0
    )
    # Nothing to bound without both, or for an unknown category.
    assert tag_bound(ProductFilters(tags=["gift"])) is None
    assert tag_bound(ProductFilters(category="home")) is None
    assert tag_bound(ProductFilters(category="nowhere", tags=["gift"])) is None
    assert tag_bound(ProductFilters(any_tags=["gift"])) is None


@pytest.mark.parametrize("sort", SORTS)
def test_every_category_and_tag_pair_pages_through_exactly_its_matches(shop, sort):
    for category, tags, in_stock in itertools.product(
        ["home", "lamps", "garden"],
        [["gift"], ["eco"], ["sale"], ["gift", "eco"], ["gift", "sale"], ["none"]],
        [None, True],
    ):
        filters = ProductFilters(category=category, tags=tags, in_stock=in_stock)
        assert every_page(filters, sort) == expected(filters, sort), filters
        offered = ProductFilters(category=category, any_tags=tags, in_stock=in_stock)
        assert every_page(offered, sort) == expected(offered, sort), offered


@pytest.mark.parametrize(
    "filters",
    [
        ProductFilters(category="garden", tags=["eco"]),
        ProductFilters(category="garden", any_tags=["eco", "none"]),
    ],
    ids=["all-of", "any-of"],
)
def test_a_pair_no_product_has_costs_no_product_query(shop, client, filters):

    with CaptureQueriesContext(connection) as captured:
        page = listed_products(filters, sort="newest", limit=20, cursor=None)
        counted = facets(filters)

    assert page.rows == []
    assert page.next is None
    assert counted["total"] == 0
    assert counted["tags"] == []
    assert not [q for q in captured if '"catalog_product"' in q["sql"]]
    wanted = "tag=eco" if filters.tags else "any_tag=eco&any_tag=none"
    body = client.get(f"/api/v1/products?category=garden&{wanted}").json()
    assert body["items"] == []
    searched = client.get(f"/api/v1/products?category=garden&{wanted}&q=item")
    assert searched.status_code == 200
    assert searched.json()["items"] == []


def test_an_unknown_category_with_a_tag_is_still_refused(shop, api):
    with pytest.raises(UnknownCategory):
        listed_products(
            ProductFilters(category="nowhere", tags=["gift"]),
            sort=None,
            limit=20,
            cursor=None,
        )
    assert api.get("/api/v1/products?category=nowhere&tag=gift").status == 422


def captured_list_sql(filters: ProductFilters, sort: str) -> str:
    with CaptureQueriesContext(connection) as captured:
        listed_products(filters, sort=sort, limit=20, cursor=None)
    return captured.captured_queries[-1]["sql"]


def explain_without_sorting(sql: str) -> str:
    """The plan with sorts discouraged: an index that serves the order is
    walked if there is one."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_sort")
    return plan


@pytest.mark.parametrize(
    ("sort", "index"),
    [("newest", "catalog_product_newest"), ("name", "catalog_product_name")],
)
def test_few_matches_are_sorted_not_found_by_an_ordered_walk(shop, sort, index):
    few = captured_list_sql(ProductFilters(category="home", tags=["eco"]), sort)
    unbounded = captured_list_sql(ProductFilters(tags=["eco"]), sort)

    # Without a bound the order is one an index serves; with few matches
    # no index serves it, so however the planner weighs the filters it
    # finds the matches first and sorts them.
    assert index in explain_without_sorting(unbounded)
    plan = explain_without_sorting(few)
    assert index not in plan
    assert "Sort" in plan


def test_a_cursor_of_the_ordered_walk_goes_on_in_the_bounded_order(shop):
    # Cursors hold the same values either way: a page link made before the
    # pair became rare still works after.
    wide = ProductFilters(tags=["gift"])
    first = listed_products(wide, sort="newest", limit=2, cursor=None)
    narrow = ProductFilters(category="home", tags=["gift"])

    rest = listed_products(narrow, sort="newest", limit=20, cursor=first.next)

    keys = {
        slug: (created_at, pk)
        for slug, created_at, pk in Product.objects.values_list(
            "slug", "created_at", "pk"
        )
    }
    last = first.rows[-1]
    newer_or_same = {row.slug for row in first.rows}
    assert [row.slug for row in rest.rows] == [
        slug
        for slug in expected(narrow, "newest")
        if slug not in newer_or_same and keys[slug] < (last.created_at, last.pk)
    ]
