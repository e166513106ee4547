from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # Built without blocking writes; that cannot run inside a transaction.
    atomic = False

    dependencies = [("catalog", "0021_facet_count_triggers")]

    operations = [
        AddIndexConcurrently(
            model_name="productsummary",
            index=models.Index(fields=["price_max"], name="catalog_summary_price_max"),
        ),
        AddIndexConcurrently(
            model_name="productsummary",
            index=models.Index(
                fields=["category", "price_max"], name="catalog_summary_cat_price_max"
            ),
        ),
    ]
