from django.db import migrations, models


class Migration(migrations.Migration):
    """Products name their tax class by code (default "standard")."""

    dependencies = [("catalog", "0016_add_variant_requires_shipping")]

    operations = [
        migrations.AddField(
            model_name="product",
            name="tax_class",
            field=models.CharField(
                db_default="standard", default="standard", max_length=32
            ),
        ),
    ]
