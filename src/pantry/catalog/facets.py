"""Facet counts of the product list: tags, categories, price range, stock.

Three ways, fastest first (docs/facets.md):

- No filter, or only ``category`` and/or ``in_stock=true``: lookups in
  ``catalog_facetcount`` (kept by triggers) over the subtree's rows, and
  the price range from the summary's per-category price indexes. Exact.
- Any other filter: one pass over at most ``PANTRY_FACET_EXACT_LIMIT`` + 1
  matches (``LIMIT`` in the materialised CTE). At most the limit: exact.
- More matches than that: the same pass over the matches among a random
  sample of ``PANTRY_FACET_SAMPLE_ROWS`` catalog rows (``TABLESAMPLE
  SYSTEM_ROWS``), scaled to the catalog; ``count_is_estimate`` says so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection

from pantry.catalog.filters import ProductFilters, subtree_ids
from pantry.catalog.queries import filtered_products
from pantry.core.textsearch import clean_query

FACET_TAGS = 30
# Sample first when the planner expects this many times the exact limit,
# and trust the sample when it finds as many (its error is a few per cent).
CLEARLY_ABOVE = 1.5
PRODUCT_TABLE = 'FROM "catalog_product"'


def facets(filters: ProductFilters) -> dict[str, Any]:
    """API.md's facets of the products ``filters`` match.

    ``{"tags", "categories", "price", "in_stock": {"count"}, "total",
    "count_is_estimate"}``; raises UnknownCategory.
    """
    subtree = subtree_ids(filters.category) if filters.category is not None else None
    if _looked_up(filters):
        return _shaped(_lookup(filters, subtree), estimate=False)
    matched = filtered_products(filters, subtree=subtree).values(
        "id", "tags", "category_id"
    )
    try:
        inner, params = matched.query.sql_with_params()
    except EmptyResultSet:
        return _shaped(Counted.empty(), estimate=False)
    limit = settings.PANTRY_FACET_EXACT_LIMIT
    sampled: Counted | None = None
    # Finding limit + 1 matches of a common filter costs as much as the
    # sample (a GIN bitmap is read whole): when the planner expects far
    # more matches, sample first, and count exactly only if the sample
    # finds the planner wrong.
    if _planned_rows(inner, params) > CLEARLY_ABOVE * limit:
        sampled = _sampled(inner, params, filters)
        if sampled.scale == 1.0:
            return _shaped(sampled, estimate=False)
        if sampled.total * sampled.scale >= CLEARLY_ABOVE * limit:
            return _shaped(sampled, estimate=True)
    bounded, _ = _count(f"{inner} LIMIT {limit + 1}", params, filters, limit=limit)
    if bounded.total <= limit:
        return _shaped(bounded, estimate=False)
    sampled = sampled or _sampled(inner, params, filters)
    if sampled.scale == 1.0:
        return _shaped(sampled, estimate=False)
    # Both ranges lie inside the true one: together they come closer.
    sampled.low = _least(bounded.low, sampled.low, min)
    sampled.high = _least(bounded.high, sampled.high, max)
    return _shaped(sampled, estimate=True)


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


@dataclass
class Counted:
    """Counts of one way, before shaping: (tag, n), (slug, name, path, n)."""

    tags: list[tuple[str, int]]
    categories: list[tuple[str, str, list[str], int]]
    total: int
    in_stock: int
    low: Decimal | None
    high: Decimal | None
    # Estimates only: what one matched row stands for.
    scale: float = 1.0

    @classmethod
    def empty(cls) -> Counted:
        return cls([], [], 0, 0, None, None)


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
# The rows of catalog_facetcount that total the whole catalog.
ALL_CATEGORIES = 0

# Rows of a CTE ``direct`` (category_id, n, stocked) as the answer's rows:
# 'c' each category with its subtree's count (every ancestor of a counted
# category), 'n' the totals.
ROLLUP = """
SELECT 'c', above.slug, above.name, above.path::text, sum(d.n)::bigint, NULL::bigint
FROM direct d
JOIN catalog_category c ON c.id = d.category_id
JOIN catalog_category above ON above.path @> c.path
GROUP BY above.id, above.slug, above.name, above.path
UNION ALL
SELECT 'n', NULL, NULL, NULL, coalesce(sum(n), 0)::bigint,
       coalesce(sum(stocked), 0)::bigint
FROM direct
"""


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


def _lookup(filters: ProductFilters, subtree: list[int] | None) -> Counted:
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
        counted = _counted(cursor.fetchall())
        if counted.total:
            cursor.execute(PRICE_BOUNDS_ALL if whole else PRICE_BOUNDS, values)
            below, above = cursor.fetchone()
            if above is not None:
                values.update(below=below, above=above)
                cursor.execute(PRICE_RANGE_ALL if whole else PRICE_RANGE, values)
                counted.low, counted.high = cursor.fetchone()
    return counted


def _counted(rows: list[tuple[Any, ...]]) -> Counted:
    """Counted of rows 't' (tag), 'c' (category), 'n' (totals), 'p' (prices)."""
    total, in_stock = next((int(r[4]), int(r[5])) for r in rows if r[0] == "n")
    low, high = next(((r[4], r[5]) for r in rows if r[0] == "p"), (None, None))
    return Counted(
        tags=[(r[1], int(r[4])) for r in rows if r[0] == "t"],
        categories=[
            (r[1], r[2], r[3].split("."), int(r[4])) for r in rows if r[0] == "c"
        ],
        total=total,
        in_stock=in_stock,
        low=low,
        high=high,
    )


# One pass over the matched rows (a CTE named ``matched`` of id, tags,
# category_id) for every kind of count: one summary and one promotion probe
# per row. Past the limit (the last parameter) only the number is counted (a
# one-time filter skips the rest of the plan).
PASS = f"""
joined AS MATERIALIZED (
    SELECT m.category_id, m.tags, coalesce(s.has_stock, false) AS has_stock,
           s.price_min, s.price_max, coalesce(pr.percent_off, 0) AS percent_off
    FROM matched m
    LEFT JOIN catalog_productsummary s ON s.product_id = m.id
    LEFT JOIN catalog_promotion pr
        ON pr.product_id = m.id AND pr.during @> %s::timestamptz
    WHERE (SELECT count(*) FROM matched) <= %s
),
keyed AS (
    SELECT k.key, j.category_id, j.has_stock
    FROM joined j, LATERAL catalog_facet_keys(j.tags::text[]) AS k(key)
),
tag_counts AS (
    SELECT key, count(*) AS n FROM keyed WHERE key <> ''
    GROUP BY key ORDER BY n DESC, key LIMIT {FACET_TAGS}
),
direct AS (
    SELECT category_id, count(*) AS n,
           count(*) FILTER (WHERE has_stock) AS stocked
    FROM keyed WHERE key = '' GROUP BY category_id
),
prices AS (
    -- One promotion discounts all of a product's variants and rounding
    -- keeps order, so the summary's base price bounds give the effective
    -- bounds without reading every variant.
    SELECT min(round(price_min * (100 - percent_off) / 100, 2)) AS low,
           max(round(price_max * (100 - percent_off) / 100, 2)) AS high
    FROM joined
)
SELECT 't', key, NULL, NULL, n, NULL::bigint FROM tag_counts
UNION ALL
{ROLLUP}
UNION ALL
SELECT 'p', NULL, NULL, NULL, low, high FROM prices
UNION ALL
SELECT 'm', NULL, NULL, NULL, count(*), NULL FROM matched
"""  # noqa: S608  constants of this module


def _count(
    inner: str,
    params: Any,
    filters: ProductFilters,
    *,
    limit: int,
    sample: str | None = None,
) -> tuple[Counted, tuple[int, int] | None]:
    """One pass over the rows of ``inner`` (counted past ``limit`` rows
    only as ``total``); with ``sample`` (a CTE ``sampled`` of catalog rows
    that ``inner`` reads), the second value is the (all, active) rows the
    sample held."""
    values = [*params, filters.now, limit]
    sql = f"WITH matched AS MATERIALIZED ({inner}), {PASS}"
    if sample is not None:
        sql = f"{sample}, matched AS MATERIALIZED ({inner}), {PASS}{SAMPLE_SIZE}"
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        rows = cursor.fetchall()
    counted = _counted(rows)
    # Past the limit the pass counted no category: the total is the rows.
    counted.total = max(counted.total, next(int(r[4]) for r in rows if r[0] == "m"))
    size = next(((int(r[4]), int(r[5])) for r in rows if r[0] == "s"), None)
    return counted, size


# The columns a filter may read: always these, and each of the others
# only when a filter reads it (a sample row carried whole is wide).
SAMPLED_ALWAYS = ("id", "category_id", "tags", "is_active")
SAMPLE_SIZE = """
UNION ALL
SELECT 's', NULL, NULL, NULL, count(*), count(*) FILTER (WHERE is_active)
FROM sampled
"""


def _sampled(inner: str, params: Any, filters: ProductFilters) -> Counted:
    """Counts over the matches among a random sample of the catalog's rows,
    scaled by the share of the catalog's active products the sample holds
    (exact when the sample is the whole table)."""
    # The sample stands in for the table under the table's own name, so
    # Django's compiled conditions (which name it) read the sample. The
    # first FROM is the query's own: the select list holds no subquery.
    on_sample = inner.replace(PRODUCT_TABLE, 'FROM sampled AS "catalog_product"', 1)
    rows = settings.PANTRY_FACET_SAMPLE_ROWS
    columns = [*SAMPLED_ALWAYS]
    columns += ["specs"] if filters.specs else []
    columns += ["attributes"] if filters.attributes else []
    columns += ["search_vector"] if filters.q else []
    sample = (
        f"WITH sampled AS MATERIALIZED (SELECT {', '.join(columns)}"  # noqa: S608  constant names
        f" FROM catalog_product TABLESAMPLE SYSTEM_ROWS({int(rows)}))"
    )
    counted, size = _count(on_sample, params, filters, limit=rows, sample=sample)
    assert size is not None
    sampled, sampled_active = size
    if sampled < rows:
        return counted  # the whole table: nothing to scale
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(products), 0) FROM catalog_facetcount"
            " WHERE category_id = 0 AND tag = ''"
        )
        (active,) = cursor.fetchone()
    counted.scale = int(active) / max(sampled_active, 1)
    return counted


def about(count: float) -> int:
    """An estimated count rounded to two significant digits (a sample's
    counts are good to a few per cent, not to the unit)."""
    if count <= 0:
        return 0
    digits = len(str(int(count))) - 2
    return int(round(count, -digits)) if digits > 0 else round(count)


def _shaped(counted: Counted, *, estimate: bool) -> dict[str, Any]:
    """The API's JSON of ``counted``; estimates scaled and rounded."""
    scale = counted.scale

    def number(n: int) -> int:
        return about(n * scale) if estimate else n

    tag_counts = sorted(
        ((tag, number(n)) for tag, n in counted.tags), key=lambda t: (-t[1], t[0])
    )
    tags = [{"value": tag, "count": n} for tag, n in tag_counts]
    categories = [
        {"slug": slug, "name": name, "path": path, "count": number(n)}
        for slug, name, path, n in sorted(counted.categories, key=lambda c: c[2])
    ]
    return {
        "tags": tags,
        "categories": categories,
        "price": {"min": _money(counted.low), "max": _money(counted.high)},
        "in_stock": {"count": number(counted.in_stock)},
        "total": number(counted.total),
        "count_is_estimate": estimate,
    }


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"
