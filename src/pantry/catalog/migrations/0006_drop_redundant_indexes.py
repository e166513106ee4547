import django.db.models.deletion
from django.db import migrations, models

from pantry.core.migration_ops import drop_indexes_concurrently

# Indexes Django adds on its own that nothing here reads: pattern-ops copies
# of the unique slug and SKU indexes (no query uses LIKE on them), and the
# single-column foreign key indexes that the composite indexes leading with
# the same column already serve. Each costs every write, and a bulk load
# rebuilds it. The unique constraints stay as they are in the database (same
# names); in the models they move to Meta.constraints, since unique=True
# would add the pattern index again. Only indexes are dropped, so no table
# is rewritten or re-validated.
INDEXES = {
    "catalog_product_slug_f37848b0_like": (
        "catalog_product (slug varchar_pattern_ops)"
    ),
    "catalog_product_category_id_35bf920b": "catalog_product (category_id)",
    "catalog_variant_sku_92777037_like": "catalog_variant (sku varchar_pattern_ops)",
    "catalog_variant_product_id_8a21d193": "catalog_variant (product_id)",
}


class Migration(migrations.Migration):
    # Dropped without blocking reads and writes; that cannot run inside a
    # transaction.
    atomic = False

    dependencies = [
        ("catalog", "0005_add_product_category_newest_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=drop_indexes_concurrently(INDEXES),
            state_operations=[
                migrations.AlterField(
                    model_name="product",
                    name="category",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="products",
                        to="catalog.category",
                    ),
                ),
                migrations.AlterField(
                    model_name="product",
                    name="slug",
                    field=models.SlugField(db_index=False, max_length=200),
                ),
                migrations.AlterField(
                    model_name="variant",
                    name="product",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="variants",
                        to="catalog.product",
                    ),
                ),
                migrations.AlterField(
                    model_name="variant",
                    name="sku",
                    field=models.CharField(max_length=64),
                ),
                migrations.AddConstraint(
                    model_name="product",
                    constraint=models.UniqueConstraint(
                        fields=("slug",), name="catalog_product_slug_key"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="variant",
                    constraint=models.UniqueConstraint(
                        fields=("sku",), name="catalog_variant_sku_key"
                    ),
                ),
            ],
        ),
    ]
