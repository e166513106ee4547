from django.db import migrations

# Every table the catalog's pages and API read moves the content generation
# (core 0006) when a write to it commits, so a cached page or response is
# never served after the data it shows has changed (pantry.core.pagecache).
# The low-stock list is the admin's only and is left out.
TABLES = [
    "catalog_category",
    "catalog_product",
    "catalog_promotion",
    "catalog_productsummary",
    "catalog_productimage",
    "catalog_imagerendition",
    "catalog_facetcount",
]

# An update of variants that changes only their stock moves "catalog_stock"
# instead: an order's stock change ends only the pages that show stock
# counts (a product page, the API), not the lists, which show only whether
# a product is in stock; crossing zero rewrites the product's summary (and
# facet counts), which moves "content". Any other write moves "content".
VARIANTS = """
CREATE FUNCTION catalog_variant_generation() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM new_rows n JOIN old_rows o USING (id)
        WHERE (to_jsonb(n) - 'stock') IS DISTINCT FROM (to_jsonb(o) - 'stock')
    ) THEN
        PERFORM core_generation_move('content');
    ELSIF EXISTS (SELECT 1 FROM new_rows) THEN
        PERFORM core_generation_move('catalog_stock');
    END IF;
    RETURN NULL;
END
$$;

SELECT core_generation_add('catalog_stock');

CREATE TRIGGER catalog_variant_generation AFTER UPDATE ON catalog_variant
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION catalog_variant_generation();

CREATE TRIGGER catalog_variant_generation_rows
AFTER INSERT OR DELETE OR TRUNCATE ON catalog_variant
FOR EACH STATEMENT EXECUTE FUNCTION core_generation_bump('content');
"""

DROP_VARIANTS = """
DROP TRIGGER catalog_variant_generation_rows ON catalog_variant;
DROP TRIGGER catalog_variant_generation ON catalog_variant;
SELECT core_generation_remove('catalog_stock');
DROP FUNCTION catalog_variant_generation();
"""

# CREATE TRIGGER takes a short SHARE ROW EXCLUSIVE lock on each table: give
# up rather than queue behind a long transaction and stall its writers.
LOCK_TIMEOUT = "SET LOCAL lock_timeout = '5s'"
FORWARD = ";\n".join(
    [LOCK_TIMEOUT, *(f"SELECT core_watch_table('{t}')" for t in TABLES), VARIANTS]
)
BACKWARD = ";\n".join(
    [
        LOCK_TIMEOUT,
        *(f"SELECT core_unwatch_table('{t}')" for t in TABLES),
        DROP_VARIANTS,
    ]
)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0025_low_stock_triggers"),
        ("core", "0006_content_generation"),
    ]

    operations = [migrations.RunSQL(FORWARD, reverse_sql=BACKWARD)]
