"""Facet counts of the product list: tags, categories, price range, stock.

Three ways, fastest first (docs/facets.md):

- No filter, or only ``category`` and/or ``in_stock=true``: lookups in
  ``catalog_facetcount`` (kept by triggers) over the subtree's rows, and
  the price range from the summary's per-category price indexes. Exact.
- Any other filter: one pass over at most ``PANTRY_FACET_EXACT_LIMIT`` + 1
  matches (``LIMIT`` in the materialised CTE). At most the limit: exact.
- More matches than that, or a pass that does not finish within
  ``PANTRY_FACET_EXACT_BUDGET_MS`` (a filter whose own matching is slow): the same pass
  over the matches among a random sample of ``PANTRY_FACET_SAMPLE_ROWS``
  catalog rows (``TABLESAMPLE SYSTEM_ROWS``), scaled to the catalog;
  ``count_is_estimate`` says so.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection

from pantry.catalog.facets.counted import Counted, about, shaped
from pantry.catalog.facets.counting import (
    active_products,
    count_sampled,
    count_within,
    sample_rows,
)
from pantry.catalog.facets.lookups import lookup
from pantry.catalog.facets.specs import SpecCounts, spec_counts
from pantry.catalog.filters import ProductFilters, subtree_ids
from pantry.catalog.queries import filtered_products, tag_bound
from pantry.core.textsearch import clean_query

__all__ = ["SpecCounts", "about", "facets", "spec_counts"]

# Sample first when the planner expects this many times the exact limit,
# and trust the sample when it finds as many (its error is a few per cent).
CLEARLY_ABOVE = 1.5


def facets(filters: ProductFilters, *, leaf_specs: bool = False) -> dict[str, Any]:
    """API.md's facets of the products ``filters`` match.

    ``{"tags", "categories", "price", "in_stock": {"count"}, "total",
    "count_is_estimate"}``; raises UnknownCategory. With ``leaf_specs``
    (for filters without spec filters) and a category with no subcategory,
    a pass over the matches counts their spec values too, under
    ``"spec_counts"`` (a SpecCounts; absent when no pass ran: count them
    with ``spec_counts``).
    """
    subtree = subtree_ids(filters.category) if filters.category is not None else None
    specs = leaf_specs and subtree is not None and len(subtree) == 1
    if _looked_up(filters):
        return shaped(lookup(filters, subtree), estimate=False)
    if tag_bound(filters) == 0:
        # The kept counts say no product of the category has the tags: a
        # pass would read every candidate to find none.
        return shaped(Counted.empty(), estimate=False)
    matched = filtered_products(filters, subtree=subtree).values(
        "id", "tags", "category_id"
    )
    try:
        inner, params = matched.query.sql_with_params()
    except EmptyResultSet:
        return shaped(Counted.empty(), estimate=False)
    limit = settings.PANTRY_FACET_EXACT_LIMIT
    sampled: Counted | None = None
    # Finding limit + 1 matches of a common filter costs as much as the
    # sample (a GIN bitmap is read whole): when the planner expects far
    # more matches, sample first, and count exactly only if the sample
    # finds the planner wrong.
    planned = _planned_rows(inner, params)
    active = active_products() if planned > CLEARLY_ABOVE * limit else 0
    if planned > CLEARLY_ABOVE * limit:
        rows = sample_rows(planned, active)
        sampled = count_sampled(inner, params, filters, rows=rows, active=active)
        if sampled.scale == 1.0:
            return shaped(sampled, estimate=False)
        if sampled.total * sampled.scale >= CLEARLY_ABOVE * limit:
            return shaped(sampled, estimate=True)
    # The pass may take PANTRY_FACET_EXACT_BUDGET_MS; past it (a GIN bitmap
    # read whole, a variant probe per text match) the sample answers, flagged.
    bounded = count_within(
        settings.PANTRY_FACET_EXACT_BUDGET_MS,
        f"{inner} LIMIT {limit + 1}",
        params,
        filters,
        limit=limit,
        specs=specs,
    )
    if bounded is not None and bounded.total <= limit:
        return shaped(bounded, estimate=False)
    if sampled is None:
        rows = settings.PANTRY_FACET_SAMPLE_ROWS
        sampled = count_sampled(
            inner, params, filters, rows=rows, active=active or active_products()
        )
    if sampled.scale == 1.0:
        return shaped(sampled, estimate=False)
    if bounded is None:
        return shaped(sampled, estimate=True)
    # Both ranges lie inside the true one: together they come closer. The
    # pass's spec counts (of its first matches) stand, to be scaled.
    sampled.low = _least(bounded.low, sampled.low, min)
    sampled.high = _least(bounded.high, sampled.high, max)
    sampled.specs = bounded.specs
    return shaped(sampled, estimate=True)


def _planned_rows(inner: str, params: Any) -> float:
    """How many rows PostgreSQL expects ``inner`` to return."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {inner}", params)
        (plan,) = cursor.fetchone()
    if isinstance(plan, str):
        plan = json.loads(plan)
    return float(plan[0]["Plan"]["Plan Rows"])


def _least(a: Decimal | None, b: Decimal | None, pick: Any) -> Decimal | None:
    return b if a is None else a if b is None else pick(a, b)


def _looked_up(filters: ProductFilters) -> bool:
    """Whether the counts are lookups: no filter but category and in_stock."""
    return not (
        filters.tags
        or filters.any_tags
        or filters.specs
        or filters.attributes
        or (filters.q and clean_query(filters.q))
        or filters.min_price is not None
        or filters.max_price is not None
        or filters.in_stock is False
    )
