from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.operations import (
    AddIndexConcurrently,
    RemoveIndexConcurrently,
)
from django.db import migrations, models

from pantry.core.fields import HStoreAsJSON


class Migration(migrations.Migration):
    """One GIN index over specs and attributes (as jsonb) in place of one
    each: lists filtered by both find their rows in one scan. The new index
    is built before the old ones go, so the filters always have one."""

    # Built without blocking writes; that cannot run inside a transaction.
    atomic = False

    dependencies = [("catalog", "0012_product_category_cover_index")]

    operations = [
        AddIndexConcurrently(
            model_name="product",
            index=GinIndex(
                OpClass(models.F("specs"), name="jsonb_path_ops"),
                OpClass(HStoreAsJSON("attributes"), name="jsonb_path_ops"),
                name="catalog_product_props_gin",
            ),
        ),
        RemoveIndexConcurrently(model_name="product", name="catalog_product_specs_gin"),
        RemoveIndexConcurrently(model_name="product", name="catalog_product_attrs_gin"),
    ]
