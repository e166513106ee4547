"""Facets counted over the matching products: at most a limit of them
(exact), or those among a sample of the catalog (estimates)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import OperationalError, connection, transaction
from psycopg.errors import QueryCanceled

from pantry.catalog.facets.counted import FACET_TAGS, ROLLUP, Counted, counted_of
from pantry.catalog.facets.specs import (
    SPEC_ROWS,
    SPEC_WITH,
    spec_counts_of,
    spec_rows_read,
)
from pantry.catalog.filters import ProductFilters

PRODUCT_TABLE = 'FROM "catalog_product"'
# Matches a sample aims at (counts good to about 1/sqrt of it), and the
# smallest sample taken.
SAMPLE_HITS = 500
MIN_SAMPLE_ROWS = 1_000

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
"""  # noqa: S608  constants of this module
PASS_ROWS = f"""
SELECT 't', key, NULL, NULL, n, NULL::bigint FROM tag_counts
UNION ALL
{ROLLUP}
UNION ALL
SELECT 'p', NULL, NULL, NULL, low, high FROM prices
UNION ALL
SELECT 'm', NULL, NULL, NULL, count(*), NULL FROM matched
"""  # noqa: S608  constants of this module


def count(
    inner: str,
    params: Any,
    filters: ProductFilters,
    *,
    limit: int,
    sample: str | None = None,
    specs: bool = False,
) -> tuple[Counted, tuple[int, int] | None]:
    """One pass over the rows of ``inner`` (counted past ``limit`` rows
    only as ``total``); with ``sample`` (a CTE ``sampled`` of catalog rows
    that ``inner`` reads), the second value is the (all, active) rows the
    sample held; with ``specs``, the pass counts spec values too
    (``Counted.specs``)."""
    values = [*params, filters.now, limit]
    ctes = f"matched AS MATERIALIZED ({inner}), {PASS}"
    rows_sql = PASS_ROWS
    if specs:
        ctes += f", {SPEC_WITH}"
        rows_sql += SPEC_ROWS
        values.append(spec_rows_read())
    if sample is not None:
        ctes = f"{sample}, {ctes}"
        rows_sql += SAMPLE_SIZE
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {ctes} {rows_sql}", values)
        rows = cursor.fetchall()
    counted = counted_of(rows)
    # Past the limit the pass counted no category: the total is the rows.
    counted.total = max(counted.total, next(int(r[4]) for r in rows if r[0] == "m"))
    if specs:
        counted.specs = spec_counts_of(rows)
    size = next(((int(r[4]), int(r[5])) for r in rows if r[0] == "s"), None)
    return counted, size


def count_within(
    budget_ms: int,
    inner: str,
    params: Any,
    filters: ProductFilters,
    *,
    limit: int,
    specs: bool = False,
) -> Counted | None:
    """``count`` if it finishes within ``budget_ms``, else None (cancelled
    by statement_timeout in a savepoint, so the transaction goes on)."""
    with connection.cursor() as cursor:
        try:
            with transaction.atomic():
                cursor.execute(
                    "SELECT current_setting('statement_timeout'),"
                    " set_config('statement_timeout', %s, true)",
                    [f"{int(budget_ms)}ms"],
                )
                (before, _) = cursor.fetchone()
                counted, _ = count(inner, params, filters, limit=limit, specs=specs)
                # Released, the savepoint's setting would outlive it.
                cursor.execute(
                    "SELECT set_config('statement_timeout', %s, true)", [before]
                )
        except OperationalError as error:
            if isinstance(error.__cause__, QueryCanceled):
                return None
            raise
    return counted


# The columns a filter may read: always these, and each of the others
# only when a filter reads it (a sample row carried whole is wide).
SAMPLED_ALWAYS = ("id", "category_id", "tags", "is_active")
SAMPLE_SIZE = """
UNION ALL
SELECT 's', NULL, NULL, NULL, count(*), count(*) FILTER (WHERE is_active)
FROM sampled
"""


def active_products() -> int:
    """The catalog's active products (exact, from the whole catalog's row)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(products), 0) FROM catalog_facetcount"
            " WHERE category_id = 0 AND tag = ''"
        )
        return int(cursor.fetchone()[0])


def sample_rows(planned: float, active: int) -> int:
    """Rows to sample for about SAMPLE_HITS matches of a filter expected to
    match ``planned`` products (at most PANTRY_FACET_SAMPLE_ROWS): a common
    filter needs a small sample for the same precision."""
    most = settings.PANTRY_FACET_SAMPLE_ROWS
    if planned <= 0:
        return most
    wanted = SAMPLE_HITS * active / planned
    return int(min(most, max(min(MIN_SAMPLE_ROWS, most), wanted)))


def count_sampled(
    inner: str, params: Any, filters: ProductFilters, *, rows: int, active: int
) -> Counted:
    """Counts over the matches among a random sample of ``rows`` catalog
    rows, scaled by ``active`` (the catalog's active products) over those
    the sample holds (exact when the sample is the whole table)."""
    # The sample stands in for the table under the table's own name, so
    # Django's compiled conditions (which name it) read the sample. The
    # first FROM is the query's own: the select list holds no subquery.
    on_sample = inner.replace(PRODUCT_TABLE, 'FROM sampled AS "catalog_product"', 1)
    columns = [*SAMPLED_ALWAYS]
    columns += ["specs"] if filters.specs else []
    columns += ["attributes"] if filters.attributes else []
    columns += ["search_vector"] if filters.q else []
    sample = (
        f"sampled AS MATERIALIZED (SELECT {', '.join(columns)}"  # noqa: S608  constant names
        f" FROM catalog_product TABLESAMPLE SYSTEM_ROWS({int(rows)}))"
    )
    counted, size = count(on_sample, params, filters, limit=rows, sample=sample)
    assert size is not None
    sampled, sampled_active = size
    if sampled < rows:
        return counted  # the whole table: nothing to scale
    counted.scale = active / max(sampled_active, 1)
    return counted
