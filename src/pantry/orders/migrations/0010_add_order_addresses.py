from django.contrib.postgres.operations import (
    AddConstraintNotValid,
    ValidateConstraint,
)
from django.db import migrations, models
from django.db.models import Q


class Migration(migrations.Migration):
    """Orders snapshot their shipping and billing addresses (jsonb).

    Nullable columns: existing orders keep no address, nothing is rewritten.
    The country of a snapshot is CHECKed to be two capitals."""

    # CHECKs are added NOT VALID (a moment's lock) and validated in a
    # transaction of their own, which lets reads and writes go on meanwhile.
    atomic = False

    dependencies = [("orders", "0009_add_refunds")]

    operations = [
        migrations.AddField(
            model_name="order",
            name="shipping_address",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="order",
            name="billing_address",
            field=models.JSONField(blank=True, null=True),
        ),
        AddConstraintNotValid(
            model_name="order",
            constraint=models.CheckConstraint(
                condition=Q(shipping_address__isnull=True)
                | Q(
                    shipping_address__has_key="country",
                    shipping_address__country__regex=r"^[A-Z]{2}$",
                ),
                name="orders_order_shipping_country_iso",
            ),
        ),
        AddConstraintNotValid(
            model_name="order",
            constraint=models.CheckConstraint(
                condition=Q(billing_address__isnull=True)
                | Q(
                    billing_address__has_key="country",
                    billing_address__country__regex=r"^[A-Z]{2}$",
                ),
                name="orders_order_billing_country_iso",
            ),
        ),
        ValidateConstraint(model_name="order", name="orders_order_shipping_country_iso"),
        ValidateConstraint(model_name="order", name="orders_order_billing_country_iso"),
    ]
