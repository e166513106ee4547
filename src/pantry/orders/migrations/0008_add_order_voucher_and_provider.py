from django.contrib.postgres.operations import (
    AddConstraintNotValid,
    ValidateConstraint,
)
from django.db import migrations, models


class Migration(migrations.Migration):
    """Orders keep their voucher (code and discount) and payment provider.

    Database defaults fill existing rows without rewriting the table."""

    # The CHECK is added NOT VALID (a moment's lock) and validated in a
    # transaction of its own, which lets reads and writes go on meanwhile.
    atomic = False

    dependencies = [("orders", "0007_add_order_expiry_index")]

    operations = [
        migrations.AddField(
            model_name="order",
            name="discount",
            field=models.DecimalField(
                db_default=0, decimal_places=2, default=0, max_digits=14
            ),
        ),
        migrations.AddField(
            model_name="order",
            name="voucher_code",
            field=models.CharField(blank=True, db_default="", default="", max_length=64),
        ),
        migrations.AddField(
            model_name="order",
            name="payment_provider",
            field=models.CharField(blank=True, db_default="", default="", max_length=20),
        ),
        AddConstraintNotValid(
            model_name="order",
            constraint=models.CheckConstraint(
                condition=models.Q(("discount__gte", 0)),
                name="orders_order_discount_nonnegative",
            ),
        ),
        ValidateConstraint(model_name="order", name="orders_order_discount_nonnegative"),
    ]
