from __future__ import annotations

import hashlib
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from pantry.catalog.exporter import export_products
from pantry.catalog.models import Category, Product, ProductSummary, Promotion, Variant
from pantry.catalog.sample_data.seed import seed_catalog
from pantry.events.models import AuditRecord
from tests.factories import ProductFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    # The seed stores its drawings: in a directory of this test's own.
    settings.MEDIA_ROOT = tmp_path / "media"


CATALOG_TABLES = (
    "'catalog_category'::regclass, 'catalog_product'::regclass, "
    "'catalog_variant'::regclass, 'catalog_promotion'::regclass, "
    "'catalog_productsummary'::regclass"
)


def fingerprint() -> str:
    """A digest of every seeded row that a user could see or query."""
    digest = hashlib.sha256()
    out = io.StringIO()
    export_products(out)
    digest.update(out.getvalue().encode())
    with connection.cursor() as cursor:
        for query in (
            "SELECT id, slug, name, parent_id, path::text FROM catalog_category ORDER BY id",
            "SELECT id, slug, created_at, updated_at FROM catalog_product ORDER BY id",
            "SELECT id, sku, product_id FROM catalog_variant ORDER BY id",
            "SELECT id, product_id, percent_off, during::text FROM catalog_promotion ORDER BY id",
        ):
            cursor.execute(query)
            digest.update(repr(cursor.fetchall()).encode())
    return digest.hexdigest()


def schema() -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "  # noqa: S608  the test's own constant table list
            f"WHERE conrelid IN ({CATALOG_TABLES}) UNION ALL "
            f"SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) "
            f"FROM pg_index WHERE indrelid IN ({CATALOG_TABLES})"
        )
        return set(cursor.fetchall())


def test_the_same_seed_gives_the_same_catalog(db):
    seed_catalog(products=300, seed=7, replace=False)
    first = fingerprint()

    seed_catalog(products=300, seed=7, replace=True)

    assert fingerprint() == first


def test_another_seed_gives_another_catalog(db):
    seed_catalog(products=300, seed=7, replace=False)
    first = fingerprint()

    seed_catalog(products=300, seed=8, replace=True)

    assert fingerprint() != first


def test_seeded_rows_satisfy_every_constraint_and_keep_every_index(db):
    before = schema()

    seed_catalog(products=500, seed=1, replace=False)

    assert schema() == before
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT conname FROM pg_constraint WHERE conrelid IN ({CATALOG_TABLES}) "  # noqa: S608  the test's own constant table list
            "AND NOT convalidated"
        )
        assert cursor.fetchall() == []
        # Re-check every CHECK and foreign key over the seeded rows.
        cursor.execute(
            f"SELECT conrelid::regclass::text, conname FROM pg_constraint "  # noqa: S608  the test's own constant table list
            f"WHERE conrelid IN ({CATALOG_TABLES}) AND contype IN ('c', 'f')"
        )
        for table, name in cursor.fetchall():
            cursor.execute(f'ALTER TABLE {table} VALIDATE CONSTRAINT "{name}"')
    assert Product.objects.count() == 500
    assert 2.2 < Variant.objects.count() / 500 < 2.8
    assert Variant.objects.filter(stock=0).exists()
    assert Promotion.objects.exists()
    assert ProductSummary.objects.count() == 500


def test_seeded_catalog_has_the_promised_shape(db):
    seed_catalog(products=400, seed=3, replace=False)

    depths = {
        len(path.split(".")) for path in Category.objects.values_list("path", flat=True)
    }
    assert depths == {1, 2, 3, 4}
    assert 150 <= Category.objects.count() <= 300
    product = Product.objects.order_by("id").first()
    assert product is not None
    assert set(product.attributes) <= {"brand", "material"}
    assert "brand" in product.attributes
    assert isinstance(product.specs, dict)
    assert product.specs
    assert any(
        isinstance(value, dict)
        for specs in Product.objects.values_list("specs", flat=True)
        for value in specs.values()
    )
    assert not Category.objects.filter(
        products__isnull=False, children__isnull=False
    ).exists()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tag, count(*) FROM catalog_product, unnest(tags) tag "
            "GROUP BY tag ORDER BY 2 DESC"
        )
        counts = [count for _tag, count in cursor.fetchall()]
    # Zipf-like: the commonest tag is far commoner than the median one.
    assert counts[0] > 10 * counts[len(counts) // 2]
    # New rows get ids after the seeded ones.
    assert ProductFactory().id == 401


def test_seeding_a_catalog_with_products_needs_replace(db):
    ProductFactory(slug="kept")

    with pytest.raises(CommandError, match="the catalog is not empty; pass --replace"):
        call_command("seed", "catalog", "--products", "10")

    assert list(Product.objects.values_list("slug", flat=True)) == ["kept"]


def test_the_command_replaces_the_catalog(db, capsys):
    ProductFactory(slug="gone")

    call_command("seed", "catalog", "--products", "25", "--replace")

    assert capsys.readouterr().out.startswith("seeded 246 categories, 25 products, ")
    assert not Product.objects.filter(slug="gone").exists()
    assert Product.objects.count() == 25


def rows(sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def test_a_seed_leaves_lexicon_facets_and_audit_log_as_documented(db):
    seed_catalog(products=300, seed=4, replace=False)

    # The lexicon holds what the per-row path would have counted.
    assert rows(
        "SELECT word, product_count FROM search_lexicon "
        "WHERE product_count <> 0 ORDER BY word"
    ) == rows(
        "SELECT word, count(*)::int FROM catalog_product p, "
        "LATERAL search_words(p.name || ' ' || pantry_join_words(p.tags::text[])) "
        "AS word WHERE p.is_active GROUP BY word ORDER BY word"
    )
    facets = rows("SELECT * FROM catalog_facetcount ORDER BY category_id, tag")
    assert facets
    rows("SELECT catalog_facets_rebuild()")
    assert rows("SELECT * FROM catalog_facetcount ORDER BY category_id, tag") == facets
    # One summary entry per bulk-loaded table; categories row by row.
    loaded = {
        "catalog_product": 300,
        "catalog_promotion": Promotion.objects.count(),
        "catalog_variant": Variant.objects.count(),
    }
    entries = AuditRecord.objects.exclude(table_name="catalog_category")
    assert sorted(entries.values_list("table_name", "row_pk", "op", "after")) == [
        (table, "*", "insert", {"seed": 4, "rows": count, "ids": [1, count]})
        for table, count in loaded.items()
    ]
    assert rows(
        "SELECT count(*) FROM events_audit WHERE table_name = 'catalog_category'"
    ) == [(Category.objects.count(),)]

    # The triggers are back on: deleting every product counts it out again.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM catalog_imagerendition")
        cursor.execute("DELETE FROM catalog_productimage")
        cursor.execute("DELETE FROM catalog_promotion")
        cursor.execute("DELETE FROM catalog_variant")
        cursor.execute("DELETE FROM catalog_product")
    assert rows("SELECT count(*) FROM search_lexicon WHERE product_count <> 0") == [
        (0,)
    ]
    assert rows("SELECT count(*) FROM catalog_facetcount") == [(0,)]
    assert rows(
        "SELECT count(*) FROM events_audit "
        "WHERE table_name = 'catalog_product' AND op = 'delete'"
    ) == [(300,)]
