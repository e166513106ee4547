"""Index a customer's orders newest first, built without blocking writes."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("orders", "0002_add_order_customer")]

    operations = [
        AddIndexConcurrently(
            model_name="order",
            index=models.Index(
                models.F("customer"),
                models.OrderBy(models.F("placed_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                condition=models.Q(("customer__isnull", False)),
                name="orders_order_customer_placed",
            ),
        ),
    ]
