"""The product list and category pages through Django's client."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from tests.factories import CategoryFactory, product_with_prices
from tests.helpers import assert_in_html, count_queries, tags


@pytest.fixture(autouse=True)
def fresh_facets():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def shelf(db):
    kitchen = CategoryFactory(slug="kitchen", name="Kitchen")
    kettles = CategoryFactory(slug="kettles", name="Kettles", parent=kitchen)
    garden = CategoryFactory(slug="garden", name="Garden")
    product_with_prices(
        "steel-kettle",
        in_category=kettles,
        prices=("40.00",),
        tags=["steel", "gift"],
        specs={"material": "steel", "power": {"watts": 2000}},
    )
    product_with_prices(
        "glass-kettle",
        in_category=kettles,
        prices=("60.00",),
        tags=["glass", "gift"],
        specs={"material": "glass", "power": {"watts": 2200}},
    )
    product_with_prices(
        "hose", in_category=garden, prices=("15.00",), tags=["gift"], stock=0
    )
    return kitchen


def names(html):
    return re.findall(r'<h3><a href="/products/([\w-]+)/">', html)


def test_list_shows_newest_first_with_tag_counts_and_categories(client, shelf):
    html = client.get("/products/").content.decode()

    assert names(html) == ["hose", "glass-kettle", "steel-kettle"]
    assert re.search(
        r'value="gift"\s*>\s*gift <span class="facet-count"[^>]*>3</span>', html
    )
    assert_in_html('<option value="kitchen">Kitchen (2)</option>', html)
    assert_in_html('<option value="kettles">\u2003Kettles (2)</option>', html)


def test_list_filters_by_tag_and_price_range_like_the_api(client, shelf):
    response = client.get(
        "/products/", {"tag": "gift", "min_price": "20", "max_price": "50"}
    )

    html = response.content.decode()
    assert names(html) == ["steel-kettle"]
    assert tags(html, "input", name="tag", value="gift", checked="")
    assert tags(
        html,
        "input",
        name="min_price",
        min="0",
        step="0.01",
        inputmode="decimal",
        value="20",
    )


def test_in_stock_and_sort_by_price(client, shelf):
    html = client.get(
        "/products/", {"in_stock": "true", "sort": "-price"}
    ).content.decode()

    assert names(html) == ["glass-kettle", "steel-kettle"]
    assert tags(html, "option", value="-price", selected="")


def test_category_page_lists_its_subtree_and_its_subcategories(client, shelf):
    response = client.get("/categories/kitchen/")

    html = response.content.decode()
    assert response.status_code == 200
    assert names(html) == ["glass-kettle", "steel-kettle"]
    assert_in_html(
        '<a href="/categories/kettles/">Kettles</a> <span class="facet-count">2</span>',
        html,
    )
    assert 'name="spec.' not in html


def test_category_without_subcategories_offers_spec_values(client, shelf):
    html = client.get("/categories/kettles/").content.decode()

    assert names(html) == ["glass-kettle", "steel-kettle"]
    assert tags(html, "select", id="spec-1", name="spec.material")
    assert_in_html('<option value="glass">glass (1)</option>', html)
    assert_in_html('<option value="2200">2200 (1)</option>', html)


def test_spec_values_past_the_bound_are_scaled_estimates(client, shelf, monkeypatch):
    from pantry.catalog.facets import specs

    # Counted over the first match only, then scaled to the two kettles.
    monkeypatch.setattr(specs, "SPEC_FACET_ROWS", 1)

    html = client.get("/categories/kettles/").content.decode()

    assert tags(html, "select", id="spec-1", name="spec.material")
    assert re.search(r"<option value=\"(glass|steel)\">\1 \(about 1\)</option>", html)


def test_a_priced_leaf_page_counts_spec_values_in_the_facets_pass(client, shelf):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        html = client.get("/categories/kettles/", {"min_price": "30"}).content.decode()

    assert names(html) == ["glass-kettle", "steel-kettle"]
    assert_in_html('<option value="2200">2200 (1)</option>', html)
    assert_in_html('<option value="steel">steel (1)</option>', html)
    [spec_statement] = [
        q["sql"] for q in captured.captured_queries if "jsonb_each" in q["sql"]
    ]
    assert "tag_counts" in spec_statement


def test_category_page_filters_by_a_spec_value(client, shelf):
    html = client.get(
        "/categories/kettles/", {"spec.power.watts": "2200"}
    ).content.decode()

    assert names(html) == ["glass-kettle"]
    assert_in_html('<option value="2200" selected>2200 (1)</option>', html)


def test_unknown_category_page_is_404(client, shelf):
    assert client.get("/categories/nothing/").status_code == 404


def test_bad_filter_values_are_dropped_with_a_message(client, shelf):
    response = client.get(
        "/products/",
        {"min_price": "cheap", "category": "nothing", "cursor": "forged", "sort": "x"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert names(html) == ["hose", "glass-kettle", "steel-kettle"]
    assert "Lowest price must be a number of 0 or more; it was ignored." in html
    assert "There is no such category; showing every category." in html
    assert "That page link was not valid; showing the first page." in html


def test_pagination_link_carries_filters_and_cursor(client, shelf, monkeypatch):
    from pantry.catalog import pages

    monkeypatch.setattr(pages, "LIST_SIZE", 1)

    html = client.get("/products/", {"tag": "gift", "sort": "price"}).content.decode()

    link = re.search(r'<a rel="next" href="\?([^"]+)">Next page</a>', html).group(1)
    assert link.startswith("tag=gift&amp;sort=price&amp;cursor=")
    second = client.get("/products/?" + link.replace("&amp;", "&")).content.decode()
    assert names(second) == ["steel-kettle"]
    assert_in_html('<a href="?tag=gift&amp;sort=price">First page</a>', second)


def test_htmx_request_gets_only_the_catalog_fragment(client, shelf):
    response = client.get(
        "/products/", {"tag": "glass"}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="catalog"')
    assert "<html" not in html
    assert names(html) == ["glass-kettle"]
    assert "HX-Request" in response["Vary"]


def test_list_queries_do_not_grow_with_the_page(client, shelf):
    from pantry.catalog import pages
    from pantry.catalog.models import Product

    counts = {}
    for size in (1, 100):
        cache.clear()
        Product.objects.all().delete()
        for index in range(size):
            product_with_prices(
                f"item-{index}", in_category=shelf, tags=["a", f"t{index}"]
            )
        counts[size] = count_queries(lambda: client.get("/products/", {"tag": "a"}))
    assert pages.LIST_SIZE < 100
    assert counts[1] == counts[100], counts


def test_category_page_queries_do_not_grow_with_the_page(client, shelf):
    from pantry.catalog.models import Category, Product

    kettles = Category.objects.get(slug="kettles")
    counts = {}
    for size in (1, 100):
        cache.clear()
        Product.objects.all().delete()
        for index in range(size):
            product_with_prices(
                f"item-{index}", in_category=kettles, specs={"size": str(index % 3)}
            )
        counts[size] = count_queries(lambda: client.get("/categories/kettles/"))
    assert counts[1] == counts[100], counts


def notes(html):
    return re.findall(r'<li class="message message-error">\s*(.*?)\s*</li>', html)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"min_price": "cheap"},
            ["Lowest price must be a number of 0 or more; it was ignored."],
        ),
        (
            {"max_price": "-3"},
            ["Highest price must be a number of 0 or more; it was ignored."],
        ),
        (
            {"min_price": "50", "max_price": "20"},
            ["The lowest price was above the highest; both were ignored."],
        ),
        (
            {"category": "nothing"},
            ["There is no such category; showing every category."],
        ),
        (
            {"cursor": "forged"},
            ["That page link was not valid; showing the first page."],
        ),
        (
            {"sort": "popular"},
            ["That sort order is unknown; the default order is used."],
        ),
        ({"in_stock": "maybe"}, ["In stock must be true or false; it was ignored."]),
        ({"spec.": "steel"}, ["A spec filter without a proper name was ignored."]),
        ({"tag": ["gift"] * 21}, ["Only the first 20 tags were used."]),
    ],
)
def test_each_bad_list_parameter_is_dropped_with_its_note(
    client, shelf, params, expected
):
    response = client.get("/products/", params)

    html = response.content.decode()
    assert response.status_code == 200
    assert notes(html) == expected
    assert names(html) == ["hose", "glass-kettle", "steel-kettle"]
