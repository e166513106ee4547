
import django.db.models.deletion
from django.contrib.postgres.operations import (
    AddConstraintNotValid,
    ValidateConstraint,
)
from django.db import migrations, models


class Migration(migrations.Migration):
    """Refunds by line and quantity: refund rows, and per-line and per-order
    counters that CHECKs keep within what was bought and paid. Database
    defaults fill existing rows without rewriting the tables."""

    # The CHECK is added NOT VALID (a moment's lock) and validated in a
    # transaction of its own, which lets reads and writes go on meanwhile.
    atomic = False

    dependencies = [
        ('orders', '0008_add_order_voucher_and_provider'),
    ]

    operations = [
        migrations.CreateModel(
            name='Refund',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('amount', models.DecimalField(decimal_places=2, max_digits=14)),
                ('shipping', models.DecimalField(decimal_places=2, default=0, max_digits=14)),
                ('restocked', models.BooleanField()),
                ('reason', models.CharField(blank=True, default='', max_length=500)),
                ('provider_refs', models.JSONField(default=list)),
                ('created_at', models.DateTimeField()),
                ('actor', models.CharField(max_length=150)),
            ],
        ),
        migrations.CreateModel(
            name='RefundLine',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('quantity', models.IntegerField()),
                ('amount', models.DecimalField(decimal_places=2, max_digits=14)),
            ],
        ),
        migrations.AddField(
            model_name='order',
            name='refunded_total',
            field=models.DecimalField(db_default=0, decimal_places=2, default=0, max_digits=14),
        ),
        migrations.AddField(
            model_name='orderline',
            name='refunded_quantity',
            field=models.IntegerField(db_default=0, default=0),
        ),
        AddConstraintNotValid(
            model_name='order',
            constraint=models.CheckConstraint(condition=models.Q(('refunded_total__gte', 0), ('refunded_total__lte', models.F('total'))), name='orders_order_refunded_within_total'),
        ),
        AddConstraintNotValid(
            model_name='orderline',
            constraint=models.CheckConstraint(condition=models.Q(('refunded_quantity__gte', 0), ('refunded_quantity__lte', models.F('quantity'))), name='orders_orderline_refund_within_quantity'),
        ),
        migrations.AddField(
            model_name='refund',
            name='order',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='refunds', to='orders.order'),
        ),
        migrations.AddField(
            model_name='refundline',
            name='line',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='orders.orderline'),
        ),
        migrations.AddField(
            model_name='refundline',
            name='refund',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='lines', to='orders.refund'),
        ),
        migrations.AddConstraint(
            model_name='refund',
            constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0), ('shipping__gte', 0)), name='orders_refund_amount_positive'),
        ),
        migrations.AddConstraint(
            model_name='refundline',
            constraint=models.CheckConstraint(condition=models.Q(('quantity__gt', 0), ('amount__gte', 0)), name='orders_refundline_positive'),
        ),
        ValidateConstraint(model_name="order", name="orders_order_refunded_within_total"),
        ValidateConstraint(model_name="orderline", name="orders_orderline_refund_within_quantity"),
    ]
