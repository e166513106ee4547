from django.db import migrations

# Revenue statuses as they were when this migration was written
# (orders.models.REVENUE_STATUSES); a change to them needs a new migration.
COUNTED = "('paid', 'shipped', 'delivered')"

# A bulk load sets pantry.rollups to 'deferred' for its transaction (SET
# LOCAL, so it holds behind PgBouncer too) and rebuilds the rollups once.
#
# Deltas of the rows a statement changed, signed: +1 for a row that counts
# now, -1 for one that counted before. Orders give the day's sales and, with
# their lines, the SKUs' sales; inserts only, so writers never wait on a
# shared row. `changes` is (id, placed_at, currency, total, sign).
_APPEND = """
    sales AS (
        INSERT INTO orders_salesday (day, currency, orders, revenue)
        SELECT (placed_at AT TIME ZONE 'UTC')::date, currency, sum(sign),
               sum(sign * total)
        FROM changes GROUP BY 1, 2
        HAVING sum(sign) <> 0 OR sum(sign * total) <> 0
    )
    INSERT INTO orders_skusale (day, currency, sku, name, units, revenue, lines)
    SELECT (c.placed_at AT TIME ZONE 'UTC')::date, c.currency, l.sku,
           max(coalesce(nullif(l.variant_name, ''), l.product_name)),
           sum(c.sign * l.quantity), sum(c.sign * l.line_total), sum(c.sign)
    FROM changes c JOIN orders_orderline l ON l.order_id = c.id
    GROUP BY 1, 2, 3
    HAVING sum(c.sign) <> 0 OR sum(c.sign * l.line_total) <> 0;
"""

ORDERS_FUNCTION = f"""
CREATE FUNCTION orders_rollup_orders() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('pantry.rollups', true) = 'deferred' THEN
        RETURN NULL;  -- a bulk load that rebuilds the rollups after it
    END IF;
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM orders_salesday;
        DELETE FROM orders_skusale;
        DELETE FROM orders_skuwindow;
        DELETE FROM orders_rollupwindow;
    ELSIF TG_OP = 'INSERT' THEN
        WITH changes AS (
            SELECT id, placed_at, currency, total, 1 AS sign
            FROM new_rows WHERE status IN {COUNTED}
        ), {_APPEND}
    ELSIF TG_OP = 'DELETE' THEN
        WITH changes AS (
            SELECT id, placed_at, currency, total, -1 AS sign
            FROM old_rows WHERE status IN {COUNTED}
        ), {_APPEND}
    ELSE
        -- Only rows whose counting, day, currency or total changed matter
        -- (setting a payment window or a refunded total costs nothing).
        WITH diff AS (
            SELECT o.id, o.placed_at AS old_at, o.currency AS old_currency,
                   o.total AS old_total, o.status IN {COUNTED} AS old_counted,
                   n.placed_at, n.currency, n.total,
                   n.status IN {COUNTED} AS counted
            FROM old_rows o JOIN new_rows n USING (id)
            WHERE (o.status IN {COUNTED}, o.placed_at, o.currency, o.total)
                  IS DISTINCT FROM
                  (n.status IN {COUNTED}, n.placed_at, n.currency, n.total)
        ), changes AS (
            SELECT id, old_at AS placed_at, old_currency AS currency,
                   old_total AS total, -1 AS sign
            FROM diff WHERE old_counted
            UNION ALL
            SELECT id, placed_at, currency, total, 1 FROM diff WHERE counted
        ), {_APPEND}
    END IF;
    RETURN NULL;
END
$$
"""

# Lines of orders that count, added or taken away (lines are written after
# their order, and removed before it).
_LINES = """
        INSERT INTO orders_skusale (day, currency, sku, name, units, revenue, lines)
        SELECT (o.placed_at AT TIME ZONE 'UTC')::date, o.currency, l.sku,
               max(coalesce(nullif(l.variant_name, ''), l.product_name)),
               sum(l.sign * l.quantity), sum(l.sign * l.line_total), sum(l.sign)
        FROM changes l JOIN orders_order o ON o.id = l.order_id
        WHERE o.status IN {counted}
        GROUP BY 1, 2, 3
        HAVING sum(l.sign) <> 0 OR sum(l.sign * l.line_total) <> 0;
""".format(counted=COUNTED)

LINES_FUNCTION = f"""
CREATE FUNCTION orders_rollup_lines() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('pantry.rollups', true) = 'deferred' THEN
        RETURN NULL;  -- a bulk load that rebuilds the rollups after it
    END IF;
    IF TG_OP = 'INSERT' THEN
        WITH changes AS (
            SELECT order_id, sku, variant_name, product_name, quantity,
                   line_total, 1 AS sign FROM new_rows
        ) {_LINES}
    ELSIF TG_OP = 'DELETE' THEN
        WITH changes AS (
            SELECT order_id, sku, variant_name, product_name, quantity,
                   line_total, -1 AS sign FROM old_rows
        ) {_LINES}
    ELSE
        WITH diff AS (
            SELECT o.order_id AS old_order, o.sku AS old_sku,
                   o.variant_name AS old_variant, o.product_name AS old_product,
                   o.quantity AS old_quantity, o.line_total AS old_total,
                   n.order_id, n.sku, n.variant_name, n.product_name,
                   n.quantity, n.line_total
            FROM old_rows o JOIN new_rows n USING (id)
            WHERE (o.order_id, o.sku, o.quantity, o.line_total)
                  IS DISTINCT FROM (n.order_id, n.sku, n.quantity, n.line_total)
        ), changes AS (
            SELECT old_order AS order_id, old_sku AS sku,
                   old_variant AS variant_name, old_product AS product_name,
                   old_quantity AS quantity, old_total AS line_total, -1 AS sign
            FROM diff
            UNION ALL
            SELECT order_id, sku, variant_name, product_name, quantity,
                   line_total, 1 FROM diff
        ) {_LINES}
    END IF;
    RETURN NULL;
END
$$
"""

TRIGGERS = [
    "CREATE TRIGGER orders_rollup_insert AFTER INSERT ON orders_order "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION orders_rollup_orders()",
    "CREATE TRIGGER orders_rollup_update AFTER UPDATE ON orders_order "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION orders_rollup_orders()",
    "CREATE TRIGGER orders_rollup_delete AFTER DELETE ON orders_order "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION orders_rollup_orders()",
    "CREATE TRIGGER orders_rollup_truncate AFTER TRUNCATE ON orders_order "
    "FOR EACH STATEMENT EXECUTE FUNCTION orders_rollup_orders()",
    "CREATE TRIGGER orders_rollup_lines_insert AFTER INSERT ON orders_orderline "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION orders_rollup_lines()",
    "CREATE TRIGGER orders_rollup_lines_update AFTER UPDATE ON orders_orderline "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION orders_rollup_lines()",
    "CREATE TRIGGER orders_rollup_lines_delete AFTER DELETE ON orders_orderline "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION orders_rollup_lines()",
]

DROP_TRIGGERS = [
    f"DROP TRIGGER {statement.split()[2]} ON {statement.split()[6]}"
    for statement in TRIGGERS
]


class Migration(migrations.Migration):
    dependencies = [("orders", "0017_sales_rollups")]

    operations = [
        migrations.RunSQL(
            sql=[ORDERS_FUNCTION, LINES_FUNCTION, *TRIGGERS],
            reverse_sql=[
                *reversed(DROP_TRIGGERS),
                "DROP FUNCTION orders_rollup_lines()",
                "DROP FUNCTION orders_rollup_orders()",
            ],
        )
    ]
