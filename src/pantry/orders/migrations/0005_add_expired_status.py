from django.contrib.postgres.operations import (
    AddConstraintNotValid,
    ValidateConstraint,
)
from django.db import migrations, models

STATUSES = [
    ("placed", "Placed"),
    ("paid", "Paid"),
    ("shipped", "Shipped"),
    ("delivered", "Delivered"),
    ("cancelled", "Cancelled"),
    ("refunded", "Refunded"),
    ("expired", "Expired"),
]


class Migration(migrations.Migration):
    """Orders gain the status `expired` (unpaid past the payment window).

    The status CHECK is replaced by a wider one, which every existing row
    passes."""

    # The CHECK is added NOT VALID (a moment's lock) and validated in a
    # transaction of its own, which lets reads and writes go on meanwhile.
    atomic = False

    dependencies = [("orders", "0004_audit_triggers")]

    operations = [
        migrations.RemoveConstraint(model_name="order", name="orders_order_status_valid"),
        migrations.AlterField(
            model_name="order",
            name="status",
            field=models.CharField(choices=STATUSES, default="placed", max_length=12),
        ),
        migrations.AlterField(
            model_name="orderevent",
            name="to_status",
            field=models.CharField(choices=STATUSES, max_length=12),
        ),
        AddConstraintNotValid(
            model_name="order",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "status__in",
                        [
                            "placed",
                            "paid",
                            "shipped",
                            "delivered",
                            "cancelled",
                            "refunded",
                            "expired",
                        ],
                    )
                ),
                name="orders_order_status_valid",
            ),
        ),
        ValidateConstraint(model_name="order", name="orders_order_status_valid"),
    ]
