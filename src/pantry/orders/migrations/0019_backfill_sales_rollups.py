from django.db import migrations

COUNTED = "('paid', 'shipped', 'delivered')"

# The rollups counted from the orders, as orders.rollups.rebuild did when
# this was written (the SQL is kept here so later changes to that module
# cannot change this migration). Each statement reads one snapshot and
# takes the deltas it sees, so writes during the count are neither lost
# nor counted twice; the write locks of the orders are never taken.
# Measured at 5 million orders: 6 s (docs/reports.md).
SALES = f"""
WITH gone AS (DELETE FROM orders_salesday RETURNING 1)
INSERT INTO orders_salesday (day, currency, orders, revenue)
SELECT (placed_at AT TIME ZONE 'UTC')::date, currency, count(*), sum(total)
FROM orders_order WHERE status IN {COUNTED}
GROUP BY 1, 2
"""

WINDOW = f"""
WITH bounds AS (
    SELECT (now() AT TIME ZONE 'UTC')::date AS last_day
), moved AS (
    DELETE FROM orders_skusale WHERE day <= (SELECT last_day FROM bounds)
    RETURNING 1
), filled AS (
    INSERT INTO orders_skuwindow (currency, sku, name, units, revenue, lines)
    SELECT o.currency, l.sku,
           max(coalesce(nullif(l.variant_name, ''), l.product_name)),
           sum(l.quantity), sum(l.line_total), count(*)
    FROM orders_order o JOIN orders_orderline l ON l.order_id = o.id, bounds
    WHERE o.status IN {COUNTED}
      AND o.placed_at >= (bounds.last_day - 29)::timestamp AT TIME ZONE 'UTC'
      AND o.placed_at < (bounds.last_day + 1)::timestamp AT TIME ZONE 'UTC'
    GROUP BY 1, 2
)
INSERT INTO orders_rollupwindow (id, first_day, last_day)
SELECT 1, last_day - 29, last_day FROM bounds
"""

CLEAR = tuple(
    f"DELETE FROM {table}"
    for table in (
        "orders_rollupwindow",
        "orders_skuwindow",
        "orders_skusale",
        "orders_salesday",
    )
)


class Migration(migrations.Migration):
    dependencies = [("orders", "0018_sales_rollup_triggers")]

    operations = [
        migrations.RunSQL(
            sql=[
                # The advisory lock of orders.rollups: no fold runs meanwhile.
                "SELECT pg_advisory_xact_lock(387055677469)",
                *CLEAR[:2],
                SALES,
                WINDOW,
            ],
            reverse_sql=CLEAR,
        )
    ]
