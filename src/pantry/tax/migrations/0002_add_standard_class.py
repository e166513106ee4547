from django.db import migrations


def add_standard(apps, schema_editor):
    TaxClass = apps.get_model("tax", "TaxClass")
    TaxClass.objects.get_or_create(code="standard", defaults={"name": "Standard"})


def remove_standard(apps, schema_editor):
    TaxClass = apps.get_model("tax", "TaxClass")
    TaxClass.objects.filter(code="standard", rates__isnull=True).delete()


class Migration(migrations.Migration):
    """The default tax class that every product starts in."""

    dependencies = [("tax", "0001_create_tax")]

    operations = [migrations.RunPython(add_standard, remove_standard)]
