"""Redemptions remember the placing account: once per customer by account too."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ('customers', '0001_create_customers'),
        ('vouchers', '0001_create_vouchers'),
    ]

    operations = [
        migrations.AddField(
            model_name='redemption',
            name='customer',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='customers.customer'),
        ),
        # The partial unique index is built without blocking redemptions.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddConstraint(
                    model_name="redemption",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(
                            ("customer__isnull", False),
                            ("once_per_customer", True),
                            ("released_at__isnull", True),
                        ),
                        fields=("voucher", "customer"),
                        name="vouchers_redemption_once_per_customer",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    "CREATE UNIQUE INDEX CONCURRENTLY "
                    "vouchers_redemption_once_per_customer "
                    "ON vouchers_redemption (voucher_id, customer_id) "
                    "WHERE customer_id IS NOT NULL AND once_per_customer "
                    "AND released_at IS NULL",
                    reverse_sql="DROP INDEX CONCURRENTLY IF EXISTS "
                    "vouchers_redemption_once_per_customer",
                ),
            ],
        ),
    ]
