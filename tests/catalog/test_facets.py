from __future__ import annotations

import pytest

from pantry.catalog.models import Product
from tests.catalog.conftest import Shop
from tests.helpers import assert_error


def test_facets_count_tags_categories_and_prices_of_everything(api, shop: Shop):
    response = api.get("products/facets")

    assert response.status == 200
    assert response.body == {
        "tags": [
            {"value": "electronics", "count": 3},
            {"value": "kitchen", "count": 2},
            {"value": "laptop", "count": 2},
            {"value": "audio", "count": 1},
            {"value": "sale", "count": 1},
        ],
        "categories": [
            {
                "slug": "electronics",
                "name": "Electronics",
                "path": ["electronics"],
                "count": 3,
            },
            {
                "slug": "audio",
                "name": "Audio",
                "path": ["electronics", "audio"],
                "count": 1,
            },
            {
                "slug": "computers",
                "name": "Computers",
                "path": ["electronics", "computers"],
                "count": 2,
            },
            {
                "slug": "laptops",
                "name": "Laptops",
                "path": ["electronics", "computers", "laptops"],
                "count": 2,
            },
            {"slug": "kitchen", "name": "Kitchen", "path": ["kitchen"], "count": 2},
        ],
        # Effective prices now: the pan's future promotion does not count.
        "price": {"min": "30.00", "max": "1299.00"},
        "in_stock": {"count": 3},
        "total": 5,
        "count_is_estimate": False,
    }


def test_facets_describe_only_the_filtered_set(api, shop: Shop):
    response = api.get("products/facets", {"tag": "laptop", "in_stock": "true"})

    assert response.body == {
        "tags": [{"value": "electronics", "count": 1}, {"value": "laptop", "count": 1}],
        "categories": [
            {
                "slug": "electronics",
                "name": "Electronics",
                "path": ["electronics"],
                "count": 1,
            },
            {
                "slug": "computers",
                "name": "Computers",
                "path": ["electronics", "computers"],
                "count": 1,
            },
            {
                "slug": "laptops",
                "name": "Laptops",
                "path": ["electronics", "computers", "laptops"],
                "count": 1,
            },
        ],
        "price": {"min": "809.10", "max": "989.10"},
        "in_stock": {"count": 1},
        "total": 1,
        "count_is_estimate": False,
    }


@pytest.mark.parametrize(
    "params",
    [
        {"tag": "nothing"},
        {"attr.brand": "Aurora", "attr.brand ": "x"},
        {"attr.brand": ["Aurora", "Nimbus"]},
    ],
)
def test_facets_of_an_empty_set_are_empty(api, shop, params):
    response = api.get("products/facets", params)

    assert response.status == 200, response.body
    assert response.body == {
        "tags": [],
        "categories": [],
        "price": {"min": None, "max": None},
        "in_stock": {"count": 0},
        "total": 0,
        "count_is_estimate": False,
    }


def test_facets_take_every_list_filter(api, shop: Shop):
    params = {
        "q": "laptop",
        "category": "electronics",
        "spec.screen.resolution": "1920x1080",
        "attr.brand": "Aurora",
        "any_tag": ["laptop", "x"],
        "min_price": "800",
        "max_price": "1000",
        "in_stock": "true",
    }

    response = api.get("products/facets", params)

    assert response.body["tags"] == [
        {"value": "electronics", "count": 1},
        {"value": "laptop", "count": 1},
    ]


def test_facets_ignore_inactive_products(api, shop: Shop):
    Product.objects.filter(slug__in=["iron-pan", "bare-spoon"]).update(is_active=False)

    slugs = [c["slug"] for c in api.get("products/facets").body["categories"]]

    assert "kitchen" not in slugs


def test_facets_refuse_unknown_parameters_and_categories(api, shop: Shop):
    assert_error(api.get("products/facets", {"sort": "name"}), 400, "bad_request")
    assert_error(api.get("products/facets", {"category": "x"}), 422, "unknown_category")
