"""A seeded sample reads like a shop: its data agrees with itself."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from pantry.catalog.models import Category, Product, Promotion, Variant
from pantry.catalog.sample_data.generator import Names, product_name
from pantry.catalog.sample_data.sections import SECTIONS, attribute_keys, spec_keys
from pantry.catalog.sample_data.seed import seed_catalog
from pantry.catalog.sample_data.vocabulary import (
    DEPARTMENTS,
    category_tree,
    plural,
    plural_title,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    # The seed stores its drawings: in a directory of this test's own.
    settings.MEDIA_ROOT = tmp_path / "media"


pytestmark = pytest.mark.django_db
PRODUCTS = 2000


@pytest.fixture
def seeded() -> list[Product]:
    seed_catalog(products=PRODUCTS, seed=5, replace=False)
    return list(Product.objects.select_related("category").order_by("id"))


def section_names() -> dict[str, str]:
    """A category's section name (Cookware, Fiction, ...) by category path."""
    names = dict(Category.objects.values_list("slug", "name"))
    return {
        path: names[path.split(".")[1]]
        for path in Category.objects.values_list("path", flat=True)
        if "." in path
    }


def key_paths(specs: dict, prefix: str = "") -> set[str]:
    paths = set()
    for key, value in specs.items():
        paths.add(prefix + key)
        if isinstance(value, dict):
            paths |= key_paths(value, f"{prefix}{key}.")
    return paths


def test_seeded_specs_attributes_and_options_come_from_the_section(seeded):
    sections = section_names()
    departments = {s: d for d, ss in DEPARTMENTS.items() for s in ss}
    options = {}
    for variant in Variant.objects.select_related("product__category"):
        options.setdefault(variant.product_id, []).append(variant.options)

    for product in seeded:
        section = sections[str(product.category.path)]
        template = SECTIONS[section]["specs"]
        assert key_paths(product.specs) == spec_keys(template), product.name
        assert set(product.attributes) == set(attribute_keys(departments[section]))
        key = SECTIONS[section]["options"][0]
        for option in options[product.id]:
            assert option[key] in SECTIONS[section]["options"][1]
        assert len({str(o) for o in options[product.id]}) == len(options[product.id])
    cumin_like = [p for p in seeded if sections[str(p.category.path)] == "Fiction"]
    assert cumin_like
    assert all("screen" not in p.specs for p in cumin_like)


def test_seeded_sale_tags_are_the_products_with_a_promotion_running_now(seeded):
    running = set(
        Promotion.objects.filter(during__contains=timezone.now()).values_list(
            "product_id", flat=True
        )
    )
    tagged = {p.id for p in seeded if "sale" in p.tags}

    assert tagged == running
    assert len(running) > 20
    assert Promotion.objects.exclude(product_id__in=running).exists()


def test_seeded_fact_tags_agree_with_the_specs(seeded):
    for product in seeded:
        assert ("organic" in product.tags) == (product.specs.get("organic") is True)
        assert ("vegan" in product.tags) == (product.specs.get("vegan") is True)
        assert ("dishwasher-safe" in product.tags) == (
            product.specs.get("dishwasher_safe") is True
        )
    assert sum("organic" in p.tags for p in seeded) > 20


def test_seeded_names_have_no_number_at_the_end_and_names_and_slugs_are_unique(
    seeded,
):
    names = [p.name for p in seeded]

    assert not [name for name in names if re.search(r"\s\d+$", name)]
    assert len(set(names)) == PRODUCTS
    assert len({p.slug for p in seeded}) == PRODUCTS
    assert not [p.slug for p in seeded if re.search(r"-\d+$", p.slug)]
    # The brand in the name is the brand attribute.
    assert all(p.name.startswith(p.attributes["brand"] + " ") for p in seeded)


def test_seeded_products_are_created_over_many_days_up_to_today(seeded):
    days = {p.created_at.date() for p in seeded}
    newest = sorted(seeded, key=lambda p: p.created_at, reverse=True)[:8]

    assert len(days) > 500
    assert max(p.created_at for p in seeded) <= timezone.now()
    assert len({p.category_id for p in newest}) > 4


def test_product_names_stay_unique_past_every_combination_of_words():
    names = Names({"Cookware": "Kitchen"}, seed=1)
    words = names.words_of("Cookware")
    size = len(words[0]) * len(words[1]) * len(words[2])

    made = [
        product_name("Kitchen", True, names.next("Cookware", "wok"), "wok")
        for _ in range(size + 3)
    ]

    assert len(set(made)) == size + 3
    assert len({slug for _name, slug in made}) == size + 3
    assert [name.rsplit(" ", 1)[1] for name, _ in made[size:]] == ["II"] * 3


@pytest.mark.parametrize(
    ("noun", "expected"),
    [
        ("paring-knife", "Paring Knives"),
        ("short-stories", "Short Stories"),
        ("scarf", "Scarves"),
        ("jeans", "Jeans"),
        ("glass", "Glasses"),
        ("compass", "Compasses"),
        ("activity-book", "Activity Books"),
        ("t-shirt", "T-Shirts"),
        ("field-guide", "Field Guides"),
        ("headphones", "Headphones"),
    ],
)
def test_category_names_use_english_plurals(noun, expected):
    assert plural_title(noun) == expected


def test_the_category_tree_has_no_doubled_plural():
    names = [row.name for row in category_tree()]

    assert "Paring Knives" in names
    assert "Short Stories" in names
    assert not [n for n in names if re.search(r"(ss|fes|ys)$", n) and n != "Fitness"]
    assert plural("story") == "stories"
    assert plural("day") == "days"
