from django.db import migrations

# Who changed a voucher, and when. The use counter is skipped: a redemption
# is its own row, and placement pays no audit write for it.
TABLES = {"vouchers_voucher": "{used}"}

FORWARD = ";\n".join(
    f"SELECT events_audit_table('{table}', 'id', '{skipped}')"
    for table, skipped in TABLES.items()
)
BACKWARD = ";\n".join(f"SELECT events_unaudit_table('{table}')" for table in TABLES)


class Migration(migrations.Migration):
    dependencies = [
        ("vouchers", "0002_add_redemption_customer"),
        ("events", "0003_audit_functions"),
    ]

    operations = [migrations.RunSQL(FORWARD, reverse_sql=BACKWARD)]
