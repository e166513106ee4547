from django.db import migrations

# Audit orders and their lines through events' trigger function. Status
# changes already have their own history (orders_orderevent).
TABLES = ["orders_order", "orders_orderline"]

FORWARD = ";\n".join(f"SELECT events_audit_table('{table}')" for table in TABLES)
BACKWARD = ";\n".join(f"SELECT events_unaudit_table('{table}')" for table in TABLES)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0003_add_order_customer_placed_index"),
        ("events", "0003_audit_functions"),
    ]

    operations = [migrations.RunSQL(FORWARD, reverse_sql=BACKWARD)]
