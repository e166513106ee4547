"""Statement-level triggers stay linear in the rows a statement changes.

A transition table has no index and no statistics beyond its row count, so
a join of ``new_rows`` with ``old_rows`` that PostgreSQL plans as a nested
loop reads one of them once per row of the other: an UPDATE of 16,000
summaries took 16 s and one of a million did not finish in 24 minutes.
``EXISTS`` invites exactly that plan (it is costed to stop at the first
match, which a statement changing nothing never finds). Every bulk write
below runs under auto_explain, and no nested loop of any trigger's
statement may rescan a transition table for each of many outer rows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.db import connection

from tests.factories import PostFactory, PromotionFactory, VariantFactory

pytestmark = pytest.mark.django_db

ROWS = 400
# A nested loop over a transition table is fine for a handful of rows.
OUTER_ROWS_ALLOWED = 20


def _clone(table: str, pk: int, overrides: dict[str, str]) -> None:
    """ROWS copies of row ``pk`` of ``table`` in one INSERT; ``overrides``
    gives SQL per column over the source row ``t`` and the copy's number
    ``g``. Identity and generated columns are left to the table."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_name = %s AND is_identity = 'NO'"
            " AND is_generated = 'NEVER' ORDER BY ordinal_position",
            [table],
        )
        columns = [name for (name,) in cursor.fetchall()]
        values = [overrides.get(name, f't."{name}"') for name in columns]
        quoted = ", ".join(f'"{name}"' for name in columns)
        cursor.execute(
            f"INSERT INTO {table} ({quoted}) SELECT {', '.join(values)}"  # noqa: S608  names from the catalog
            f" FROM {table} t, generate_series(1, {ROWS}) g WHERE t.id = %s",
            [pk],
        )


# Statistics taken before the rows arrive (autovacuum has not caught up):
# the planner takes each table to be nearly empty.
STALE = [
    "catalog_variant",
    "catalog_product",
    "catalog_productsummary",
    "catalog_lowstockvariant",
    "catalog_facetcount",
    "catalog_promotion",
    "journal_post",
    "orders_order",
    "orders_orderline",
]


@pytest.fixture(params=["current", "stale"])
def statistics(request: pytest.FixtureRequest) -> str:
    if request.param == "stale":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(STALE)}")
    return str(request.param)


@pytest.fixture
def catalog(statistics: str) -> None:
    """ROWS products with one variant each (half of them low on stock), a
    promotion on each and ROWS posts."""
    variant = VariantFactory(stock=3)
    product = variant.product
    _clone(
        "catalog_product",
        product.pk,
        {"slug": "t.slug || '-' || g", "name": "t.name || ' ' || g"},
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO catalog_variant (product_id, sku, price, currency, stock,"
            " options, weight_g, requires_shipping)"
            " SELECT p.id, 'TP-' || p.id, 5 + p.id %% 7, 'EUR', p.id %% 6, '{}',"
            " 100, true FROM catalog_product p WHERE p.id <> %s",
            [product.pk],
        )
    promotion = PromotionFactory(product=product)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO catalog_promotion (product_id, percent_off, during, created_at)"
            " SELECT p.id, 10, %s, now() FROM catalog_product p WHERE p.id <> %s",
            [promotion.during, product.pk],
        )
    post = PostFactory(body="Bulk edits of a catalog")
    _clone("journal_post", post.pk, {"slug": "t.slug || '-' || g"})
    with connection.cursor() as cursor:
        cursor.execute(_ORDERS, [ROWS + 1])


# Paid orders of one line each, so the sales rollups count them.
_ORDERS = """
WITH o AS (
    INSERT INTO orders_order
        (number, customer_name, email, status, currency, total, subtotal,
         placed_at, payment_provider)
    SELECT 'T' || lpad(g::text, 8, '0'), 'Plan', 'plan' || g || '@example.com',
           'paid', 'EUR', 9.90, 9.90, now() - g * interval '1 hour', 'manual'
    FROM generate_series(1, %s) g
    RETURNING id
)
INSERT INTO orders_orderline
    (order_id, sku, product_name, variant_name, unit_price, quantity,
     line_total, discount, tax_class, net, tax_rate, tax, gross)
SELECT id, 'TP-SKU', 'Plan', '', 9.90, 1, 9.90, 0, 'standard', 8.32, 19, 1.58, 9.90
FROM o
"""


@pytest.fixture
def explained() -> Iterator[list[dict[str, Any]]]:
    """The plans of every statement run (triggers' statements included),
    with actual row counts, collected from auto_explain's notices."""
    plans: list[dict[str, Any]] = []
    connection.ensure_connection()
    raw = connection.connection

    def collect(notice: psycopg.errors.Diagnostic) -> None:
        text = notice.message_primary or ""
        match = re.match(r"duration: [\d.]+ ms\s+plan:\s*", text)
        if match:
            plans.append(json.loads(text[match.end() :]))

    with connection.cursor() as cursor:
        try:
            cursor.execute("LOAD 'auto_explain'")
        except psycopg.errors.InsufficientPrivilege:  # pragma: no cover
            pytest.skip("auto_explain needs a superuser to load")
        for setting, value in [
            ("log_min_duration", "0"),
            ("log_nested_statements", "on"),
            ("log_analyze", "on"),
            ("log_timing", "off"),
            ("log_format", "json"),
            ("log_level", "notice"),
        ]:
            cursor.execute(f"SET auto_explain.{setting} = '{value}'")
    raw.add_notice_handler(collect)
    try:
        yield plans
    finally:
        raw.remove_notice_handler(collect)
        with connection.cursor() as cursor:
            cursor.execute("SET auto_explain.log_min_duration = -1")


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _rescans(plan: dict[str, Any]) -> Iterator[str]:
    """Nested loops whose inner side scans a transition table once for each
    of many outer rows."""
    for node in _nodes(plan):
        if node["Node Type"] != "Nested Loop":
            continue
        outer, inner = node["Plans"][0], node["Plans"][1]
        outer_rows = outer["Actual Rows"] * outer["Actual Loops"]
        scanned = [
            n["Relation Name"] if "Relation Name" in n else n.get("Alias", "?")
            for n in _nodes(inner)
            if n["Node Type"] == "Named Tuplestore Scan"
        ]
        if scanned and outer_rows > OUTER_ROWS_ALLOWED:
            yield f"{scanned} rescanned for {outer_rows:.0f} rows"


# Each runs first on one row, so that the triggers' plans are cached for
# one row as in a long-lived connection, then on every row.
BULK_WRITES = [
    # Stock only, no crossing of zero, and no change at all.
    "UPDATE catalog_variant SET stock = stock + 10 WHERE id IN ({ids})",
    "UPDATE catalog_variant SET stock = stock WHERE id IN ({ids})",
    # Stock crossing zero: summaries and facet counts change.
    "UPDATE catalog_variant SET stock = 0 WHERE id IN ({ids})",
    "UPDATE catalog_variant SET price = price + 1 WHERE id IN ({ids})",
    # Summaries rewritten with nothing flipped (a recompute).
    "UPDATE catalog_productsummary SET price_min = price_min"
    " WHERE product_id IN ({ids})",
    "UPDATE catalog_product SET name = name || ' new' WHERE id IN ({ids})",
    "UPDATE catalog_product SET tags = array_append(tags, 'bulk') WHERE id IN ({ids})",
    "UPDATE catalog_product SET is_active = false WHERE id IN ({ids})",
    "UPDATE catalog_promotion SET percent_off = 20 WHERE id IN ({ids})",
    "UPDATE journal_post SET title = title || ' again' WHERE id IN ({ids})",
    "UPDATE orders_order SET status = 'shipped' WHERE id IN ({ids})",
    "UPDATE orders_order SET total = total + 1, subtotal = subtotal + 1"
    " WHERE id IN ({ids})",
    "UPDATE orders_orderline SET product_name = 'Renamed' WHERE id IN ({ids})",
    "DELETE FROM catalog_promotion WHERE id IN ({ids})",
    "DELETE FROM catalog_variant WHERE id IN ({ids})",
]


def _ids(statement: str, rows: int) -> str:
    table = re.search(r"(?:UPDATE|FROM) (\w+)", statement)[1]  # type: ignore[index]
    key = "product_id" if table == "catalog_productsummary" else "id"
    return f"SELECT {key} FROM {table} ORDER BY {key} LIMIT {rows}"  # noqa: S608  constants


@pytest.mark.parametrize("statement", BULK_WRITES)
def test_a_bulk_write_never_rescans_a_transition_table(catalog, explained, statement):
    with connection.cursor() as cursor:
        # The plans cached so far were made for other statements' sizes.
        cursor.execute("DISCARD PLANS")
        cursor.execute(statement.format(ids=_ids(statement, 1)))
        explained.clear()
        cursor.execute(statement.format(ids=_ids(statement, ROWS + 1)))
        assert cursor.rowcount >= ROWS
    assert explained, "auto_explain reported no plan"
    found = [
        (plan["Query Text"].strip()[:200], rescan)
        for plan in explained
        for rescan in _rescans(plan["Plan"])
    ]
    assert not found
