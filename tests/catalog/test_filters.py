"""One parser for the product list: strict for the API, lenient for pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.http import QueryDict

from pantry.catalog.filters import parse_filters
from pantry.core.errors import BadRequest


def test_both_modes_read_good_parameters_alike():
    params = QueryDict(
        "q=kettle&tag=Gift&tag=+steel+&min_price=10&max_price=50&in_stock=true"
        "&sort=price&spec.power.watts=2000&attr.brand=Aurora"
    )

    strict = parse_filters(params, strict=True)
    lenient = parse_filters(params, strict=False)

    assert strict.filters.q == lenient.filters.q == "kettle"
    assert strict.filters.tags == lenient.filters.tags == ["gift", "steel"]
    assert strict.filters.min_price == lenient.filters.min_price == Decimal("10")
    assert strict.filters.max_price == lenient.filters.max_price == Decimal("50")
    assert strict.filters.in_stock is lenient.filters.in_stock is True
    assert (
        strict.filters.specs == lenient.filters.specs == [(["power", "watts"], "2000")]
    )
    assert (
        strict.filters.attributes == lenient.filters.attributes == [("brand", "Aurora")]
    )
    assert strict.sort == lenient.sort == "price"
    assert strict.notes == lenient.notes == ()


def test_strict_refuses_what_lenient_drops_with_a_note():
    params = QueryDict("max_price=cheap&tag=gift")

    with pytest.raises(
        BadRequest, match=r"^max_price must be a non-negative decimal number\.$"
    ):
        parse_filters(params, strict=True)
    lenient = parse_filters(params, strict=False)

    assert lenient.filters.max_price is None
    assert lenient.filters.tags == ["gift"]
    assert lenient.notes == (
        "Highest price must be a number of 0 or more; it was ignored.",
    )


def test_lenient_ignores_unknown_parameters_and_empty_form_choices():
    params = QueryDict("utm_source=mail&spec.material=&min_price=&in_stock=")

    request = parse_filters(params, strict=False, default_limit=24)

    assert request.filters.specs == []
    assert request.filters.min_price is None
    assert request.filters.in_stock is None
    assert request.limit == 24
    assert request.notes == ()


def test_relevance_without_search_words_is_newest_first():
    assert parse_filters(QueryDict("sort=relevance"), strict=True).sort == "newest"
    assert parse_filters(QueryDict("q=pan"), strict=True).sort == "relevance"
    assert parse_filters(QueryDict(""), strict=False).sort == "newest"


def test_a_category_page_replaces_the_category_parameter():
    request = parse_filters(
        QueryDict("category=garden"), strict=False, category="kettles"
    )

    assert request.filters.category == "kettles"


def test_openapi_documents_every_list_filter_and_facets_only_their_own(client, db):
    schema = client.get("/api/v1/openapi.json").json()

    def names(path):
        operation = schema["paths"][path]["get"]
        return [p["name"] for p in operation["parameters"]]

    assert names("/api/v1/products") == [
        "q", "tag", "any_tag", "category", "min_price", "max_price", "in_stock",
        "sort", "limit", "cursor",
    ]  # fmt: skip
    assert names("/api/v1/products/facets") == [
        "q", "tag", "any_tag", "category", "min_price", "max_price", "in_stock",
    ]  # fmt: skip
    description = schema["paths"]["/api/v1/products"]["get"]["description"]
    assert "spec.<dotted.path>=value" in description
    assert "attr.<key>=value" in description
