from django.db import migrations, models


class Migration(migrations.Migration):
    """Orders say when they expire unpaid; null (every existing order) never."""

    dependencies = [("orders", "0005_add_expired_status")]

    operations = [
        migrations.AddField(
            model_name="order",
            name="expires_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
