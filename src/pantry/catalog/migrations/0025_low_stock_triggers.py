from importlib import import_module

from django.db import migrations

# 0023's function, and the low-stock rows kept beside the summary: a variant
# with 1 to 5 units left (catalog.models.LOW_STOCK) has one. Only rows whose
# stock or SKU changed are looked at, so an order taking 100 down to 99
# writes nothing here.
BODY = """
CREATE OR REPLACE FUNCTION catalog_variant_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    changed bigint[];
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM catalog_productsummary;
        DELETE FROM catalog_lowstockvariant;
    ELSIF TG_OP = 'INSERT' THEN
        PERFORM catalog_sync_product_summary(
            ARRAY(SELECT DISTINCT product_id FROM new_rows));
        INSERT INTO catalog_lowstockvariant (variant_id, sku, stock)
        SELECT id, sku, stock FROM new_rows WHERE stock BETWEEN 1 AND 5;
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM catalog_sync_product_summary(
            ARRAY(SELECT DISTINCT product_id FROM old_rows));
        DELETE FROM catalog_lowstockvariant
        WHERE variant_id IN (SELECT id FROM old_rows);
    ELSE
        -- Only rows whose price, product or in-stock state changed matter
        -- (an update of options, or of stock from 5 to 4, costs nothing).
        changed := ARRAY(
            SELECT n.product_id FROM new_rows n JOIN old_rows o USING (id)
            WHERE (n.price, n.stock > 0, n.product_id)
                  IS DISTINCT FROM (o.price, o.stock > 0, o.product_id)
            UNION
            SELECT o.product_id FROM new_rows n JOIN old_rows o USING (id)
            WHERE n.product_id IS DISTINCT FROM o.product_id);
        IF cardinality(changed) > 0 THEN
            PERFORM catalog_sync_product_summary(changed);
        END IF;
        DELETE FROM catalog_lowstockvariant l
        USING new_rows n JOIN old_rows o USING (id)
        WHERE l.variant_id = n.id AND o.stock BETWEEN 1 AND 5
          AND n.stock NOT BETWEEN 1 AND 5;
        INSERT INTO catalog_lowstockvariant (variant_id, sku, stock)
        SELECT n.id, n.sku, n.stock FROM new_rows n JOIN old_rows o USING (id)
        WHERE n.stock BETWEEN 1 AND 5
          AND (n.stock, n.sku) IS DISTINCT FROM (o.stock, o.sku)
        ON CONFLICT (variant_id) DO UPDATE
            SET sku = EXCLUDED.sku, stock = EXCLUDED.stock;
    END IF;
    RETURN NULL;
END
$$
"""

PREVIOUS = import_module(
    "pantry.catalog.migrations.0023_summary_sync_on_stock_crossing_zero"
).BODY

# Stock writers wait (SHARE lock) while the rows are counted, so none is
# missed between the count and the new function: one scan of the variants.
BACKFILL = [
    "LOCK TABLE catalog_variant IN SHARE MODE",
    "INSERT INTO catalog_lowstockvariant (variant_id, sku, stock) "
    "SELECT id, sku, stock FROM catalog_variant WHERE stock BETWEEN 1 AND 5",
]


class Migration(migrations.Migration):
    dependencies = [("catalog", "0024_low_stock_variants")]

    operations = [
        migrations.RunSQL(
            sql=[*BACKFILL, BODY],
            reverse_sql=[PREVIOUS, "DELETE FROM catalog_lowstockvariant"],
        )
    ]
