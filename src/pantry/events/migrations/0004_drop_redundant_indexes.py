import django.db.models.deletion
from django.db import migrations, models

from pantry.core.migration_ops import drop_indexes_concurrently

# The single-column foreign key indexes Django adds on its own, each served
# by a composite index that leads with the same column: the unique
# (event_id, endpoint_id), (endpoint_id, id DESC) and (delivery_id, number).
# Every event written inserts a delivery per endpoint that wants it, so each
# index dropped is work taken off every order placed.
INDEXES = {
    "events_delivery_event_id_c08f510e": "events_delivery (event_id)",
    "events_delivery_endpoint_id_c0930a43": "events_delivery (endpoint_id)",
    "events_attempt_delivery_id_365fd880": "events_attempt (delivery_id)",
}


class Migration(migrations.Migration):
    # Dropped without blocking reads and writes; that cannot run inside a
    # transaction.
    atomic = False

    dependencies = [("events", "0003_audit_functions")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=drop_indexes_concurrently(INDEXES),
            state_operations=[
                migrations.AlterField(
                    model_name="delivery",
                    name="event",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        to="events.event",
                    ),
                ),
                migrations.AlterField(
                    model_name="delivery",
                    name="endpoint",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        to="events.endpoint",
                    ),
                ),
                migrations.AlterField(
                    model_name="attempt",
                    name="delivery",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attempts",
                        to="events.delivery",
                    ),
                ),
            ],
        ),
    ]
