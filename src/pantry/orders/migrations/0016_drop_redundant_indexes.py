import django.db.models.deletion
from django.db import migrations, models

from pantry.core.migration_ops import drop_indexes_concurrently

# Indexes Django adds on its own that nothing reads: pattern-ops copies of
# the unique order number and idempotency key (nothing matches them with
# LIKE; the admin looks numbers up exactly), and the order_id index of
# order events, which (order_id, at) serves. Every order placed wrote all
# three. The unique constraints stay in the database under their names; in
# the models they move to Meta.constraints, since unique=True would add the
# pattern index again.
INDEXES = {
    "orders_order_number_abc9e0f2_like": "orders_order (number varchar_pattern_ops)",
    "orders_idempotencykey_key_52fbaa57_like": (
        "orders_idempotencykey (key varchar_pattern_ops)"
    ),
    "orders_orderevent_order_id_b26297f3": "orders_orderevent (order_id)",
}


class Migration(migrations.Migration):
    # Dropped without blocking reads and writes; that cannot run inside a
    # transaction.
    atomic = False

    dependencies = [("orders", "0015_backfill_orderline_variant_name")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=drop_indexes_concurrently(INDEXES),
            state_operations=[
                migrations.AlterField(
                    model_name="order",
                    name="number",
                    field=models.CharField(max_length=20),
                ),
                migrations.AddConstraint(
                    model_name="order",
                    constraint=models.UniqueConstraint(
                        fields=("number",), name="orders_order_number_key"
                    ),
                ),
                migrations.AlterField(
                    model_name="orderevent",
                    name="order",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="orders.order",
                    ),
                ),
                migrations.AlterField(
                    model_name="idempotencykey",
                    name="key",
                    field=models.CharField(max_length=255),
                ),
                migrations.AddConstraint(
                    model_name="idempotencykey",
                    constraint=models.UniqueConstraint(
                        fields=("key",), name="orders_idempotencykey_key_key"
                    ),
                ),
            ],
        ),
    ]
