from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # Built without blocking writes; that cannot run inside a transaction.
    atomic = False

    dependencies = [("catalog", "0026_watch_generation")]

    operations = [
        AddIndexConcurrently(
            model_name="promotion",
            index=models.Index(
                models.F("during__startswith"), name="catalog_promotion_starts"
            ),
        ),
        AddIndexConcurrently(
            model_name="promotion",
            index=models.Index(
                models.F("during__endswith"), name="catalog_promotion_ends"
            ),
        ),
    ]
