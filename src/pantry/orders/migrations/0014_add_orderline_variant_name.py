from django.db import migrations, models


class Migration(migrations.Migration):
    """Order lines keep the variant's display name ("Saffron, 5 g").

    A constant db_default: PostgreSQL adds the column without rewriting the
    table. Rows placed before it are named by the next migration.
    """

    dependencies = [("orders", "0013_add_orderline_tax")]

    operations = [
        migrations.AddField(
            model_name="orderline",
            name="variant_name",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=300
            ),
        ),
    ]
