from django.db import migrations

# The summary of the products whose variants changed is recomputed after each
# statement (one trigger run per COPY or bulk UPDATE, not per row).
SYNC_FUNCTION = """
CREATE FUNCTION catalog_sync_product_summary(ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    created bigint[];
BEGIN
    -- Products without a summary yet get one straight away. A concurrent
    -- writer of the same product makes this insert wait, then do nothing,
    -- so that product goes through the locked recompute below instead.
    WITH inserted AS (
        INSERT INTO catalog_productsummary
            (product_id, price_min, price_max, has_stock)
        SELECT v.product_id, min(v.price), max(v.price), bool_or(v.stock > 0)
        FROM catalog_variant v
        JOIN unnest(ids) AS changed(id) ON v.product_id = changed.id
        GROUP BY v.product_id
        ORDER BY v.product_id
        ON CONFLICT (product_id) DO NOTHING
        RETURNING product_id
    )
    SELECT coalesce(array_agg(product_id), '{}') INTO created FROM inserted;

    ids := ARRAY(SELECT unnest(ids) EXCEPT SELECT unnest(created));
    IF cardinality(ids) = 0 THEN
        RETURN;
    END IF;

    -- Lock in product order (no deadlock between two such statements), then
    -- recompute: under READ COMMITTED the next statements take a fresh
    -- snapshot, so they see the variants of writers that held these locks.
    PERFORM 1 FROM catalog_productsummary s
    JOIN unnest(ids) AS changed(id) ON s.product_id = changed.id
    ORDER BY s.product_id
    FOR UPDATE OF s;

    DELETE FROM catalog_productsummary s
    USING unnest(ids) AS changed(id)
    WHERE s.product_id = changed.id
      AND NOT EXISTS (
          SELECT 1 FROM catalog_variant v WHERE v.product_id = s.product_id
      );

    UPDATE catalog_productsummary s
    SET price_min = fresh.price_min,
        price_max = fresh.price_max,
        has_stock = fresh.has_stock
    FROM (
        SELECT v.product_id, min(v.price) AS price_min,
               max(v.price) AS price_max, bool_or(v.stock > 0) AS has_stock
        FROM catalog_variant v
        JOIN unnest(ids) AS changed(id) ON v.product_id = changed.id
        GROUP BY v.product_id
    ) AS fresh
    WHERE s.product_id = fresh.product_id
      AND (s.price_min, s.price_max, s.has_stock)
          IS DISTINCT FROM (fresh.price_min, fresh.price_max, fresh.has_stock);
END
$$
"""

TRIGGER_FUNCTION = """
CREATE FUNCTION catalog_variant_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
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
        -- Only rows whose price, stock or product changed matter (an update
        -- of options alone costs nothing).
        PERFORM catalog_sync_product_summary(ARRAY(
            SELECT n.product_id FROM new_rows n JOIN old_rows o USING (id)
            WHERE (n.price, n.stock, n.product_id)
                  IS DISTINCT FROM (o.price, o.stock, o.product_id)
            UNION
            SELECT o.product_id FROM new_rows n JOIN old_rows o USING (id)
            WHERE n.product_id IS DISTINCT FROM o.product_id));
    END IF;
    RETURN NULL;
END
$$
"""

TRIGGERS = [
    "CREATE TRIGGER catalog_variant_inserted AFTER INSERT ON catalog_variant "
    "REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION catalog_variant_changed()",
    "CREATE TRIGGER catalog_variant_updated AFTER UPDATE ON catalog_variant "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION catalog_variant_changed()",
    "CREATE TRIGGER catalog_variant_deleted AFTER DELETE ON catalog_variant "
    "REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION catalog_variant_changed()",
    "CREATE TRIGGER catalog_variant_truncated AFTER TRUNCATE ON catalog_variant "
    "FOR EACH STATEMENT EXECUTE FUNCTION catalog_variant_changed()",
]

BACKFILL = """
INSERT INTO catalog_productsummary (product_id, price_min, price_max, has_stock)
SELECT product_id, min(price), max(price), bool_or(stock > 0)
FROM catalog_variant GROUP BY product_id
"""


class Migration(migrations.Migration):
    """Triggers that keep ``catalog_productsummary`` in step with variants."""

    dependencies = [("catalog", "0002_add_product_summary")]

    operations = [
        migrations.RunSQL(
            sql=[SYNC_FUNCTION, TRIGGER_FUNCTION, *TRIGGERS, BACKFILL],
            reverse_sql=[
                "DELETE FROM catalog_productsummary",
                "DROP TRIGGER catalog_variant_truncated ON catalog_variant",
                "DROP TRIGGER catalog_variant_deleted ON catalog_variant",
                "DROP TRIGGER catalog_variant_updated ON catalog_variant",
                "DROP TRIGGER catalog_variant_inserted ON catalog_variant",
                "DROP FUNCTION catalog_variant_changed()",
                "DROP FUNCTION catalog_sync_product_summary(bigint[])",
            ],
        ),
    ]
