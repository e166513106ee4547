from django.db import migrations

# The summary of a product's variants as in 0003, now also holding the
# product's category: copied when the summary row is created, and again by
# a row trigger on catalog_product whenever a product changes category.
SYNC_BODY = """
CREATE OR REPLACE FUNCTION catalog_sync_product_summary(ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    created bigint[];
BEGIN
    {category_lock}
    -- Products without a summary yet get one straight away. A concurrent
    -- writer of the same product makes this insert wait, then do nothing,
    -- so that product goes through the locked recompute below instead.
    WITH inserted AS (
        INSERT INTO catalog_productsummary
            (product_id, {category_column} price_min, price_max, has_stock)
        SELECT v.product_id, {category_value} min(v.price), max(v.price),
               bool_or(v.stock > 0)
        FROM catalog_variant v
        JOIN unnest(ids) AS changed(id) ON v.product_id = changed.id
        {category_join}
        GROUP BY v.product_id {category_group}
        ORDER BY v.product_id
        ON CONFLICT (product_id) DO NOTHING
        RETURNING product_id
    )
    SELECT coalesce(array_agg(product_id), '{{}}') INTO created FROM inserted;

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

SYNC_WITH_CATEGORY = SYNC_BODY.format(
    # A product about to get its first summary is share-locked first: a
    # concurrent change of its category then either committed before (and
    # is read here) or waits until this transaction ends. Products that
    # have a summary already (every stock change) take no lock.
    category_lock="""PERFORM 1 FROM catalog_product p
    JOIN unnest(ids) AS changed(id) ON p.id = changed.id
    WHERE NOT EXISTS (
        SELECT 1 FROM catalog_productsummary s WHERE s.product_id = p.id
    )
    ORDER BY p.id
    FOR SHARE OF p;
""",
    category_column="category_id,",
    category_value="p.category_id,",
    category_join="JOIN catalog_product p ON p.id = v.product_id",
    category_group=", p.category_id",
)
SYNC_WITHOUT_CATEGORY = SYNC_BODY.format(
    category_lock="",
    category_column="",
    category_value="",
    category_join="",
    category_group="",
)

CATEGORY_FUNCTION = """
CREATE FUNCTION catalog_product_category_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalog_productsummary SET category_id = NEW.category_id
    WHERE product_id = NEW.id;
    RETURN NULL;
END
$$
"""
CATEGORY_TRIGGER = """
CREATE TRIGGER catalog_product_category_changed
AFTER UPDATE OF category_id ON catalog_product
FOR EACH ROW WHEN (OLD.category_id IS DISTINCT FROM NEW.category_id)
EXECUTE FUNCTION catalog_product_category_changed()
"""


class Migration(migrations.Migration):
    """Stage 2 of 4: triggers keep the summary's category from now on."""

    dependencies = [("catalog", "0007_add_productsummary_category")]

    operations = [
        migrations.RunSQL(
            sql=[SYNC_WITH_CATEGORY, CATEGORY_FUNCTION, CATEGORY_TRIGGER],
            reverse_sql=[
                "DROP TRIGGER catalog_product_category_changed ON catalog_product",
                "DROP FUNCTION catalog_product_category_changed()",
                SYNC_WITHOUT_CATEGORY,
            ],
        ),
    ]
