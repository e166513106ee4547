from django.contrib.postgres.operations import (
    AddConstraintNotValid,
    ValidateConstraint,
)
from django.db import migrations, models


class Migration(migrations.Migration):
    """Variants gain a shipping weight in grams, at least zero. A database
    default fills existing rows without rewriting the table."""

    # The CHECK is added NOT VALID (a moment's lock) and validated in a
    # transaction of its own, which lets reads and writes go on meanwhile.
    atomic = False

    dependencies = [("catalog", "0014_add_promotion_deepest_index")]

    operations = [
        migrations.AddField(
            model_name="variant",
            name="weight_g",
            field=models.IntegerField(db_default=0, default=0),
        ),
        AddConstraintNotValid(
            model_name="variant",
            constraint=models.CheckConstraint(
                condition=models.Q(("weight_g__gte", 0), ("weight_g__lte", 10000000)),
                name="catalog_variant_weight_range",
            ),
        ),
        ValidateConstraint(model_name="variant", name="catalog_variant_weight_range"),
    ]
