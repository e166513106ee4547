"""Facets by lookups: catalog_facetcount rows and the summary's price
indexes (no filter, a category, in stock)."""

from __future__ import annotations

from django.db import connection

from pantry.catalog.facets.counted import FACET_TAGS, ROLLUP, Counted, counted_of
from pantry.catalog.filters import ProductFilters

# The deepest discount active now bounds how far an effective price lies
# below its base price (queries._price_filter uses the same bound).
DEEPEST = """
    SELECT coalesce((SELECT percent_off FROM catalog_promotion
                     WHERE during @> %(now)s::timestamptz
                     ORDER BY percent_off DESC LIMIT 1), 0)
"""
# A product's price after its promotion active now, probed per product
# (a join would let the planner hash every active promotion).
EFFECTIVE = (
    "round({price} * (100 - coalesce((SELECT pr.percent_off"
    " FROM catalog_promotion pr WHERE pr.product_id = t.product_id"
    " AND pr.during @> %(now)s::timestamptz), 0)) / 100, 2)"
)


def _candidates(column: str, condition: str, scope: str) -> str:
    """Active products of ``scope`` (in stock with ``%(stock)s``), from the
    summary's price indexes."""
    order = (
        ""
        if condition
        else f"ORDER BY s.{column}{' DESC' if 'max' in column else ''} LIMIT 1"
    )
    return f"""
        SELECT s.product_id, s.{column} FROM catalog_productsummary s
        JOIN catalog_product p ON p.id = s.product_id AND p.is_active
        WHERE {scope} AND (s.has_stock OR NOT %(stock)s) {condition}
        {order}"""  # noqa: S608  constants of this module; values are parameters


def _price_bounds(scope: str, cats: str) -> str:
    """The cheapest and dearest active product of each of ``cats`` (in
    ``scope``), by the summary's price indexes; their effective prices bound
    the answer: (highest base price that could beat the low bound, that
    high bound). Returned as numbers so that the next query is planned for
    the few rows they leave."""
    return f"""
WITH deepest AS MATERIALIZED ({DEEPEST}),
cats AS ({cats}),
first_low AS (
    SELECT min({EFFECTIVE.format(price="t.price_min")}) AS bound
    FROM cats, LATERAL ({_candidates("price_min", "", scope)}) t
),
first_high AS (
    SELECT max({EFFECTIVE.format(price="t.price_max")}) AS bound
    FROM cats, LATERAL ({_candidates("price_max", "", scope)}) t
)
SELECT CASE WHEN d.percent_off < 100
            THEN (l.bound + 0.01) * 100 / (100 - d.percent_off) END,
       h.bound
FROM first_low l, first_high h, deepest d(percent_off)
"""  # noqa: S608  constants of this module; values are parameters


def _price_range(scope: str, cats: str) -> str:
    """The exact effective price range of the active products of ``scope``:
    only products whose base price, less the deepest discount active now,
    could beat the bounds of ``_price_bounds`` (%(below)s, %(above)s; NULL
    below: every product) are read."""
    below = "AND (s.price_min <= %(below)s OR %(below)s IS NULL)"
    above = "AND s.price_max >= %(above)s"
    return f"""
WITH cats AS ({cats}),
low AS (
    SELECT min({EFFECTIVE.format(price="t.price_min")}) AS low
    FROM cats, LATERAL ({_candidates("price_min", below, scope)}) t
),
high AS (
    -- An effective price is at most its base price.
    SELECT max({EFFECTIVE.format(price="t.price_max")}) AS high
    FROM cats, LATERAL ({_candidates("price_max", above, scope)}) t
)
SELECT low, high FROM low, high
"""  # noqa: S608  constants of this module; values are parameters


# The whole catalog by the global price indexes, a subtree category by
# category by the per-category ones.
_ALL = ("true", "VALUES (0)")
_EACH = ("s.category_id = cats.id", "SELECT unnest(%(categories)s::bigint[]) AS id")
PRICE_BOUNDS_ALL, PRICE_BOUNDS = _price_bounds(*_ALL), _price_bounds(*_EACH)
PRICE_RANGE_ALL, PRICE_RANGE = _price_range(*_ALL), _price_range(*_EACH)


def _lookup_sql(column: str, scope: str, tag_scope: str) -> str:
    return f"""
WITH direct AS (
    SELECT category_id, {column} AS n, in_stock AS stocked FROM catalog_facetcount
    WHERE tag = '' AND {scope} AND {column} > 0
),
tag_counts AS (
    SELECT tag, sum({column})::bigint AS n FROM catalog_facetcount
    WHERE tag <> '' AND {tag_scope}
    GROUP BY tag HAVING sum({column}) > 0
    ORDER BY n DESC, tag LIMIT {FACET_TAGS}
)
SELECT 't', tag, NULL, NULL, n, NULL::bigint FROM tag_counts
UNION ALL
{ROLLUP}"""  # noqa: S608  constants of this module; values are parameters


# By the table's primary key: the whole catalog's rows (category 0) for
# tags, every category's '' row; or the subtree's rows.
LOOKUP = {
    (column, whole): _lookup_sql(
        column,
        "category_id <> 0" if whole else "category_id = ANY (%(categories)s::bigint[])",
        "category_id = 0" if whole else "category_id = ANY (%(categories)s::bigint[])",
    )
    for column in ("products", "in_stock")
    for whole in (True, False)
}


def lookup(filters: ProductFilters, subtree: list[int] | None) -> Counted:
    """Counts of the products of ``subtree`` (None: the whole catalog; of
    those in stock with ``in_stock=true``) from catalog_facetcount."""
    column = "in_stock" if filters.in_stock else "products"
    whole = subtree is None
    values = {
        "categories": subtree,
        "now": filters.now,
        "stock": bool(filters.in_stock),
    }
    with connection.cursor() as cursor:
        cursor.execute(LOOKUP[column, whole], values)
        counted = counted_of(cursor.fetchall())
        if counted.total:
            cursor.execute(PRICE_BOUNDS_ALL if whole else PRICE_BOUNDS, values)
            below, above = cursor.fetchone()
            if above is not None:
                values.update(below=below, above=above)
                cursor.execute(PRICE_RANGE_ALL if whole else PRICE_RANGE, values)
                counted.low, counted.high = cursor.fetchone()
    return counted
