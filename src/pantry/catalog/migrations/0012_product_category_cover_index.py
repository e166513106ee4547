from django.contrib.postgres.operations import (
    AddIndexConcurrently,
    RemoveIndexConcurrently,
)
from django.db import migrations, models


class Migration(migrations.Migration):
    """The category index, now covering is_active and tags (facets of a
    category then read no product rows): the new one is built before the
    old one goes, so category lists always have one."""

    # Built without blocking writes; that cannot run inside a transaction.
    atomic = False

    dependencies = [("catalog", "0011_add_summary_category_price_index")]

    operations = [
        AddIndexConcurrently(
            model_name="product",
            index=models.Index(
                fields=["category", "-created_at", "-id"],
                include=["is_active", "tags"],
                name="catalog_product_category_cover",
            ),
        ),
        RemoveIndexConcurrently(
            model_name="product",
            name="catalog_product_cat_newest",
        ),
    ]
