from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    """The expiry sweeper's due orders: unpaid orders with a window, by time."""

    # Built without blocking writes; that cannot run inside a transaction.
    atomic = False

    dependencies = [("orders", "0006_add_order_expires_at")]

    operations = [
        AddIndexConcurrently(
            model_name="order",
            index=models.Index(
                condition=models.Q(("expires_at__isnull", False), ("status", "placed")),
                fields=["expires_at"],
                name="orders_order_expiry_due",
            ),
        ),
    ]
