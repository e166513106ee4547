from django.db import migrations

BATCH = 50_000

# The display name of catalog.models.variant_name in SQL: the product name
# as sold, then the variant's option values in jsonb's key order, which is
# the order Python reads them in. The variant's options of today, since
# older lines kept none: the best name there is for them.
NAME_BATCH = """
UPDATE orders_orderline l
SET variant_name = left(l.product_name || coalesce(', ' || (
        SELECT string_agg(o.value, ', ' ORDER BY o.n)
        FROM jsonb_each_text(v.options) WITH ORDINALITY AS o(key, value, n)
        WHERE o.value <> ''), ''), 300)
FROM catalog_variant v
WHERE v.sku = l.sku AND l.variant_name = '' AND l.id >= %s AND l.id < %s
"""


def name_lines(apps, schema_editor):
    """Name every older line, in batches of ids so no lock is held for long."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM orders_orderline")
        low, high = cursor.fetchone()
        if low is None:
            return
        cursor.execute("SET lock_timeout = '5s'")
        for start in range(low, high + 1, BATCH):
            # Outside a transaction each batch commits on its own.
            cursor.execute(NAME_BATCH, [start, start + BATCH])
        cursor.execute("RESET lock_timeout")


def forget_names(apps, schema_editor):
    """Undo: lines show the product name again, as before the column."""
    apps.get_model("orders", "OrderLine").objects.update(variant_name="")


class Migration(migrations.Migration):
    """Name the lines placed before variant names were kept.

    Not atomic: each batch commits, so a large history does not hold one
    long transaction (the lines stay readable and writable meanwhile).
    Lines whose SKU no longer exists keep '' and show the product name.
    """

    atomic = False

    dependencies = [
        ("orders", "0014_add_orderline_variant_name"),
        ("catalog", "0001_create_catalog"),
    ]

    operations = [migrations.RunPython(name_lines, forget_names, elidable=True)]
