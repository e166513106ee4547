"""Spec value counts in a category with no subcategory: counted by the
facets' exact pass over the matches it finds anyway (one matching, not
two), and the same as counting them on their own."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pantry.catalog.facets import SpecCounts, facets, spec_counts
from pantry.catalog.facets import specs as spec_module
from pantry.catalog.filters import ProductFilters
from tests.factories import CategoryFactory, product_with_prices

pytestmark = pytest.mark.django_db


@pytest.fixture
def kettles(db: None) -> None:
    kitchen = CategoryFactory(slug="kitchen", name="Kitchen")
    kettles = CategoryFactory(slug="kettles", name="Kettles", parent=kitchen)
    for n in range(12):
        product_with_prices(
            f"kettle-{n}",
            in_category=kettles,
            prices=(f"{10 + 5 * n}.00",),
            tags=["gift"] if n % 3 == 0 else ["steel"],
            stock=n % 4,
            specs={
                "material": ["steel", "glass", "copper"][n % 3],
                "power": {"watts": 1800 + 200 * (n % 2)},
                "brand": "acme",  # one value: nothing to choose, never a facet
            },
        )
    product_with_prices("mug", in_category=kitchen, specs={"material": "stone"})


CASES = [
    ProductFilters(category="kettles", min_price=Decimal("20")),
    ProductFilters(category="kettles", max_price=Decimal("40"), in_stock=True),
    ProductFilters(category="kettles", tags=("gift",), min_price=Decimal("1")),
    ProductFilters(category="kettles", any_tags=("gift", "steel"), in_stock=False),
    ProductFilters(category="kettles", q="kettle", min_price=Decimal("30")),
]


def spec_statements(queries: list[dict[str, str]]) -> list[str]:
    return [q["sql"] for q in queries if "jsonb_each" in q["sql"]]


@pytest.mark.parametrize("filters", CASES)
def test_the_pass_counts_the_same_spec_values_as_counting_them_alone(
    kettles: None, filters: ProductFilters
) -> None:
    with CaptureQueriesContext(connection) as captured:
        result = facets(filters, leaf_specs=True)

    shared = result["spec_counts"]
    assert shared == spec_counts(filters)
    assert shared.rows, "some kettles match every case"
    assert all(path != "brand" for path, _, _ in shared.rows)
    # Counted inside the statement that counts the other facets.
    [statement] = spec_statements(captured.captured_queries)
    assert "matched" in statement
    assert "tag_counts" in statement


def test_the_pass_counts_specs_only_when_asked_in_a_leaf(kettles: None) -> None:
    priced = ProductFilters(min_price=Decimal("20"))
    for filters in (
        ProductFilters(category="kettles", min_price=Decimal("20")),
        ProductFilters(category="kitchen", min_price=Decimal("20")),
        priced,
    ):
        with CaptureQueriesContext(connection) as captured:
            result = facets(filters)
        assert "spec_counts" not in result
        assert spec_statements(captured.captured_queries) == []
    assert "spec_counts" not in facets(
        ProductFilters(category="kitchen", min_price=Decimal("20")), leaf_specs=True
    )


def test_past_the_bound_the_pass_says_its_counts_are_of_the_first_matches(
    kettles: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spec_module, "SPEC_FACET_ROWS", 4)
    filters = ProductFilters(category="kettles", min_price=Decimal("1"))

    shared: SpecCounts = facets(filters, leaf_specs=True)["spec_counts"]

    assert shared.estimated
    assert shared.read == 5
    materials = {value: n for path, value, n in shared.rows if path == "material"}
    assert sum(materials.values()) == 5


def test_within_the_bound_the_counts_are_exact(kettles: None) -> None:
    filters = ProductFilters(category="kettles", min_price=Decimal("1"))

    shared: SpecCounts = facets(filters, leaf_specs=True)["spec_counts"]

    assert not shared.estimated
    assert shared.read == 12
    assert ("material", "copper", 4) in shared.rows
    assert ("power.watts", "2000", 6) in shared.rows
