from django.db import migrations

# Expression indexes on the catalog and journal tables that only search reads:
# the words of a product's name and of a post's title, so search-as-you-type
# matches a prefix among names alone instead of rechecking every product
# whose description has the word. They follow the `pantry` configuration;
# `pantry search_config` reindexes them when it changes.
INDEXES = {
    "search_product_name_gin": (
        "catalog_product",
        "to_tsvector('pantry'::regconfig, name::text)",
        "is_active",
    ),
    "search_post_title_gin": (
        "journal_post",
        "to_tsvector('pantry'::regconfig, title::text)",
        "status = 'published'",
    ),
}


class Migration(migrations.Migration):
    """GIN indexes of product-name and post-title words for search-as-you-type.

    Built concurrently (outside a transaction) so a big catalog keeps taking
    writes while they build.
    """

    atomic = False

    dependencies = [("search", "0002_lexicon_triggers")]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} "
            f"USING gin ({expression}) WHERE {condition}",
            reverse_sql=f"DROP INDEX CONCURRENTLY IF EXISTS {name}",
        )
        for name, (table, expression, condition) in INDEXES.items()
    ]
