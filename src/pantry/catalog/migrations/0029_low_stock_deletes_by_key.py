from importlib import import_module

from django.db import migrations

from pantry.core.migration_ops import replaced

# The low-stock rows to delete are found by key (an index probe per id of
# an array built once) rather than by a join with the transition rows:
# with statistics taken while the table was nearly empty, that join was a
# nested loop reading the changed rows once per low-stock row.
PAIRED = import_module("pantry.catalog.migrations.0028_pair_transition_rows")

BEFORE = PAIRED.VARIANTS
AFTER = replaced(
    BEFORE,
    (
        "DELETE FROM catalog_lowstockvariant l\n        USING ",
        "DELETE FROM catalog_lowstockvariant\n"
        "        WHERE variant_id = ANY (ARRAY(SELECT n.id FROM ",
    ),
    (
        "WHERE l.variant_id = n.id AND o.stock BETWEEN 1 AND 5\n"
        "          AND n.stock NOT BETWEEN 1 AND 5;",
        "WHERE o.stock BETWEEN 1 AND 5\n          AND n.stock NOT BETWEEN 1 AND 5));",
    ),
    (
        "WHERE variant_id IN (SELECT id FROM old_rows);",
        "WHERE variant_id = ANY (ARRAY(SELECT id FROM old_rows));",
    ),
)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0028_pair_transition_rows")]

    operations = [migrations.RunSQL(sql=[AFTER], reverse_sql=[BEFORE])]
