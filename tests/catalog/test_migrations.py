"""The expand/backfill/contract example, catalog 0007 to 0010, step by step.

Each step is a migration that can be deployed on its own; the tests apply
them one at a time on a real database with rows written between steps, as
a running shop would. They migrate backwards from the current schema
rather than from an empty database (``apply_initial_migration`` drops only
tables, and pantry's migrations also create functions and text search
configurations), which also proves each step reverses.
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("catalog", "0006_drop_redundant_indexes")
EXPAND = ("catalog", "0007_add_productsummary_category")
TRIGGERS = ("catalog", "0008_productsummary_category_triggers")
BACKFILL = ("catalog", "0009_backfill_productsummary_category")
CONTRACT = ("catalog", "0010_productsummary_category_not_null")


def add_product(state, slug: str) -> int:
    apps = state.apps
    Category = apps.get_model("catalog", "Category")
    Product = apps.get_model("catalog", "Product")
    Variant = apps.get_model("catalog", "Variant")
    category, _ = Category.objects.get_or_create(slug="tea", defaults={"name": "Tea"})
    product = Product.objects.create(slug=slug, name=slug.title(), category=category)
    Variant.objects.create(product=product, sku=slug, price="4.00", currency="EUR")
    return product.pk


def summary_categories() -> dict[int, int | None]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT product_id, category_id FROM catalog_productsummary ORDER BY 1"
        )
        return dict(cursor.fetchall())


def test_each_step_keeps_the_shop_working_and_the_last_enforces_the_rule(migrator):
    old = migrator.apply_tested_migration(BEFORE)
    before = add_product(old, "sencha")

    # Expand: the column exists, empty; old rows and writes keep working.
    expanded = migrator.apply_tested_migration(EXPAND)
    during_expand = add_product(expanded, "matcha")
    assert summary_categories() == {before: None, during_expand: None}

    # Triggers: new writes fill the column, rows written before do not.
    triggered = migrator.apply_tested_migration(TRIGGERS)
    after_triggers = add_product(triggered, "oolong")
    category = triggered.apps.get_model("catalog", "Category").objects.get().pk
    assert summary_categories() == {
        before: None,
        during_expand: None,
        after_triggers: category,
    }

    # Backfill: every row has its category.
    migrator.apply_tested_migration(BACKFILL)
    assert set(summary_categories().values()) == {category}

    # Contract: the database refuses a summary without one.
    migrator.apply_tested_migration(CONTRACT)
    with (
        pytest.raises(IntegrityError),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE catalog_productsummary SET category_id = NULL "
            "WHERE product_id = %s",
            [before],
        )


def test_the_steps_undo_in_reverse_order(migrator):
    migrator.apply_tested_migration(CONTRACT)
    undone = migrator.apply_tested_migration(BEFORE)

    add_product(undone, "sencha")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.columns "
            "WHERE table_name = 'catalog_productsummary' AND column_name = 'category_id'"
        )
        assert cursor.fetchone() == (0,)
