"""Sales rollups: exact figures for the reports and the dashboard without
scanning orders (docs/reports.md).

Triggers (migrations 0018, 0021) append signed deltas: ``orders_salesday``
per UTC day and currency, ``orders_skusale`` per day and SKU,
``orders_statuscount`` per status. ``fold`` (run by
`pantry orders_upkeep`, every 30 s beside `pantry run`) merges them:
sales deltas into one row per day, SKU deltas into ``orders_skuwindow``,
the sums over the last ``WINDOW_DAYS`` UTC days, which it moves forward a
day at a time by taking off the day that leaves (recounted from the orders)
and adding the day that enters. Readers add the deltas not folded yet, so
every figure is exact at any moment; folding only keeps them cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from pantry.orders.queries import REVENUE_IN, TopProduct, report_bounds

WINDOW_DAYS = 30
# Folds take this transaction-level advisory lock, so two never interleave.
_LOCK = 0x5A1E5_0F01D  # 387055677469, also in migration 0019

# The statuses the triggers count (0018 wrote the same list in its SQL).
_COUNTED = f"({REVENUE_IN})"


def _merge(table: str, keys: tuple[str, ...], sums: tuple[str, ...]) -> str:
    """Merge the delta rows of ``table`` that share ``keys`` into one row
    each, dropping those that add up to nothing."""
    key_list = ", ".join(keys)
    same = " AND ".join(f"s.{key} = many.{key}" for key in keys)
    return f"""
    WITH gone AS (
        DELETE FROM {table} s
        USING (SELECT {key_list} FROM {table}
               GROUP BY {key_list} HAVING count(*) > 1) many
        WHERE {same}
        RETURNING s.*
    )
    INSERT INTO {table} ({key_list}, {", ".join(sums)})
    SELECT {key_list}, {", ".join(f"sum({c})" for c in sums)}
    FROM gone GROUP BY {key_list}
    HAVING {" OR ".join(f"sum({c}) <> 0" for c in sums)}
    """  # noqa: S608  constants of this module only


_FOLD_SALES = _merge("orders_salesday", ("day", "currency"), ("orders", "revenue"))
_FOLD_STATUSES = _merge("orders_statuscount", ("status",), ("orders",))


def _raw_lines(start: str, end: str) -> str:
    """The revenue lines of orders placed from parameter ``start`` to
    parameter ``end`` (excluded), as deltas are."""
    # Each order's lines through its index (OFFSET 0 keeps the planner from
    # flattening the LATERAL): inside a writing statement, which runs on
    # one core, the hash join it prefers reads all the lines (5.4 s against
    # 0.6 s for 30 days at 5 million orders).
    return f"""
    SELECT (o.placed_at AT TIME ZONE 'UTC')::date AS day, o.currency, l.sku,
           coalesce(nullif(l.variant_name, ''), l.product_name) AS name,
           l.quantity AS units, l.line_total AS revenue, 1 AS lines
    FROM orders_order o
    CROSS JOIN LATERAL (
        SELECT sku, variant_name, product_name, quantity, line_total
        FROM orders_orderline WHERE order_id = o.id OFFSET 0
    ) l
    WHERE o.status IN {_COUNTED}
      AND o.placed_at >= %({start})s AND o.placed_at < %({end})s
    """  # noqa: S608  constants of this module only; values are parameters


_UPSERT_WINDOW = """
INSERT INTO orders_skuwindow AS w (currency, sku, name, units, revenue, lines)
SELECT currency, sku, max(name), sum(units), sum(revenue), sum(lines)
FROM changes GROUP BY 1, 2
ON CONFLICT (currency, sku) DO UPDATE SET
    name = greatest(w.name, EXCLUDED.name),
    units = w.units + EXCLUDED.units,
    revenue = w.revenue + EXCLUDED.revenue,
    lines = w.lines + EXCLUDED.lines
RETURNING w.currency, w.sku, w.lines
"""

# One statement, so the deltas it takes and the orders it recounts are read
# in one snapshot. The window moves from [old_first, old_last] to
# [first, last]: deltas of days that were in it are added; the days that
# leave are taken off as they stand now (their sum in the window plus their
# deltas); the days that enter are counted whole, their deltas with them.
_MOVE_WINDOW = f"""
WITH moved AS (
    DELETE FROM orders_skusale WHERE day <= %(last)s
    RETURNING day, currency, sku, name, units, revenue, lines
), leaving AS ({_raw_lines("leave_start", "leave_end")}
), entering AS ({_raw_lines("enter_start", "enter_end")}
), changes AS (
    SELECT currency, sku, name, units, revenue, lines FROM moved
    WHERE day BETWEEN %(old_first)s AND %(old_last)s
    UNION ALL
    SELECT currency, sku, name, -units, -revenue, -lines FROM leaving
    UNION ALL
    SELECT currency, sku, name, units, revenue, lines FROM entering
), folded AS ({_UPSERT_WINDOW}), moved_on AS (
    UPDATE orders_rollupwindow SET first_day = %(first)s, last_day = %(last)s
    WHERE id = 1
)
SELECT currency, sku FROM folded WHERE lines = 0
"""  # noqa: S608  constants of this module only; values are parameters

_REBUILD_WINDOW = f"""
WITH moved AS (
    DELETE FROM orders_skusale WHERE day <= %(last)s RETURNING 1
), changes AS ({_raw_lines("enter_start", "enter_end")}
), folded AS ({_UPSERT_WINDOW}), placed AS (
    INSERT INTO orders_rollupwindow (id, first_day, last_day)
    VALUES (1, %(first)s, %(last)s)
)
SELECT count(*) FROM moved
"""  # noqa: S608  constants of this module only; values are parameters

_REBUILD_SALES = f"""
WITH gone AS (DELETE FROM orders_salesday RETURNING 1)
INSERT INTO orders_salesday (day, currency, orders, revenue)
SELECT (placed_at AT TIME ZONE 'UTC')::date, currency, count(*), sum(total)
FROM orders_order WHERE status IN {_COUNTED}
GROUP BY 1, 2
"""  # noqa: S608  constants of this module only; values are parameters

_REBUILD_STATUSES = """
WITH gone AS (DELETE FROM orders_statuscount RETURNING 1)
INSERT INTO orders_statuscount (status, orders)
SELECT status, count(*) FROM orders_order GROUP BY 1
"""


@dataclass(frozen=True)
class Folded:
    # Days whose sales rows were merged (a fold) or counted (a rebuild).
    sales_days: int
    first_day: date
    last_day: date
    rebuilt: bool


def _locked_today(cursor: Any, today: date | None) -> date:
    """Take the folds' lock; ``today``, or the database's UTC date."""
    cursor.execute(
        "SELECT pg_advisory_xact_lock(%s), (now() AT TIME ZONE 'UTC')::date", [_LOCK]
    )
    day: date = cursor.fetchone()[1]
    return today or day


def _window(today: date) -> tuple[date, date]:
    return today - timedelta(days=WINDOW_DAYS - 1), today


def fold(*, today: date | None = None) -> Folded:
    """Merge the deltas (one row per day, one per status) and move the SKU
    window to end on ``today`` (UTC).

    Safe beside writers and other folds (they wait for each other); the
    window is counted afresh when it has none, when it no longer overlaps
    the new one, or when it ends after ``today``.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        today = _locked_today(cursor, today)
        cursor.execute(_FOLD_SALES)
        sales_days = cursor.rowcount
        cursor.execute(_FOLD_STATUSES)
        first, last = _window(today)
        cursor.execute(
            "SELECT first_day, last_day FROM orders_rollupwindow WHERE id = 1"
        )
        row = cursor.fetchone()
        if row is None or not first <= row[1] <= last:
            _rebuild_window(cursor, first, last)
            return Folded(sales_days, first, last, rebuilt=True)
        old_first, old_last = row
        leave_start, leave_end = report_bounds(old_first, first - timedelta(days=1))
        enter_start, enter_end = report_bounds(old_last + timedelta(days=1), last)
        cursor.execute(
            _MOVE_WINDOW,
            {
                "first": first,
                "last": last,
                "old_first": old_first,
                "old_last": old_last,
                # Empty ranges when the window stays where it is.
                "leave_start": leave_start,
                "leave_end": max(leave_start, leave_end),
                "enter_start": enter_start,
                "enter_end": max(enter_start, enter_end),
            },
        )
        _drop_empty(cursor, cursor.fetchall())
    return Folded(sales_days, first, last, rebuilt=False)


def _drop_empty(cursor: Any, keys: list[tuple[str, str]]) -> None:
    if keys:
        cursor.execute(
            "DELETE FROM orders_skuwindow WHERE (currency, sku) IN "
            "(SELECT * FROM unnest(%s::text[], %s::text[])) "
            "AND lines = 0 AND units = 0 AND revenue = 0",
            [[key[0] for key in keys], [key[1] for key in keys]],
        )


def _rebuild_window(cursor: Any, first: date, last: date) -> None:
    cursor.execute("DELETE FROM orders_skuwindow")
    cursor.execute("DELETE FROM orders_rollupwindow")
    enter_start, enter_end = report_bounds(first, last)
    cursor.execute(
        _REBUILD_WINDOW,
        {
            "first": first,
            "last": last,
            "enter_start": enter_start,
            "enter_end": enter_end,
        },
    )


def defer_rollups(cursor: Any) -> None:
    """Leave the rollups out of the rest of this transaction's writes; the
    caller (a bulk load) calls ``rebuild`` once it is done."""
    cursor.execute("SELECT set_config('pantry.rollups', 'deferred', true)")


def rebuild(*, today: date | None = None) -> Folded:
    """Count every rollup afresh from the orders (after a bulk load with the
    rollup triggers off, or to check them)."""
    with transaction.atomic(), connection.cursor() as cursor:
        today = _locked_today(cursor, today)
        cursor.execute(_REBUILD_SALES)
        sales_days = cursor.rowcount
        cursor.execute(_REBUILD_STATUSES)
        first, last = _window(today)
        _rebuild_window(cursor, first, last)
    return Folded(sales_days, first, last, rebuilt=True)


# The top SKUs of the window that ends today, exact: the window's leaders
# with the deltas not folded yet. Only a SKU with deltas can climb past a
# leader, so the first (limit + SKUs with deltas) leaders hold every other
# SKU of the answer. The first column says whether the window ends today;
# when it does not (no fold since midnight) no row follows it. (Counting the
# orders in a UNION branch of this statement instead would make the planner
# start parallel workers for it even when it is skipped: 12 ms.)
_TOP = """
WITH win AS (
    SELECT FROM orders_rollupwindow
    WHERE id = 1 AND first_day = %(first)s AND last_day = %(last)s
), pending AS (
    SELECT sku, max(name) AS name, sum(units) AS units,
           sum(revenue) AS revenue, sum(lines) AS lines
    FROM orders_skusale
    WHERE currency = %(currency)s AND day BETWEEN %(first)s AND %(last)s
    GROUP BY sku
), leaders AS (
    SELECT sku FROM orders_skuwindow WHERE currency = %(currency)s
    ORDER BY revenue DESC, sku
    LIMIT %(limit)s + (SELECT count(*) FROM pending)
), ranked AS (
    SELECT c.sku, coalesce(greatest(w.name, p.name), w.name, p.name) AS name,
           coalesce(w.units, 0) + coalesce(p.units, 0) AS units,
           coalesce(w.revenue, 0) + coalesce(p.revenue, 0) AS revenue,
           coalesce(w.lines, 0) + coalesce(p.lines, 0) AS lines
    FROM (SELECT sku FROM leaders UNION SELECT sku FROM pending) c
    LEFT JOIN orders_skuwindow w ON w.currency = %(currency)s AND w.sku = c.sku
    LEFT JOIN pending p ON p.sku = c.sku
    WHERE EXISTS (SELECT FROM win)
)
SELECT flag.fresh, r.sku, r.name, r.units, r.revenue, r.lines
FROM (SELECT EXISTS (SELECT FROM win) AS fresh) flag
LEFT JOIN (
    SELECT * FROM ranked WHERE lines > 0 ORDER BY revenue DESC, sku
    LIMIT %(limit)s
) r ON true
ORDER BY r.revenue DESC, r.sku
"""


def window_top(*, today: date, currency: str, limit: int) -> list[TopProduct] | None:
    """The ``limit`` SKUs with the most revenue over the ``WINDOW_DAYS``
    days ending ``today``, as ``queries.top_products`` counts them; None
    when the window has not been moved to ``today`` yet."""
    first, last = _window(today)
    with connection.cursor() as cursor:
        cursor.execute(
            _TOP, {"first": first, "last": last, "currency": currency, "limit": limit}
        )
        rows = cursor.fetchall()
    if not rows[0][0]:
        return None
    return [
        TopProduct(
            sku=row[1],
            name=row[2],
            units=int(row[3]),
            revenue=Decimal(row[4]),
            orders=int(row[5]),
        )
        for row in rows
        if row[1] is not None
    ]


def waiting_for_payment() -> tuple[int, datetime | None]:
    """How many orders are ``placed`` (not paid yet), and the oldest's time:
    a sum of the status deltas, and the head of the status index."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT coalesce(sum(orders), 0) FROM orders_statuscount"
            " WHERE status = 'placed'),"
            " (SELECT min(placed_at) FROM orders_order WHERE status = 'placed')"
        )
        count, oldest = cursor.fetchone()
    return int(count), oldest
