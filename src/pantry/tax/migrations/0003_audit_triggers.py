from django.db import migrations

# Who changed a tax class or rate, and when (events' trigger function).
TABLES = {"tax_taxclass": "{}", "tax_taxrate": "{}"}

FORWARD = ";\n".join(
    f"SELECT events_audit_table('{table}', 'id', '{skipped}')"
    for table, skipped in TABLES.items()
)
BACKWARD = ";\n".join(f"SELECT events_unaudit_table('{table}')" for table in TABLES)


class Migration(migrations.Migration):
    dependencies = [
        ("tax", "0002_add_standard_class"),
        ("events", "0003_audit_functions"),
    ]

    operations = [migrations.RunSQL(FORWARD, reverse_sql=BACKWARD)]
