from importlib import import_module

from django.db import migrations

from pantry.core.migration_ops import few_or_paired, paired_rows, replaced

# Past a few rows, the rollup triggers pair old and new rows with one aggregate instead of a
# join of the two transition tables (pantry.core.migration_ops.paired_rows):
# a plan cached for a one-row update made a later bulk update of orders or
# lines on the same connection quadratic.
ROLLUPS = import_module("pantry.orders.migrations.0018_sales_rollup_triggers")
STATUS = import_module("pantry.orders.migrations.0021_status_count_triggers")

JOIN = "old_rows o JOIN new_rows n USING (id)"
ORDERS_BEFORE = STATUS.FUNCTION
ORDERS = few_or_paired(
    ORDERS_BEFORE, replaced(ORDERS_BEFORE, (JOIN, paired_rows("orders_order")))
)
LINES_BEFORE = ROLLUPS.LINES_FUNCTION.replace(
    "CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1
)
LINES = few_or_paired(
    LINES_BEFORE, replaced(LINES_BEFORE, (JOIN, paired_rows("orders_orderline")))
)


class Migration(migrations.Migration):
    dependencies = [("orders", "0021_status_count_triggers")]

    operations = [
        migrations.RunSQL(
            sql=[ORDERS, LINES], reverse_sql=[ORDERS_BEFORE, LINES_BEFORE]
        )
    ]
