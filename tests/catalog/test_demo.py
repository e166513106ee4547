from __future__ import annotations

import re

import pytest
from django.utils import timezone

from pantry.catalog.models import Category, Product, ProductSummary, Promotion, Variant
from pantry.catalog.sample_data import demo

pytestmark = pytest.mark.django_db


def test_demo_fills_an_empty_catalog_deterministically():
    assert demo.is_empty()

    summary = demo.load()

    assert not demo.is_empty()
    assert summary == "26 categories, 322 products, 761 variants, 40 promotions"
    assert Product.objects.count() == 322
    assert ProductSummary.objects.count() == 322
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


@pytest.fixture
def loaded() -> list[Product]:
    demo.load()
    return list(Product.objects.select_related("category").order_by("id"))


def test_demo_specs_and_attributes_are_those_of_the_category(loaded):
    for product in loaded:
        category = product.category.slug
        assert set(product.specs) == demo.SPEC_KEYS[category], product.name
        if category in demo.FOOD:
            assert set(product.attributes) == {"brand"}, product.name
        else:
            assert set(product.attributes) == {"brand", "warranty"}, product.name
    cumin = [p for p in loaded if "Cumin" in p.name]
    assert cumin
    assert all(
        "colour" not in p.attributes and "warranty" not in p.attributes for p in cumin
    )
    assert all(p.specs["origin"] and "weight_g" not in p.specs for p in cumin)


def test_demo_food_is_named_for_where_it_comes_from(loaded):
    food = [p for p in loaded if p.category.slug in demo.FOOD]

    assert food
    for product in food:
        assert f" {product.specs['region']} " in product.name


def test_demo_sale_tag_is_exactly_the_products_with_a_promotion_now(loaded):
    running = set(
        Promotion.objects.filter(during__contains=timezone.now()).values_list(
            "product_id", flat=True
        )
    )

    assert {p.id for p in loaded if "sale" in p.tags} == running
    assert len(running) == 30


def test_demo_fact_tags_agree_with_the_specs(loaded):
    for product in loaded:
        specs = product.specs
        assert ("organic" in product.tags) == (specs.get("organic") is True)
        assert ("induction" in product.tags) == (specs.get("induction") is True)
        assert ("wireless" in product.tags) == (
            specs.get("audio", {}).get("wireless") is True
        )
        assert ("down" in product.tags) == (specs.get("fill") == "down")
    assert sum("organic" in p.tags for p in loaded) > 10


def test_demo_names_have_no_number_suffix_and_names_and_slugs_are_unique(loaded):
    names = [p.name for p in loaded]

    assert not [n for n in names if re.search(r"\s\d+$", n)]
    assert len(set(names)) == len(names)
    assert len({p.slug for p in loaded}) == len(names)


def test_demo_products_are_created_over_months_so_new_in_is_mixed(loaded):
    days = {p.created_at.date() for p in loaded}
    newest = Product.objects.order_by("-created_at", "-id")[:8]
    young = timezone.now() - demo.NEW_FOR

    assert len(days) > 100
    assert len({p.category_id for p in newest}) >= 5
    assert all(("new" in p.tags) == (p.created_at > young) for p in loaded)


def test_demo_variants_read_as_a_shopper_would_pick_them(loaded):
    saffron = Variant.objects.filter(product__name__contains="Saffron").first()

    assert saffron is not None
    assert set(saffron.options) == {"weight"}
    assert re.fullmatch(r"\d+ g", saffron.options["weight"])
    for product in loaded:
        options = [v.options for v in product.variants.all()]
        assert len({str(o) for o in options}) == len(options), product.name
