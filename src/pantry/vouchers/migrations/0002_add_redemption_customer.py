"""Redemptions remember the placing account: once per customer by account too."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

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
        migrations.AddConstraint(
            model_name='redemption',
            constraint=models.UniqueConstraint(condition=models.Q(('customer__isnull', False), ('once_per_customer', True), ('released_at__isnull', True)), fields=('voucher', 'customer'), name='vouchers_redemption_once_per_customer'),
        ),
    ]
