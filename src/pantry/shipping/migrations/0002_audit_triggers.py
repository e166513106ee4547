from django.db import migrations

# Who changed a zone, method or rate tier, and when: through events' trigger
# function, as catalog and orders do.
TABLES = {
    "shipping_zone": "{}",
    "shipping_method": "{}",
    "shipping_rate": "{}",
}

FORWARD = ";\n".join(
    f"SELECT events_audit_table('{table}', 'id', '{skipped}')"
    for table, skipped in TABLES.items()
)
BACKWARD = ";\n".join(f"SELECT events_unaudit_table('{table}')" for table in TABLES)


class Migration(migrations.Migration):
    dependencies = [
        ("shipping", "0001_create_shipping"),
        ("events", "0003_audit_functions"),
    ]

    operations = [migrations.RunSQL(FORWARD, reverse_sql=BACKWARD)]
