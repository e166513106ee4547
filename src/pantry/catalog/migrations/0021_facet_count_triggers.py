from django.db import migrations

# catalog_facetcount holds, per category and tag ('' for the category's
# totals; category 0 for the whole catalog, so that the unfiltered facets
# read a few hundred rows), the active products and how many of them have
# stock: the join
# of active products with their summaries' has_stock, counted. Each
# statement-level trigger adds the change of that join caused by its own
# table's rows, read against the other table as it is now:
#
# - catalog_product (insert, delete, and updates of is_active, category_id
#   or tags): the products count, and in_stock from the current summary.
#   Before reading summaries it share-locks them, so a concurrent stock
#   flip of the same product either committed first (and is read) or waits
#   for this transaction, then reads the product as this one left it.
# - catalog_productsummary (insert, delete, has_stock flips only): in_stock
#   of the product as it is now. Stock changes that leave has_stock alone
#   (most order placements) touch no facet row.
#
# Locks are taken product rows, then summary rows, then facet rows in key
# order, by every path, so no two writers wait on each other in a circle.
KEYS_FUNCTION = """
CREATE FUNCTION catalog_facet_keys(tags text[]) RETURNS SETOF text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
-- '' (the product itself), then each distinct non-empty tag once. A quoted
-- body lets the planner inline it into the callers' joins.
AS $$
    SELECT k FROM unnest(array_prepend('', $1)) WITH ORDINALITY AS u(k, i)
    WHERE i = 1 OR (k <> '' AND array_position($1, k) = i - 1)
$$
"""


def _apply(changes: str) -> str:
    """Add ``changes`` (category_id, key, products, in_stock deltas) to the
    table; rows left with no product are deleted."""
    return f"""
        WITH changes AS ({changes}),
        delta AS (
            -- Each category's rows, and category 0's: the whole catalog's.
            SELECT CASE WHEN grouping(category_id) = 1 THEN 0 ELSE category_id END
                       AS category_id,
                   key, sum(products)::int AS products,
                   sum(in_stock)::int AS in_stock
            FROM changes GROUP BY GROUPING SETS ((category_id, key), (key))
            HAVING sum(products) <> 0 OR sum(in_stock) <> 0
        ),
        upserted AS (
            -- Key order keeps concurrent writers locking rows in one order.
            INSERT INTO catalog_facetcount AS f
                (category_id, tag, products, in_stock)
            SELECT category_id, key, products, in_stock FROM delta
            ORDER BY category_id, key
            ON CONFLICT (category_id, tag) DO UPDATE
            SET products = f.products + EXCLUDED.products,
                in_stock = f.in_stock + EXCLUDED.in_stock
            RETURNING f.category_id, f.tag, f.products
        )
        SELECT array_agg(category_id), array_agg(tag)
        INTO emptied_categories, emptied_tags
        FROM upserted WHERE products <= 0;
        IF emptied_categories IS NOT NULL THEN
            DELETE FROM catalog_facetcount f
            USING unnest(emptied_categories, emptied_tags) AS e(category_id, tag)
            WHERE f.category_id = e.category_id AND f.tag = e.tag
              AND f.products <= 0;
        END IF;"""


def _product_rows(rows: str, sign: int) -> str:
    return (
        f"SELECT r.category_id, k.key, {sign} AS products, "
        f"CASE WHEN s.has_stock THEN {sign} ELSE 0 END AS in_stock "
        f"FROM {rows} r "
        "LEFT JOIN catalog_productsummary s ON s.product_id = r.id, "
        "LATERAL catalog_facet_keys(r.tags::text[]) AS k(key) "
        "WHERE r.is_active"
    )


# Updated products whose facets can change.
CHANGED = """
    SELECT n.id FROM new_rows n JOIN old_rows o USING (id)
    WHERE (n.is_active, n.category_id, n.tags)
          IS DISTINCT FROM (o.is_active, o.category_id, o.tags)"""

LOCK_SUMMARIES = """
        PERFORM 1 FROM catalog_productsummary s
        WHERE s.product_id = ANY (changed)
        ORDER BY s.product_id
        FOR SHARE OF s;"""

PRODUCT_FUNCTION = f"""
CREATE FUNCTION catalog_facets_product_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    changed bigint[];
    emptied_categories bigint[];
    emptied_tags text[];
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM catalog_facetcount;
    ELSIF TG_OP = 'INSERT' THEN
        -- A new product has no summary yet unless one was written first in
        -- the same transaction (its foreign key is checked at commit).
        {_apply(_product_rows("new_rows", 1))}
    ELSIF TG_OP = 'DELETE' THEN
        changed := ARRAY(SELECT id FROM old_rows);
        {LOCK_SUMMARIES}
        {_apply(_product_rows("old_rows", -1))}
    ELSE
        changed := ARRAY({CHANGED});
        IF cardinality(changed) = 0 THEN
            RETURN NULL;
        END IF;
        {LOCK_SUMMARIES}
        {
    _apply(
        _product_rows("(SELECT * FROM new_rows WHERE id = ANY (changed))", 1)
        + " UNION ALL "
        + _product_rows("(SELECT * FROM old_rows WHERE id = ANY (changed))", -1)
    )
}
    END IF;
    RETURN NULL;
END
$$
"""


def _summary_rows(rows: str, condition: str, sign: int) -> str:
    return (
        f"SELECT p.category_id, k.key, 0 AS products, {sign} AS in_stock "
        f"FROM {rows} r JOIN catalog_product p ON p.id = r.product_id, "
        "LATERAL catalog_facet_keys(p.tags::text[]) AS k(key) "
        f"WHERE p.is_active AND {condition}"
    )


# Summaries whose has_stock flipped (a product's summary keeps its product).
FLIPPED = """
    SELECT n.product_id, n.has_stock FROM new_rows n JOIN old_rows o USING (product_id)
    WHERE n.has_stock IS DISTINCT FROM o.has_stock"""

SUMMARY_FUNCTION = f"""
CREATE FUNCTION catalog_facets_summary_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    emptied_categories bigint[];
    emptied_tags text[];
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        UPDATE catalog_facetcount SET in_stock = 0 WHERE in_stock <> 0;
    ELSIF TG_OP = 'INSERT' THEN
        {_apply(_summary_rows("new_rows", "r.has_stock", 1))}
    ELSIF TG_OP = 'DELETE' THEN
        {_apply(_summary_rows("old_rows", "r.has_stock", -1))}
    ELSE
        IF NOT EXISTS ({FLIPPED}) THEN
            RETURN NULL;
        END IF;
        {
    _apply(
        _summary_rows(f"({FLIPPED})", "r.has_stock", 1)
        + " UNION ALL "
        + _summary_rows(f"({FLIPPED})", "NOT r.has_stock", -1)
    )
}
    END IF;
    RETURN NULL;
END
$$
"""

REBUILD_FUNCTION = """
CREATE FUNCTION catalog_facets_rebuild() RETURNS bigint
LANGUAGE sql VOLATILE AS $$
    DELETE FROM catalog_facetcount;
    INSERT INTO catalog_facetcount (category_id, tag, products, in_stock)
    SELECT CASE WHEN grouping(p.category_id) = 1 THEN 0 ELSE p.category_id END,
           k.key, count(*), count(*) FILTER (WHERE s.has_stock)
    FROM catalog_product p
    LEFT JOIN catalog_productsummary s ON s.product_id = p.id,
    LATERAL catalog_facet_keys(p.tags::text[]) AS k(key)
    WHERE p.is_active
    GROUP BY GROUPING SETS ((p.category_id, k.key), (k.key))
    ORDER BY 1, 2;
    SELECT count(*) FROM catalog_facetcount;
$$
"""


def _triggers(table: str, function: str) -> list[str]:
    run = f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
    return [
        f"CREATE TRIGGER catalog_facets_insert AFTER INSERT ON {table} "
        f"REFERENCING NEW TABLE AS new_rows {run}",
        f"CREATE TRIGGER catalog_facets_update AFTER UPDATE ON {table} "
        f"REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows {run}",
        f"CREATE TRIGGER catalog_facets_delete AFTER DELETE ON {table} "
        f"REFERENCING OLD TABLE AS old_rows {run}",
        f"CREATE TRIGGER catalog_facets_truncate AFTER TRUNCATE ON {table} {run}",
    ]


def _drop(table: str) -> list[str]:
    return [
        f"DROP TRIGGER catalog_facets_{event} ON {table}"
        for event in ("insert", "update", "delete", "truncate")
    ]


class Migration(migrations.Migration):
    """Triggers that keep ``catalog_facetcount`` in step with products and
    their stock, and ``catalog_facets_rebuild()``, which recounts it (used
    here for the rows that exist already)."""

    dependencies = [
        ("catalog", "0020_add_facet_count"),
        # The facet queries sample with TABLESAMPLE SYSTEM_ROWS.
        ("core", "0005_tsm_system_rows"),
    ]

    operations = [
        migrations.RunSQL(
            sql=[
                KEYS_FUNCTION,
                PRODUCT_FUNCTION,
                SUMMARY_FUNCTION,
                REBUILD_FUNCTION,
                *_triggers("catalog_product", "catalog_facets_product_changed"),
                *_triggers("catalog_productsummary", "catalog_facets_summary_changed"),
                "SELECT catalog_facets_rebuild()",
            ],
            reverse_sql=[
                *_drop("catalog_productsummary"),
                *_drop("catalog_product"),
                "DROP FUNCTION catalog_facets_rebuild()",
                "DROP FUNCTION catalog_facets_summary_changed()",
                "DROP FUNCTION catalog_facets_product_changed()",
                "DROP FUNCTION catalog_facet_keys(text[])",
                "DELETE FROM catalog_facetcount",
            ],
        ),
    ]
