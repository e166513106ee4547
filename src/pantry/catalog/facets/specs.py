"""Spec value counts (the storefront's spec facets): the scalar specs of the
matching products, two levels deep, for keys with few distinct values,
over at most SPEC_FACET_ROWS + 1 matches (past that, the counts are of the
first ones read, and the caller scales them).

Counted on their own (``spec_counts``), or inside the facets' exact pass
(``SPEC_WITH``), which has found the matches already: a price range or a
text filter then costs one matching instead of two.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.db import connection

from pantry.catalog.filters import ProductFilters
from pantry.catalog.queries import filtered_products

SPEC_FACET_VALUES = 10
SPEC_FACET_KEYS = 8
SPEC_FACET_ROWS = 2_000


@dataclass(frozen=True)
class SpecCounts:
    # (dotted path, value, count), by path and value.
    rows: list[tuple[str, str, int]]
    # How many matches were read: past SPEC_FACET_ROWS, only that many.
    read: int

    @property
    def estimated(self) -> bool:
        """Counted over the first matches only: the caller scales them."""
        return self.read > SPEC_FACET_ROWS


def _counting(source: str) -> str:
    """CTEs counting the specs of the rows of CTE ``source``, ending in
    ``spec_rows`` (path, value, n, read)."""
    return f"""
    spec_leaves AS (
        SELECT e.key AS path, e.value
        FROM {source} m, jsonb_each(m.specs) e
        WHERE jsonb_typeof(e.value) IN ('string', 'number', 'boolean')
        UNION ALL
        SELECT e.key || '.' || inner_e.key, inner_e.value
        FROM {source} m, jsonb_each(m.specs) e, jsonb_each(e.value) inner_e
        WHERE jsonb_typeof(e.value) = 'object'
          AND jsonb_typeof(inner_e.value) IN ('string', 'number', 'boolean')
    ),
    spec_counted AS (
        SELECT path, value #>> '{{}}' AS value, count(*) AS n
        FROM spec_leaves GROUP BY path, value #>> '{{}}'
    ),
    spec_small AS (
        SELECT path FROM spec_counted GROUP BY path
        HAVING count(*) BETWEEN 2 AND {SPEC_FACET_VALUES}
        ORDER BY sum(n) DESC, path LIMIT {SPEC_FACET_KEYS}
    ),
    spec_rows AS (
        SELECT c.path, c.value, c.n, (SELECT count(*) FROM {source}) AS read
        FROM spec_counted c JOIN spec_small USING (path)
    )"""  # noqa: S608  constants of this module


# CTEs for the facets' pass (a CTE ``matched`` of ids): the specs of its
# first rows (the parameter: spec_rows_read()), read back by key. Its rows
# join the pass's answer as ('v', path, value, NULL, n, read).
SPEC_WITH = f"""
spec_source AS MATERIALIZED (
    SELECT p.specs
    FROM (SELECT id FROM matched LIMIT %s) m
    JOIN catalog_product p ON p.id = m.id
),
{_counting("spec_source")}"""  # noqa: S608  constants of this module
SPEC_ROWS = """
UNION ALL
SELECT 'v', path, value, NULL, n, read FROM spec_rows
"""


def spec_rows_read() -> int:
    """The most matches counted: one past the bound shows it was passed."""
    return SPEC_FACET_ROWS + 1


def _spec_counts(rows: list[tuple[Any, ...]]) -> SpecCounts:
    """The SpecCounts of spec_rows (path, value, n, read), by path and value."""
    read = int(rows[0][3]) if rows else 0
    return SpecCounts([(path, value, int(n)) for path, value, n, _ in rows], read)


def spec_counts_of(rows: list[tuple[Any, ...]]) -> SpecCounts:
    """The SpecCounts of a pass's 'v' rows."""
    return _spec_counts(sorted(r[1:3] + r[4:6] for r in rows if r[0] == "v"))


def spec_counts(filters: ProductFilters) -> SpecCounts:
    """The spec counts of the products ``filters`` match, spec filters left
    out (a chosen value's alternatives stay on offer)."""
    matched = filtered_products(replace(filters, specs=())).values("specs")
    inner, params = matched.query.sql_with_params()
    # Fixed SQL around Django's compiled queryset; values are parameters.
    sql = (
        f"WITH spec_source AS MATERIALIZED ({inner} LIMIT %s),"  # noqa: S608
        f" {_counting('spec_source')}"
        " SELECT path, value, n, read FROM spec_rows ORDER BY path, value"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, spec_rows_read()])
        return _spec_counts(cursor.fetchall())
