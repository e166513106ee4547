from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from pantry.catalog.models import Category, Product, Promotion, Variant
from tests.catalog.conftest import Shop
from tests.helpers import assert_error


def new_product(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Kestrel 14 Laptop",
        "description": "Small and fast.",
        "category": "laptops",
        "tags": [" Laptop ", "ELECTRONICS", "laptop"],
        "specs": {"screen": {"resolution": "2880x1800", "size_in": 14}},
        "attributes": {"brand": "Kestrel"},
        "variants": [
            {
                "sku": "KES14-1",
                "price": "1199.00",
                "stock": 4,
                "options": {"ram": "16GB"},
            },
            {"sku": "KES14-2", "price": 1399, "currency": "USD"},
        ],
        **overrides,
    }


def snapshot() -> tuple[int, int, int, int]:
    return (
        Product.objects.count(),
        Variant.objects.count(),
        Category.objects.count(),
        Promotion.objects.count(),
    )


def test_staff_creates_a_product_with_variants(api, shop: Shop, staff_token):
    response = api.post("products", new_product(), token=staff_token)

    assert response.status == 201, response.body
    body = response.body
    assert body["slug"] == "kestrel-14-laptop"
    assert body["tags"] == ["laptop", "electronics"]
    assert body["category"]["path"] == ["electronics", "computers", "laptops"]
    assert body["price"] == {"min": "1199.00", "max": "1399.00", "currency": "EUR"}
    assert [
        (v["sku"], v["price"], v["currency"], v["stock"]) for v in body["variants"]
    ] == [
        ("KES14-1", "1199.00", "EUR", 4),
        ("KES14-2", "1399.00", "USD", 0),
    ]
    assert api.get("products/kestrel-14-laptop").body == body


def test_writes_need_a_staff_token(api, shop: Shop):
    before = snapshot()

    assert_error(api.post("products", new_product()), 401, "unauthorized")
    assert_error(api.delete("products/iron-pan"), 401, "unauthorized")
    assert_error(api.patch("variants/PAN-1", {"stock": 1}), 401, "unauthorized")
    assert_error(
        api.post("categories", {"slug": "x", "name": "X"}), 401, "unauthorized"
    )
    assert snapshot() == before


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"slug": "iron-pan"}, 409, "slug_taken"),
        ({"name": "Iron Pan"}, 409, "slug_taken"),
        ({"variants": [{"sku": "PAN-1", "price": "1.00"}]}, 409, "sku_taken"),
        ({"category": "nowhere"}, 422, "unknown_category"),
        ({"tags": ["x" * 51]}, 422, "validation_error"),
        ({"tags": ["  "]}, 422, "validation_error"),
        ({"tags": "laptop"}, 422, "validation_error"),
        ({"specs": ["not", "an", "object"]}, 422, "validation_error"),
        ({"specs": "text"}, 422, "validation_error"),
        ({"attributes": {"brand": {"nested": "no"}}}, 422, "validation_error"),
        ({"attributes": {"weight": 3}}, 422, "validation_error"),
        ({"variants": [{"sku": "N-1", "price": "-1.00"}]}, 422, "validation_error"),
        (
            {"variants": [{"sku": "N-1", "price": "1.00", "stock": -1}]},
            422,
            "validation_error",
        ),
        ({"variants": [{"sku": "N-1", "price": "1.005"}]}, 422, "validation_error"),
        ({"variants": [{"sku": "N-1", "price": "NaN"}]}, 422, "validation_error"),
        (
            {"variants": [{"sku": "N-1", "price": "1", "stock": 2**40}]},
            422,
            "validation_error",
        ),
        ({"variants": [{"sku": "N 1", "price": "1"}]}, 422, "validation_error"),
        (
            {"variants": [{"sku": "N-1", "price": "1", "currency": "euro"}]},
            422,
            "validation_error",
        ),
        (
            {"variants": [{"sku": "N-1", "price": "1"}, {"sku": "N-1", "price": "2"}]},
            422,
            "validation_error",
        ),
        ({"name": ""}, 422, "validation_error"),
        ({"name": "a\x00b"}, 422, "validation_error"),
        ({"specs": {"k": "\x00"}}, 422, "validation_error"),
        ({"slug": "has space"}, 422, "validation_error"),
        ({"name": "!!!"}, 422, "validation_error"),
        ({"category": "lap\u0000tops"}, 422, "validation_error"),
        ({"variants": [{"sku": "N\u00001", "price": "1"}]}, 422, "validation_error"),
    ],
)
def test_bad_products_are_refused_and_nothing_is_written(
    api, shop, staff_token, overrides, status, code
):
    before = snapshot()

    response = api.post("products", new_product(**overrides), token=staff_token)

    assert_error(response, status, code)
    assert snapshot() == before


def test_a_taken_sku_names_the_sku(api, shop: Shop, staff_token):
    payload = new_product(
        variants=[{"sku": "NEW-1", "price": "1"}, {"sku": "PAN-1", "price": "1"}]
    )

    body = assert_error(
        api.post("products", payload, token=staff_token), 409, "sku_taken"
    )

    assert body["sku"] == "PAN-1"
    assert not Product.objects.filter(slug="kestrel-14-laptop").exists()
    assert not Variant.objects.filter(sku="NEW-1").exists()


@pytest.mark.parametrize(
    "raw",
    ['{"name": ', "[1, 2", "not json", '{"name": "x"} trailing'],
)
def test_malformed_json_is_400(api, shop, staff_token, raw):
    before = snapshot()

    assert_error(
        api.post("products", raw=raw, token=staff_token), 400, "malformed_json"
    )
    assert snapshot() == before


def test_a_json_array_body_is_refused(api, shop, staff_token):
    response = api.post("products", [new_product()], token=staff_token)

    assert response.status in (400, 422)
    assert not Product.objects.filter(slug="kestrel-14-laptop").exists()


def test_patch_changes_only_the_given_fields(api, shop: Shop, staff_token):
    response = api.patch(
        "products/iron-pan",
        {"name": "Iron Skillet", "tags": ["Kitchen", "Cast-Iron"]},
        token=staff_token,
    )

    assert response.status == 200, response.body
    assert response.body["name"] == "Iron Skillet"
    assert response.body["tags"] == ["kitchen", "cast-iron"]
    assert response.body["description"] == "Cast iron frying pan."
    assert response.body["specs"] == {"material": "iron"}


def test_patch_with_variants_replaces_the_set_by_sku(api, shop: Shop, staff_token):
    response = api.patch(
        "products/aurora-15-laptop",
        {
            "variants": [
                {"sku": "AUR15-8-256", "price": "850.00", "stock": 1},
                {"sku": "AUR15-32-1T", "price": "1500.00"},
            ]
        },
        token=staff_token,
    )

    assert response.status == 200, response.body
    assert [(v["sku"], v["price"]) for v in response.body["variants"]] == [
        ("AUR15-8-256", "850.00"),
        ("AUR15-32-1T", "1500.00"),
    ]
    assert not Variant.objects.filter(sku="AUR15-16-512").exists()
    assert response.body["price"] == {
        "min": "850.00",
        "max": "1500.00",
        "currency": "EUR",
    }


def test_patch_can_rename_the_slug(api, shop: Shop, staff_token):
    response = api.patch("products/iron-pan", {"slug": "skillet"}, token=staff_token)

    assert response.status == 200
    assert api.get("products/skillet").status == 200
    assert api.get("products/iron-pan").status == 404


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"slug": "echo-headphones"}, 409, "slug_taken"),
        ({"category": "nowhere"}, 422, "unknown_category"),
        ({"name": None}, 422, "validation_error"),
        ({"specs": [1]}, 422, "validation_error"),
        ({"tags": ["y" * 60]}, 422, "validation_error"),
        ({"variants": [{"sku": "ECHO-1", "price": "1"}]}, 409, "sku_taken"),
        ({"variants": [{"sku": "PAN-1", "price": "-5"}]}, 422, "validation_error"),
    ],
)
def test_bad_patches_are_refused_and_nothing_changes(
    api, shop, staff_token, payload, status, code
):
    before = api.get("products/iron-pan").body

    assert_error(
        api.patch("products/iron-pan", payload, token=staff_token), status, code
    )
    assert api.get("products/iron-pan").body == before


def test_patch_of_an_unknown_product_is_404(api, shop, staff_token):
    assert_error(
        api.patch("products/nope", {"name": "x"}, token=staff_token), 404, "not_found"
    )


def test_delete_removes_the_product_with_variants_and_promotions(
    api, shop, staff_token
):
    response = api.delete("products/aurora-15-laptop", token=staff_token)

    assert response.status == 204
    assert not Product.objects.filter(slug="aurora-15-laptop").exists()
    assert not Variant.objects.filter(sku__startswith="AUR15").exists()
    assert not Promotion.objects.filter(product_id=shop.aurora.pk).exists()
    assert_error(
        api.delete("products/aurora-15-laptop", token=staff_token), 404, "not_found"
    )


def test_patch_variant_changes_any_subset(api, shop: Shop, staff_token):
    response = api.patch("variants/AUR15-8-256", {"stock": 0}, token=staff_token)

    assert response.status == 200, response.body
    assert response.body == {
        "sku": "AUR15-8-256",
        "price": "899.00",
        "effective_price": "809.10",
        "currency": "EUR",
        "stock": 0,
        "options": {"ram": "8GB", "disk": "256GB"},
    }
    assert (
        api.get("products", {"in_stock": "true", "tag": "laptop"}).body["items"] == []
    )


@pytest.mark.parametrize(
    "payload",
    [
        {"stock": -1},
        {"price": "-0.01"},
        {"price": None},
        {"options": "x"},
        {"stock": "lots"},
    ],
)
def test_bad_variant_patches_are_refused(api, shop, staff_token, payload):
    assert_error(
        api.patch("variants/PAN-1", payload, token=staff_token), 422, "validation_error"
    )
    variant = Variant.objects.get(sku="PAN-1")
    assert (variant.price, variant.stock) == (Decimal("30.00"), 1)


def test_patch_of_an_unknown_variant_is_404(api, shop, staff_token):
    assert_error(
        api.patch("variants/NOPE", {"stock": 1}, token=staff_token), 404, "not_found"
    )


def test_categories_form_a_tree(api, shop: Shop, staff_token):
    response = api.post(
        "categories",
        {"slug": "ultrabooks", "name": "Ultrabooks", "parent": "laptops"},
        token=staff_token,
    )

    assert response.status == 201, response.body
    assert response.body["path"] == [
        "electronics",
        "computers",
        "laptops",
        "ultrabooks",
    ]
    tree = api.get("categories").body
    assert tree == [
        {
            "slug": "electronics",
            "name": "Electronics",
            "children": [
                {"slug": "audio", "name": "Audio", "children": []},
                {
                    "slug": "computers",
                    "name": "Computers",
                    "children": [
                        {
                            "slug": "laptops",
                            "name": "Laptops",
                            "children": [
                                {
                                    "slug": "ultrabooks",
                                    "name": "Ultrabooks",
                                    "children": [],
                                },
                            ],
                        },
                    ],
                },
            ],
        },
        {"slug": "kitchen", "name": "Kitchen", "children": []},
    ]
    assert (
        Category.objects.get(slug="ultrabooks").path
        == "electronics.computers.laptops.ultrabooks"
    )


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"slug": "kitchen", "name": "Again"}, 409, "slug_taken"),
        ({"slug": "x", "name": "X", "parent": "nowhere"}, 422, "unknown_category"),
        ({"slug": "a.b", "name": "Dots"}, 422, "validation_error"),
        ({"slug": "", "name": "Empty"}, 422, "validation_error"),
        ({"slug": "ok"}, 422, "validation_error"),
        ({"slug": "x", "name": "X", "parent": "a\u0000"}, 422, "validation_error"),
    ],
)
def test_bad_categories_are_refused(api, shop, staff_token, payload, status, code):
    before = snapshot()

    assert_error(api.post("categories", payload, token=staff_token), status, code)
    assert snapshot() == before


def test_promotion_applies_to_effective_prices(api, shop: Shop, staff_token):
    response = api.post(
        "products/echo-headphones/promotions",
        {
            "percent_off": "25",
            "starts_at": "2000-01-01T00:00:00Z",
            "ends_at": "2100-01-01T00:00:00Z",
        },
        token=staff_token,
    )

    assert response.status == 201, response.body
    assert response.body["percent_off"] == "25.00"
    variants = api.get("products/echo-headphones").body["variants"]
    assert variants[0]["effective_price"] == "74.25"


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        # aurora already has a promotion from yesterday to tomorrow.
        (
            {
                "percent_off": "5",
                "starts_at": "2000-01-01T00:00:00Z",
                "ends_at": "2100-01-01T00:00:00Z",
            },
            409,
            "promotion_overlap",
        ),
        (
            {
                "percent_off": "5",
                "starts_at": "2100-01-02T00:00:00Z",
                "ends_at": "2100-01-01T00:00:00Z",
            },
            422,
            "validation_error",
        ),
        (
            {
                "percent_off": "5",
                "starts_at": "2100-01-01T00:00:00Z",
                "ends_at": "2100-01-01T00:00:00Z",
            },
            422,
            "validation_error",
        ),
        (
            {
                "percent_off": "0",
                "starts_at": "2100-01-01T00:00:00Z",
                "ends_at": "2100-01-02T00:00:00Z",
            },
            422,
            "validation_error",
        ),
        (
            {
                "percent_off": "101",
                "starts_at": "2100-01-01T00:00:00Z",
                "ends_at": "2100-01-02T00:00:00Z",
            },
            422,
            "validation_error",
        ),
        (
            {
                "percent_off": "5",
                "starts_at": "2100-01-01T00:00:00",
                "ends_at": "2100-01-02T00:00:00Z",
            },
            422,
            "validation_error",
        ),
        (
            {
                "percent_off": "5",
                "starts_at": "soon",
                "ends_at": "2100-01-02T00:00:00Z",
            },
            422,
            "validation_error",
        ),
    ],
)
def test_bad_promotions_are_refused(api, shop, staff_token, payload, status, code):
    before = snapshot()

    assert_error(
        api.post("products/aurora-15-laptop/promotions", payload, token=staff_token),
        status,
        code,
    )
    assert snapshot() == before


def test_promotion_of_an_unknown_product_is_404(api, shop, staff_token):
    payload = {
        "percent_off": "5",
        "starts_at": "2100-01-01T00:00:00Z",
        "ends_at": "2100-01-02T00:00:00Z",
    }

    assert_error(
        api.post("products/nope/promotions", payload, token=staff_token),
        404,
        "not_found",
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "products/a%00b"),
        ("patch", "products/a%00b"),
        ("delete", "products/a%00b"),
        ("patch", "variants/A%00B"),
        ("post", "products/a%00b/promotions"),
    ],
)
def test_path_keys_postgresql_cannot_hold_are_404(api, shop, staff_token, method, path):
    payload = {
        "patch": {"stock": 1},
        "post": {
            "percent_off": "5",
            "starts_at": "2100-01-01T00:00:00Z",
            "ends_at": "2100-01-02T00:00:00Z",
        },
    }
    kwargs = {"data": payload[method]} if method in payload else {}
    if method != "get":
        kwargs["token"] = staff_token

    assert_error(getattr(api, method)(path, **kwargs), 404, "not_found")
