from django.db import migrations

# Every table the catalog's pages and API read moves the content generation
# (core 0006) when a write to it commits, so a cached page or response is
# never served after the data it shows has changed (pantry.core.pagecache).
# The low-stock list is the admin's only and is left out.
TABLES = [
    "catalog_category",
    "catalog_product",
    "catalog_variant",
    "catalog_promotion",
    "catalog_productsummary",
    "catalog_productimage",
    "catalog_imagerendition",
    "catalog_facetcount",
]

# CREATE TRIGGER takes a short SHARE ROW EXCLUSIVE lock on each table: give
# up rather than queue behind a long transaction and stall its writers.
LOCK_TIMEOUT = "SET LOCAL lock_timeout = '5s'"
FORWARD = ";\n".join(
    [LOCK_TIMEOUT, *(f"SELECT core_watch_table('{t}')" for t in TABLES)]
)
BACKWARD = ";\n".join(
    [LOCK_TIMEOUT, *(f"SELECT core_unwatch_table('{t}')" for t in TABLES)]
)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0025_low_stock_triggers"),
        ("core", "0006_content_generation"),
    ]

    operations = [migrations.RunSQL(FORWARD, reverse_sql=BACKWARD)]
