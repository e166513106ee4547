from django.db import migrations

BACKFILL = """
UPDATE catalog_productsummary s SET category_id = p.category_id
FROM catalog_product p
WHERE p.id = s.product_id AND s.category_id IS DISTINCT FROM p.category_id
"""


class Migration(migrations.Migration):
    """Stage 3 of 4: the summaries written before the triggers of 0008."""

    dependencies = [("catalog", "0008_productsummary_category_triggers")]

    operations = [
        # Going back, the column keeps its values until 0007 drops it.
        migrations.RunSQL(sql=BACKFILL, reverse_sql=migrations.RunSQL.noop),
    ]
