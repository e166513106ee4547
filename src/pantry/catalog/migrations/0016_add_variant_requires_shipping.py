from django.db import migrations, models


class Migration(migrations.Migration):
    """Variants say whether they are shipped (true unless set otherwise)."""

    dependencies = [("catalog", "0015_add_variant_weight")]

    operations = [
        migrations.AddField(
            model_name="variant",
            name="requires_shipping",
            field=models.BooleanField(db_default=True, default=True),
        ),
    ]
