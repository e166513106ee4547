from __future__ import annotations

from decimal import Decimal

import pytest

from pantry.catalog.models import Category, Product
from tests.catalog.conftest import Shop


def listed(admin_client, **params) -> list[str]:
    response = admin_client.get("/admin/catalog/product/", params)
    assert response.status_code == 200
    return [p.slug for p in response.context["cl"].result_list]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"category": "electronics"},
            {"aurora-15-laptop", "nimbus-pro-ultrabook", "echo-headphones"},
        ),
        ({"tag": "laptop"}, {"aurora-15-laptop", "nimbus-pro-ultrabook"}),
        ({"in_stock": "yes"}, {"aurora-15-laptop", "echo-headphones", "iron-pan"}),
        ({"in_stock": "no"}, {"nimbus-pro-ultrabook", "bare-spoon"}),
        ({"q": "laptops"}, {"aurora-15-laptop", "nimbus-pro-ultrabook"}),
        ({"q": "PAN-1"}, {"iron-pan"}),
        ({"q": "echo-headphones"}, {"echo-headphones"}),
    ],
)
def test_product_changelist_filters_and_search(admin_client, shop, params, expected):
    assert set(listed(admin_client, **params)) == expected


def test_product_change_page_shows_variants_and_promotions(admin_client, shop: Shop):
    response = admin_client.get(f"/admin/catalog/product/{shop.aurora.pk}/change/")

    assert response.status_code == 200
    content = response.content.decode()
    assert "AUR15-8-256" in content
    assert "Promotions" in content


def test_category_autocomplete_answers(admin_client, shop: Shop):
    response = admin_client.get(
        "/admin/autocomplete/",
        {
            "term": "lap",
            "app_label": "catalog",
            "model_name": "product",
            "field_name": "category",
        },
    )

    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Laptops"]


def test_admin_adds_a_category_with_its_path(admin_client, shop: Shop):
    response = admin_client.post(
        "/admin/catalog/category/add/",
        {"slug": "woks", "name": "Woks", "parent": shop.kitchen.pk},
    )

    assert response.status_code == 302
    assert Category.objects.get(slug="woks").path == "kitchen.woks"


def test_admin_saves_tags_normalised_and_variants_inline(admin_client, shop: Shop):
    response = admin_client.post(
        "/admin/catalog/product/add/",
        {
            "name": "Wok",
            "slug": "wok",
            "description": "",
            "category": shop.kitchen.pk,
            "tags": " Kitchen ,WOK",
            "specs": "{}",
            "attributes": "{}",
            "is_active": "on",
            "variants-TOTAL_FORMS": "1",
            "variants-INITIAL_FORMS": "0",
            "variants-0-sku": "WOK-1",
            "variants-0-price": "25.00",
            "variants-0-currency": "EUR",
            "variants-0-stock": "2",
            "variants-0-options": "{}",
            "promotions-TOTAL_FORMS": "0",
            "promotions-INITIAL_FORMS": "0",
            "images-TOTAL_FORMS": "0",
            "images-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    wok = Product.objects.get(slug="wok")
    assert wok.tags == ["kitchen", "wok"]
    assert wok.summary.price_min == Decimal("25.00")
