from importlib import import_module

from django.db import migrations

# 0018's function, now also counting orders per status (one delta row per
# status a statement changed), so the dashboard's unpaid orders are a sum
# of a few rows, not a count of an index range.
ROLLUPS = import_module("pantry.orders.migrations.0018_sales_rollup_triggers")
PREVIOUS = ROLLUPS.ORDERS_FUNCTION.replace(
    "CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1
)

_INSERTED = """
        INSERT INTO orders_statuscount (status, orders)
        SELECT status, count(*) FROM new_rows GROUP BY status;
"""
_DELETED = """
        INSERT INTO orders_statuscount (status, orders)
        SELECT status, -count(*) FROM old_rows GROUP BY status;
"""
_UPDATED = """
        INSERT INTO orders_statuscount (status, orders)
        SELECT status, sum(sign) FROM (
            SELECT o.status, -1 AS sign FROM old_rows o JOIN new_rows n USING (id)
            WHERE o.status IS DISTINCT FROM n.status
            UNION ALL
            SELECT n.status, 1 FROM old_rows o JOIN new_rows n USING (id)
            WHERE o.status IS DISTINCT FROM n.status
        ) moved GROUP BY status HAVING sum(sign) <> 0;
"""


def _with_status_counts(body: str) -> str:
    marks = [
        (
            "        DELETE FROM orders_rollupwindow;\n",
            "        DELETE FROM orders_statuscount;\n",
        ),
        ("    ELSIF TG_OP = 'DELETE' THEN\n", _INSERTED),
        ("    ELSE\n        -- Only rows", _DELETED),
        ("    END IF;\n    RETURN NULL;", _UPDATED),
    ]
    for mark, added in marks:
        assert body.count(mark) == 1, mark
        if mark.startswith("        DELETE"):
            body = body.replace(mark, mark + added)
        else:
            body = body.replace(mark, added.lstrip("\n") + mark)
    return body


FUNCTION = _with_status_counts(PREVIOUS)

# Writers wait (SHARE lock) while the orders are counted, so no change falls
# between the count and the new function: one scan of the status index.
BACKFILL = [
    "LOCK TABLE orders_order IN SHARE MODE",
    "INSERT INTO orders_statuscount (status, orders) "
    "SELECT status, count(*) FROM orders_order GROUP BY status",
]


class Migration(migrations.Migration):
    dependencies = [("orders", "0020_status_counts")]

    operations = [
        migrations.RunSQL(
            sql=[*BACKFILL, FUNCTION],
            reverse_sql=[PREVIOUS, "DELETE FROM orders_statuscount"],
        )
    ]
