"""Product input rules: one slug for a name, whichever door it comes in by."""

from __future__ import annotations

import io
import json

import pytest

from pantry.catalog import rules
from pantry.catalog.importing import import_products
from pantry.catalog.models import Product
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db

# 102 characters whose slug has 201: the ligature "ﬁ" spells "fi".
LONG_NAME = "ﬁ" * 99 + "a b"
LONG_SLUG = "fi" * 99 + "a"


def test_a_long_name_is_cut_without_a_trailing_dash():
    assert rules.derive_slug(LONG_NAME) == LONG_SLUG
    assert rules.derive_slug("Café  Kettle!") == "cafe-kettle"
    assert rules.derive_slug("!!!") == ""


def test_limits_come_from_the_model_fields():
    assert (rules.NAME_MAX, rules.SLUG_MAX, rules.SKU_MAX, rules.TAG_MAX) == (
        200,
        200,
        64,
        50,
    )


@pytest.mark.parametrize("file_format", ["jsonl", "csv"])
def test_the_api_and_the_importer_derive_the_same_slug(api, staff_token, file_format):
    CategoryFactory(slug="kitchen", name="Kitchen")

    created = api.post(
        "products",
        {"name": LONG_NAME, "category": "kitchen"},
        token=staff_token,
    )
    Product.objects.all().delete()
    if file_format == "jsonl":
        data = json.dumps({"name": LONG_NAME, "category": "kitchen"}) + "\n"
    else:
        data = f"name,category\n{LONG_NAME},kitchen\n"
    result = import_products(io.BytesIO(data.encode()), file_format=file_format)

    assert created.status == 201, created.body
    assert result.report() == []
    assert created.body["slug"] == LONG_SLUG
    assert list(Product.objects.values_list("slug", flat=True)) == [LONG_SLUG]


def test_the_importer_stores_each_tag_once_like_the_api():
    CategoryFactory(slug="kitchen", name="Kitchen")
    line = {"slug": "k", "name": "K", "category": "kitchen", "tags": ["Gift", "gift "]}

    import_products(io.BytesIO(json.dumps(line).encode()), file_format="jsonl")

    assert Product.objects.get(slug="k").tags == ["gift"]
