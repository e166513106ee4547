from django.contrib.postgres.operations import (
    AddConstraintNotValid,
    ValidateConstraint,
)
from django.db import migrations, models


class Migration(migrations.Migration):
    """Orders keep their shipping method (code, name), price, its tax and rate.

    Database defaults ('' and 0) fill existing rows without a rewrite."""

    # CHECKs are added NOT VALID (a moment's lock) and validated in a
    # transaction of their own, which lets reads and writes go on meanwhile.
    atomic = False

    dependencies = [("orders", "0010_add_order_addresses")]

    operations = [
        migrations.AddField(
            model_name="order",
            name="shipping_method",
            field=models.CharField(blank=True, db_default="", default="", max_length=50),
        ),
        migrations.AddField(
            model_name="order",
            name="shipping_method_name",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=200
            ),
        ),
        migrations.AddField(
            model_name="order",
            name="shipping",
            field=models.DecimalField(
                db_default=0, decimal_places=2, default=0, max_digits=14
            ),
        ),
        migrations.AddField(
            model_name="order",
            name="shipping_tax",
            field=models.DecimalField(
                db_default=0, decimal_places=2, default=0, max_digits=14
            ),
        ),
        migrations.AddField(
            model_name="order",
            name="shipping_tax_rate",
            field=models.DecimalField(
                db_default=0, decimal_places=4, default=0, max_digits=7
            ),
        ),
        AddConstraintNotValid(
            model_name="order",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("shipping__gte", 0),
                    ("shipping_tax__gte", 0),
                    ("shipping_tax__lte", models.F("shipping")),
                ),
                name="orders_order_shipping_nonnegative",
            ),
        ),
        ValidateConstraint(model_name="order", name="orders_order_shipping_nonnegative"),
    ]
