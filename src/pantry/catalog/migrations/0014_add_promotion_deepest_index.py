from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    """Promotions by discount, deepest first, with their time ranges: the
    largest discount active now is then the first active entry."""

    # Built without blocking writes; that cannot run inside a transaction.
    atomic = False

    dependencies = [("catalog", "0013_product_properties_index")]

    operations = [
        AddIndexConcurrently(
            model_name="promotion",
            index=models.Index(
                fields=["-percent_off"],
                include=["during"],
                name="catalog_promotion_deepest",
            ),
        ),
    ]
