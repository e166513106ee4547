from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from pantry.catalog import queries
from pantry.catalog.models import Product
from tests.catalog.conftest import Shop
from tests.factories import ProductFactory, VariantFactory
from tests.helpers import assert_error

NEWEST = [
    "bare-spoon",
    "iron-pan",
    "echo-headphones",
    "nimbus-pro-ultrabook",
    "aurora-15-laptop",
]


def slugs(api: Any, **params: Any) -> list[str]:
    response = api.get("products", {"limit": 100, **params})
    assert response.status == 200, response.body
    return [item["slug"] for item in response.body["items"]]


def test_product_json_has_the_shape_of_api_md(api, shop: Shop):
    response = api.get("products/aurora-15-laptop")

    assert response.status == 200
    body = response.body
    assert body["id"] == shop.aurora.pk
    assert body["slug"] == "aurora-15-laptop"
    assert body["name"] == "Aurora 15 Laptop"
    assert body["description"] == "A light laptop for travel."
    assert body["tags"] == ["electronics", "laptop"]
    assert body["specs"] == {"screen": {"resolution": "1920x1080", "size_in": 15.6}}
    assert body["attributes"] == {"brand": "Aurora"}
    assert body["category"] == {
        "slug": "laptops",
        "name": "Laptops",
        "path": ["electronics", "computers", "laptops"],
    }
    assert body["price"] == {"min": "899.00", "max": "1099.00", "currency": "EUR"}
    assert body["variants"] == [
        {
            "sku": "AUR15-8-256",
            "price": "899.00",
            "effective_price": "809.10",
            "currency": "EUR",
            "stock": 12,
            "options": {"ram": "8GB", "disk": "256GB"},
        },
        {
            "sku": "AUR15-16-512",
            "price": "1099.00",
            "effective_price": "989.10",
            "currency": "EUR",
            "stock": 0,
            "options": {"ram": "16GB", "disk": "512GB"},
        },
    ]
    created = datetime.fromisoformat(body["created_at"])
    # Shown to the millisecond.
    assert abs(created - shop.aurora.created_at) < timedelta(milliseconds=1)
    assert created.utcoffset() == timedelta(0)
    assert datetime.fromisoformat(body["updated_at"]).utcoffset() == timedelta(0)


def test_unknown_product_is_404(api, db):
    assert_error(api.get("products/nope"), 404, "not_found")


def test_inactive_products_are_hidden_from_lists_and_detail(api, shop: Shop):
    Product.objects.filter(pk=shop.pan.pk).update(is_active=False)

    assert "iron-pan" not in slugs(api)
    assert_error(api.get("products/iron-pan"), 404, "not_found")


def test_default_order_is_newest_first(api, shop: Shop):
    assert slugs(api) == NEWEST


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"tag": "laptop"}, ["nimbus-pro-ultrabook", "aurora-15-laptop"]),
        ({"tag": ["laptop", "sale"]}, ["nimbus-pro-ultrabook"]),
        ({"tag": " LAPTOP "}, ["nimbus-pro-ultrabook", "aurora-15-laptop"]),
        (
            {"any_tag": ["audio", "kitchen"]},
            ["bare-spoon", "iron-pan", "echo-headphones"],
        ),
        ({"any_tag": ["audio", "none"]}, ["echo-headphones"]),
        (
            {"category": "electronics"},
            ["echo-headphones", "nimbus-pro-ultrabook", "aurora-15-laptop"],
        ),
        ({"category": "laptops"}, ["nimbus-pro-ultrabook", "aurora-15-laptop"]),
        ({"category": "audio"}, ["echo-headphones"]),
        ({"spec.screen.resolution": "1920x1080"}, ["aurora-15-laptop"]),
        ({"spec.screen.size_in": "15.6"}, ["aurora-15-laptop"]),
        ({"spec.screen.size_in": "14"}, ["nimbus-pro-ultrabook"]),
        ({"spec.audio.wireless": "true"}, ["echo-headphones"]),
        ({"spec.audio.wireless": "false"}, []),
        ({"spec.material": "iron"}, ["iron-pan"]),
        ({"spec.screen": "1920x1080"}, []),
        ({"spec.screen.size_in": "1" * 5000}, []),
        ({"spec.screen.size_in": "1e999"}, []),
        ({"attr.brand": "Aurora"}, ["aurora-15-laptop"]),
        ({"attr.brand": "aurora"}, []),
        ({"attr.brand": "Sonora", "attr.colour": "black"}, ["echo-headphones"]),
        ({"attr.brand": "Sonora", "attr.colour": "white"}, []),
        ({"in_stock": "true"}, ["iron-pan", "echo-headphones", "aurora-15-laptop"]),
        ({"in_stock": "false"}, ["bare-spoon", "nimbus-pro-ultrabook"]),
        ({"in_stock": "on"}, ["iron-pan", "echo-headphones", "aurora-15-laptop"]),
        ({"q": "laptop"}, ["aurora-15-laptop", "nimbus-pro-ultrabook"]),
        ({"q": "frying"}, ["iron-pan"]),
        ({"q": '"cast iron" -laptop'}, ["iron-pan"]),
        ({"q": "   "}, NEWEST),
    ],
)
def test_each_filter_selects_exactly_its_products(api, shop, params, expected):
    assert slugs(api, **params) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        # Effective prices: aurora 809.10 and 989.10 (10% off now), nimbus
        # 1299.00, echo 99.00, pan 30.00 (its 50% starts in five days).
        ({"max_price": "850"}, ["iron-pan", "echo-headphones", "aurora-15-laptop"]),
        ({"min_price": "850", "max_price": "900"}, []),
        ({"min_price": "809.10", "max_price": "809.10"}, ["aurora-15-laptop"]),
        ({"min_price": "809.11", "max_price": "989.09"}, []),
        ({"min_price": "809.101", "max_price": "810"}, []),
        ({"min_price": "809.09", "max_price": "809.109"}, ["aurora-15-laptop"]),
        ({"min_price": "0", "max_price": "30"}, ["iron-pan"]),
        ({"min_price": "1000"}, ["nimbus-pro-ultrabook"]),
        ({"max_price": "20"}, []),
        ({"min_price": "30", "max_price": "99"}, ["iron-pan", "echo-headphones"]),
        ({"min_price": "100", "max_price": "10"}, []),
    ],
)
def test_price_range_uses_the_effective_price_of_now(api, shop, params, expected):
    assert slugs(api, **params) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"tag": "electronics", "in_stock": "true"},
            ["echo-headphones", "aurora-15-laptop"],
        ),
        ({"category": "laptops", "max_price": "1000"}, ["aurora-15-laptop"]),
        ({"category": "electronics", "attr.brand": "Nimbus"}, ["nimbus-pro-ultrabook"]),
        (
            {"attr.brand": "Aurora", "spec.screen.resolution": "1920x1080"},
            ["aurora-15-laptop"],
        ),
        ({"q": "laptop", "in_stock": "true"}, ["aurora-15-laptop"]),
        ({"any_tag": ["kitchen", "audio"], "min_price": "50"}, ["echo-headphones"]),
        (
            {"tag": "laptop", "sort": "-price"},
            ["nimbus-pro-ultrabook", "aurora-15-laptop"],
        ),
        (
            {"category": "electronics", "sort": "name"},
            ["aurora-15-laptop", "echo-headphones", "nimbus-pro-ultrabook"],
        ),
    ],
)
def test_filters_combine_with_and(api, shop, params, expected):
    assert slugs(api, **params) == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("newest", NEWEST),
        (
            "name",
            [
                "aurora-15-laptop",
                "bare-spoon",
                "echo-headphones",
                "iron-pan",
                "nimbus-pro-ultrabook",
            ],
        ),
        # Products without variants have no price and are left out.
        (
            "price",
            ["iron-pan", "echo-headphones", "aurora-15-laptop", "nimbus-pro-ultrabook"],
        ),
        (
            "-price",
            ["nimbus-pro-ultrabook", "aurora-15-laptop", "echo-headphones", "iron-pan"],
        ),
        ("relevance", NEWEST),
    ],
)
def test_each_sort_orders_the_list(api, shop, sort, expected):
    assert slugs(api, sort=sort) == expected


def test_relevance_is_the_default_order_with_q(api, shop: Shop):
    ProductFactory(
        slug="laptop-laptop-bag",
        name="Laptop Bag",
        description="A laptop bag for any laptop.",
        tags=["laptop"],
    )

    assert slugs(api, q="laptop")[0] == "laptop-laptop-bag"
    assert slugs(api, q="laptop", sort="newest")[0] == "laptop-laptop-bag"
    assert slugs(api, q="laptop", sort="name") == [
        "aurora-15-laptop",
        "laptop-laptop-bag",
        "nimbus-pro-ultrabook",
    ]


def test_relevance_ranks_the_newest_matches_up_to_the_bound(api, shop, monkeypatch):
    from pantry.catalog.queries import rows

    monkeypatch.setattr(rows, "RANKED_MATCHES", 2)
    ProductFactory(slug="laptop-laptop-bag", name="Laptop Bag", tags=["laptop"])

    # Three match; the two newest are ranked (the bag, the better match,
    # first) and the list ends there; newest order still has all three.
    ranked = ["laptop-laptop-bag", "nimbus-pro-ultrabook"]
    assert slugs(api, q="laptop") == ranked
    assert walk(api, q="laptop") == ranked
    assert "aurora-15-laptop" in slugs(api, q="laptop", sort="newest")


def walk(api: Any, **params: Any) -> list[str]:
    seen: list[str] = []
    cursor = None
    for _ in range(50):
        query = {"limit": 2, **params, **({"cursor": cursor} if cursor else {})}
        response = api.get("products", query)
        assert response.status == 200, response.body
        seen += [item["slug"] for item in response.body["items"]]
        cursor = response.body["next"]
        if cursor is None:
            return seen
    raise AssertionError("pagination does not end")


@pytest.mark.parametrize("sort", ["newest", "name", "price", "-price", "relevance"])
def test_cursor_pages_cover_the_list_exactly_once(api, shop, sort):
    assert walk(api, sort=sort) == slugs(api, sort=sort)


def test_cursor_pagination_is_stable_under_inserts(api, shop: Shop):
    first = api.get("products", {"limit": 2})
    ProductFactory(slug="brand-new")
    VariantFactory(product__slug="cheapest", price=Decimal("0.50"))

    rest = api.get("products", {"limit": 10, "cursor": first.body["next"]})

    assert [i["slug"] for i in first.body["items"]] == NEWEST[:2]
    assert [i["slug"] for i in rest.body["items"]] == NEWEST[2:]


def test_price_cursor_is_stable_under_inserts(api, shop: Shop):
    first = api.get("products", {"limit": 2, "sort": "price"})
    VariantFactory(product__slug="cheapest", price=Decimal("0.50"))

    rest = api.get(
        "products", {"limit": 10, "sort": "price", "cursor": first.body["next"]}
    )

    assert [i["slug"] for i in rest.body["items"]] == [
        "aurora-15-laptop",
        "nimbus-pro-ultrabook",
    ]


def test_a_cursor_of_one_sort_is_refused_by_another(api, shop: Shop):
    cursor = api.get("products", {"limit": 1, "sort": "name"}).body["next"]

    assert_error(
        api.get("products", {"sort": "price", "cursor": cursor}), 400, "bad_cursor"
    )


def test_hostile_spec_paths_and_attr_keys_are_data(api, shop: Shop):
    odd_key = "a'b\"c[0] ü; DROP TABLE catalog_product; --"
    ProductFactory(
        slug="odd",
        specs={odd_key: {"x y": "it's"}},
        attributes={odd_key: "v'1"},
    )

    assert slugs(api, **{f"spec.{odd_key}.x y": "it's"}) == ["odd"]
    assert slugs(api, **{f"attr.{odd_key}": "v'1"}) == ["odd"]
    assert slugs(api, **{"spec.'; DROP TABLE catalog_product; --": "1"}) == []
    assert slugs(api, **{'attr."); DELETE FROM catalog_variant; --': "x"}) == []
    assert slugs(api, **{"spec.$.screen[*]": "1920x1080"}) == []
    assert slugs(api, **{"spec.screen..resolution": "1920x1080"}) == []
    assert Product.objects.count() == 6


UNKNOWN_VALID = (
    "q, tag, any_tag, category, min_price, max_price, in_stock, sort, limit,"
    " cursor, spec.<path>, attr.<key>"
)
FACET_VALID = (
    "q, tag, any_tag, category, min_price, max_price, in_stock, spec.<path>, attr.<key>"
)
NOT_A_PRICE = "{} must be a non-negative decimal number."
BAD_LIST_PARAMETERS = [
    (
        {"colour": "red"},
        400,
        "bad_request",
        f"Unknown parameter 'colour'; valid parameters are: {UNKNOWN_VALID}.",
        {"colour": "unknown parameter"},
    ),
    (
        {"limit": "0"},
        400,
        "bad_request",
        "limit must be between 1 and 100.",
        {"limit": "out of range"},
    ),
    (
        {"limit": "10000"},
        400,
        "bad_request",
        "limit must be between 1 and 100.",
        {"limit": "out of range"},
    ),
    (
        {"limit": "many"},
        400,
        "bad_request",
        "limit must be an integer.",
        {"limit": "not an integer"},
    ),
    (
        {"limit": "1.5"},
        400,
        "bad_request",
        "limit must be an integer.",
        {"limit": "not an integer"},
    ),
    (
        {"cursor": "not-a-cursor"},
        400,
        "bad_cursor",
        "The cursor is not valid; start again without it.",
        None,
    ),
    (
        {"cursor": "x" * 5000},
        400,
        "bad_cursor",
        "The cursor is not valid; start again without it.",
        None,
    ),
    (
        {"sort": "popular"},
        400,
        "bad_request",
        "sort must be one of: relevance, newest, price, -price, name.",
        {"sort": "unknown sort"},
    ),
    (
        {"min_price": "-1"},
        400,
        "bad_request",
        NOT_A_PRICE.format("min_price"),
        {"min_price": "not a price"},
    ),
    (
        {"min_price": "1e13"},
        400,
        "bad_request",
        NOT_A_PRICE.format("min_price"),
        {"min_price": "not a price"},
    ),
    (
        {"max_price": "cheap"},
        400,
        "bad_request",
        NOT_A_PRICE.format("max_price"),
        {"max_price": "not a price"},
    ),
    (
        {"max_price": "NaN"},
        400,
        "bad_request",
        NOT_A_PRICE.format("max_price"),
        {"max_price": "not a price"},
    ),
    (
        {"in_stock": "maybe"},
        400,
        "bad_request",
        "in_stock must be true or false.",
        {"in_stock": "not a boolean"},
    ),
    (
        {"category": "nowhere"},
        422,
        "unknown_category",
        "No category has this slug.",
        {"category": "no such category"},
    ),
    (
        {"attr.brand": "\x00"},
        400,
        "bad_request",
        "The query parameter 'attr.brand' is not accepted.",
        {"attr.brand": "contains a character that is not accepted (U+0000)"},
    ),
    (
        {"spec.": "x"},
        400,
        "bad_request",
        "A spec filter needs a path of 1 to 200 characters.",
        {"spec.": "bad path"},
    ),
    (
        {"spec." + "a" * 201: "x"},
        400,
        "bad_request",
        "A spec filter needs a path of 1 to 200 characters.",
        {"spec." + "a" * 201: "bad path"},
    ),
    (
        {"tag": ["t"] * 21},
        400,
        "bad_request",
        "At most 20 tag values.",
        {"tag": "too many"},
    ),
    (
        {"any_tag": ["t"] * 21},
        400,
        "bad_request",
        "At most 20 any_tag values.",
        {"any_tag": "too many"},
    ),
    (
        {"spec.a": [str(n) for n in range(21)]},
        400,
        "bad_request",
        "At most 20 spec and attr filters.",
        None,
    ),
]


@pytest.mark.parametrize(
    ("params", "status", "code", "detail", "fields"), BAD_LIST_PARAMETERS
)
def test_bad_list_parameters_are_refused_with_a_message_naming_them(
    api, shop, params, status, code, detail, fields
):
    body = assert_error(api.get("products", params), status, code)

    assert body["detail"] == detail
    assert body.get("fields") == fields


@pytest.mark.parametrize(
    ("params", "status", "code", "detail", "fields"),
    [
        case
        for case in BAD_LIST_PARAMETERS
        if not {"limit", "sort", "cursor"} & set(case[0])
    ],
)
def test_bad_facet_parameters_are_refused_with_the_list_messages(
    api, shop, params, status, code, detail, fields
):
    body = assert_error(api.get("products/facets", params), status, code)

    assert body["detail"] == detail.replace(UNKNOWN_VALID, FACET_VALID)
    assert body.get("fields") == fields


def test_unknown_parameter_error_names_the_valid_ones(api, db):
    body = assert_error(api.get("products", {"colour": "red"}), 400, "bad_request")

    assert "'colour'" in body["detail"]
    for name in (
        "q",
        "tag",
        "any_tag",
        "category",
        "spec.<path>",
        "attr.<key>",
        "min_price",
        "max_price",
        "in_stock",
        "sort",
        "limit",
        "cursor",
    ):
        assert name in body["detail"]


@pytest.mark.parametrize("name", ["sort", "limit", "cursor"])
def test_facets_refuse_list_only_parameters(api, db, name):
    body = assert_error(api.get("products/facets", {name: "5"}), 400, "bad_request")

    assert body["detail"] == (
        f"Unknown parameter {name!r}; valid parameters are: {FACET_VALID}."
    )
    assert body["fields"] == {name: "unknown parameter"}


def test_price_filter_works_inside_a_subquery(shop: Shop):
    inner = queries.filtered_products(
        queries.ProductFilters(min_price=Decimal("800"), max_price=Decimal("850"))
    )

    outer = Product.objects.filter(pk__in=inner.values("pk")).values_list(
        "slug", flat=True
    )

    assert list(outer) == ["aurora-15-laptop"]
