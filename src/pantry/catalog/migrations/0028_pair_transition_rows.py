from importlib import import_module
from textwrap import indent

from django.db import migrations

from pantry.core.migration_ops import FEW_ROWS, few_or_paired, paired_rows, replaced

# Past a few rows, the catalog's triggers pair old and new rows with one
# aggregate instead of a join of the two transition tables
# (pantry.core.migration_ops): a plan cached for a one-row update made a
# later bulk update of variants, products or summaries on the same
# connection quadratic. Nor do the facet and watch checks use EXISTS over a
# join there, which PostgreSQL costs to stop at the first match and so plans
# as that nested loop even for a fresh million-row update.
LOW_STOCK = import_module("pantry.catalog.migrations.0025_low_stock_triggers")
FACETS = import_module("pantry.catalog.migrations.0021_facet_count_triggers")
WATCH = import_module("pantry.catalog.migrations.0026_watch_generation")

VARIANT_JOIN = "new_rows n JOIN old_rows o USING (id)"
VARIANTS_BEFORE = LOW_STOCK.BODY
VARIANTS = few_or_paired(
    VARIANTS_BEFORE,
    replaced(VARIANTS_BEFORE, (VARIANT_JOIN, paired_rows("catalog_variant"))),
)

WATCH_BEFORE = (
    WATCH.VARIANTS.split("$$;")[0].replace(
        "CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1
    )
    + "$$"
)
# Its only branch is the update's: the few-rows test wraps all of it.
_HEAD, _REST = WATCH_BEFORE.split("BEGIN\n", 1)
_CHECKS, _TAIL = _REST.split("    RETURN NULL;", 1)
WATCHED = (
    f"{_HEAD}BEGIN\n    IF (SELECT count(*) FROM new_rows) <= {FEW_ROWS} THEN\n"
    + indent(_CHECKS, "    ")
    + "    ELSE\n"
    + indent(replaced(_CHECKS, (VARIANT_JOIN, paired_rows("catalog_variant"))), "    ")
    + f"    END IF;\n    RETURN NULL;{_TAIL}"
)

PRODUCTS = paired_rows("catalog_product")
MOVED = (
    "(n.is_active, n.category_id, n.tags)"
    " IS DISTINCT FROM (o.is_active, o.category_id, o.tags)"
)
PRODUCT_BEFORE = FACETS.PRODUCT_FUNCTION.replace(
    "CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1
)
PRODUCT_PAIRED = replaced(
    PRODUCT_BEFORE,
    (VARIANT_JOIN, PRODUCTS),
    # An = ANY over the array rescans it for every transition row.
    (
        "(SELECT * FROM new_rows WHERE id = ANY (changed))",
        f"(SELECT n.* FROM {PRODUCTS} WHERE {MOVED})",
    ),
    (
        "(SELECT * FROM old_rows WHERE id = ANY (changed))",
        f"(SELECT o.* FROM {PRODUCTS} WHERE {MOVED})",
    ),
)
SUMMARY_BEFORE = FACETS.SUMMARY_FUNCTION.replace(
    "CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1
)
PRODUCT = few_or_paired(PRODUCT_BEFORE, PRODUCT_PAIRED)
SUMMARY_PAIRED = replaced(
    SUMMARY_BEFORE,
    (
        "new_rows n JOIN old_rows o USING (product_id)",
        paired_rows("catalog_productsummary", "product_id"),
    ),
)
SUMMARY = few_or_paired(SUMMARY_BEFORE, SUMMARY_PAIRED)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0027_add_promotion_boundary_indexes")]

    operations = [
        migrations.RunSQL(
            sql=[VARIANTS, WATCHED, PRODUCT, SUMMARY],
            reverse_sql=[VARIANTS_BEFORE, WATCH_BEFORE, PRODUCT_BEFORE, SUMMARY_BEFORE],
        )
    ]
