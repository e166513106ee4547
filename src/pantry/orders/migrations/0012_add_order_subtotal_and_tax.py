from django.contrib.postgres.operations import (
    AddConstraintNotValid,
    ValidateConstraint,
)
from django.db import migrations, models
from django.db.models import F, Q


class Migration(migrations.Migration):
    """Orders keep their subtotal and tax, and a CHECK that the total adds up.

    Existing orders carry no tax or shipping: their subtotal is total +
    discount (backfilled), tax 0. ``prices_include_tax`` is stored per order
    so the CHECK ``total = subtotal - discount + shipping (+ tax)`` is exact.
    """

    # CHECKs are added NOT VALID (a moment's lock) and validated in a
    # transaction of their own, which lets reads and writes go on meanwhile.
    atomic = False

    dependencies = [("orders", "0011_add_order_shipping")]

    operations = [
        migrations.AddField(
            model_name="order",
            name="subtotal",
            field=models.DecimalField(
                db_default=0, decimal_places=2, default=0, max_digits=14
            ),
        ),
        migrations.AddField(
            model_name="order",
            name="tax",
            field=models.DecimalField(
                db_default=0, decimal_places=2, default=0, max_digits=14
            ),
        ),
        migrations.AddField(
            model_name="order",
            name="prices_include_tax",
            field=models.BooleanField(db_default=True, default=True),
        ),
        # Reversing drops the columns, so undoing the backfill is moot.
        migrations.RunSQL(
            "UPDATE orders_order SET subtotal = total + discount - shipping "
            "WHERE subtotal = 0",
            reverse_sql=migrations.RunSQL.noop,
        ),
        AddConstraintNotValid(
            model_name="order",
            constraint=models.CheckConstraint(
                condition=Q(subtotal__gte=F("discount")) & Q(tax__gte=F("shipping_tax")),
                name="orders_order_amounts_ordered",
            ),
        ),
        AddConstraintNotValid(
            model_name="order",
            constraint=models.CheckConstraint(
                condition=Q(
                    prices_include_tax=True,
                    total=F("subtotal") - F("discount") + F("shipping"),
                )
                | Q(
                    prices_include_tax=False,
                    total=F("subtotal") - F("discount") + F("shipping") + F("tax"),
                ),
                name="orders_order_total_adds_up",
            ),
        ),
        ValidateConstraint(model_name="order", name="orders_order_amounts_ordered"),
        ValidateConstraint(model_name="order", name="orders_order_total_adds_up"),
    ]
