from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # Built without blocking writes; that cannot run inside a transaction.
    atomic = False

    dependencies = [("catalog", "0010_productsummary_category_not_null")]

    operations = [
        AddIndexConcurrently(
            model_name="productsummary",
            index=models.Index(
                fields=["category", "price_min", "product"],
                include=["price_max"],
                name="catalog_summary_cat_price",
            ),
        ),
    ]
