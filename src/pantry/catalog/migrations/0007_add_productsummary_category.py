import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Stage 1 of 4: the column, nullable until triggers and a backfill fill it."""

    dependencies = [("catalog", "0006_drop_redundant_indexes")]

    operations = [
        migrations.AddField(
            model_name="productsummary",
            name="category",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="catalog.category",
            ),
        ),
    ]
