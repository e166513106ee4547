from django.db import migrations

# Audit every change of products, variants (prices, stock), categories and
# promotions through events' trigger function (events owns the audit table;
# the triggers on catalog's tables are catalog's).
TABLES = {
    "catalog_product": "{search_vector}",
    "catalog_variant": "{}",
    "catalog_category": "{}",
    "catalog_promotion": "{}",
}

FORWARD = ";\n".join(
    f"SELECT events_audit_table('{table}', 'id', '{skipped}')"
    for table, skipped in TABLES.items()
)
BACKWARD = ";\n".join(f"SELECT events_unaudit_table('{table}')" for table in TABLES)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0017_add_product_tax_class"),
        ("events", "0003_audit_functions"),
    ]

    operations = [migrations.RunSQL(FORWARD, reverse_sql=BACKWARD)]
