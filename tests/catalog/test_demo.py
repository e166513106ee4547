from __future__ import annotations

import pytest

from pantry.catalog.models import Category, Product, ProductSummary, Promotion, Variant
from pantry.catalog.sample_data import demo

pytestmark = pytest.mark.django_db


def test_demo_fills_an_empty_catalog_deterministically():
    assert demo.is_empty()

    summary = demo.load()

    assert not demo.is_empty()
    assert summary == "24 categories, 308 products, 756 variants, 40 promotions"
    assert Product.objects.count() == 308
    assert ProductSummary.objects.count() == 308
    assert max(len(c.path_slugs) for c in Category.objects.all()) == 3
    assert not Product.objects.filter(specs={}).exists()
    assert (
        Product.objects.filter(category__path__descendant_of="electronics").count()
        == 100
    )
    assert Variant.objects.filter(stock=0).exists()
    assert Promotion.objects.count() == 40


def test_demo_loads_the_same_catalog_every_time():
    demo.load()
    first = list(Product.objects.order_by("slug").values_list("slug", "tags", "specs"))
    Promotion.objects.all().delete()
    Variant.objects.all().delete()
    Product.objects.all().delete()
    for category in Category.objects.order_by("-path"):
        category.delete()

    demo.load()

    assert (
        list(Product.objects.order_by("slug").values_list("slug", "tags", "specs"))
        == first
    )
