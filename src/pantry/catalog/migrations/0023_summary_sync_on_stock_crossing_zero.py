from importlib import import_module

from django.db import migrations

# A product's summary holds its price range and whether any variant is in
# stock, so a stock change matters only when it crosses zero. Checkout
# changes stock on every order; most of those changes leave the summary as
# it was, and skipping them saves the summary's locking recompute (and the
# facet triggers its statements fire) on every order placed.
BODY = """
CREATE OR REPLACE FUNCTION catalog_variant_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    changed bigint[];
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM catalog_productsummary;
    ELSIF TG_OP = 'INSERT' THEN
        PERFORM catalog_sync_product_summary(
            ARRAY(SELECT DISTINCT product_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM catalog_sync_product_summary(
            ARRAY(SELECT DISTINCT product_id FROM old_rows));
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
    END IF;
    RETURN NULL;
END
$$
"""

# The reverse is 0003's function as it was.
PREVIOUS = import_module(
    "pantry.catalog.migrations.0003_product_summary_triggers"
).TRIGGER_FUNCTION.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0022_add_summary_price_max_indexes")]

    operations = [migrations.RunSQL(sql=BODY, reverse_sql=PREVIOUS)]
