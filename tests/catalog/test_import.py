from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from pantry.catalog.importing import (
    ImportFileError,
    ImportResult,
    import_products,
)
from pantry.catalog.models import Product, ProductSummary, Variant
from tests.factories import CategoryFactory, ProductFactory, VariantFactory
from tests.helpers import ROOT


def product(**fields: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "slug": "aurora-15-laptop",
        "name": "Aurora 15 Laptop",
        "description": "A light laptop.",
        "category": "laptops",
        "tags": ["electronics", "laptop"],
        "specs": {"screen": {"size_in": 15.6, "resolution": "1920x1080"}},
        "attributes": {"brand": "Aurora"},
        "variants": [
            {
                "sku": "AUR15-8",
                "price": "899.00",
                "currency": "EUR",
                "stock": 12,
                "options": {"ram": "8GB"},
            }
        ],
    }
    doc.update(fields)
    return doc


def jsonl(*docs: Any) -> bytes:
    return b"".join(
        (doc if isinstance(doc, bytes) else json.dumps(doc).encode()) + b"\n"
        for doc in docs
    )


def run_import(data: bytes, file_format: str = "jsonl", **options: Any) -> ImportResult:
    return import_products(io.BytesIO(data), file_format=file_format, **options)


# Into an empty catalog, a bulk load inserts with its unique indexes dropped
# and finds repeats at the end; otherwise chunks are checked and upserted.
# Both must report and load the same.
BOTH_LOADS = pytest.mark.parametrize(
    "rebuild", [False, True], ids=["upsert", "insert-only"]
)


@pytest.fixture
def laptops(db: None) -> Any:
    electronics = CategoryFactory(slug="electronics", name="Electronics")
    return CategoryFactory(slug="laptops", name="Laptops", parent=electronics)


def test_a_jsonl_line_creates_the_product_with_its_variants(laptops):
    result = run_import(jsonl(product(tags=[" Laptop ", "SALE"])))

    assert result.loaded
    assert (result.products_created, result.variants_created) == (1, 1)
    saved = Product.objects.get(slug="aurora-15-laptop")
    assert saved.name == "Aurora 15 Laptop"
    assert saved.category == laptops
    assert saved.tags == ["laptop", "sale"]
    assert saved.specs == {"screen": {"size_in": 15.6, "resolution": "1920x1080"}}
    assert saved.attributes == {"brand": "Aurora"}
    assert saved.is_active is True
    variant = Variant.objects.get(sku="AUR15-8")
    assert (variant.product, variant.price, variant.stock) == (
        saved,
        Decimal("899.00"),
        12,
    )
    assert variant.options == {"ram": "8GB"}
    summary = ProductSummary.objects.get(product=saved)
    assert (summary.price_min, summary.has_stock) == (Decimal("899.00"), True)


def test_missing_optional_fields_take_their_defaults(laptops):
    run_import(
        jsonl(
            {
                "name": "Plain Sleeve",
                "category": "laptops",
                "variants": [{"sku": "SLV-1", "price": 12}],
            }
        )
    )

    saved = Product.objects.get(slug="plain-sleeve")
    assert (saved.description, saved.tags, saved.specs, saved.attributes) == (
        "",
        [],
        {},
        {},
    )
    variant = saved.variants.get()
    assert (variant.price, variant.currency, variant.stock) == (
        Decimal("12.00"),
        "EUR",
        0,
    )


BAD_LINES = [
    (b'{"name": "Broken"', "bad JSON: Expecting ',' delimiter at column 18"),
    (b"[1, 2]", "a line must be a JSON object"),
    (b'{"name": "x", "specs": {"w": NaN}}', "bad JSON: NaN is not a JSON value"),
    (
        b'{"name": "\\ud800 alone"}',
        "bad JSON: a \\u escape is an unpaired UTF-16 surrogate",
    ),
    (
        b'{"specs": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        "bad JSON: nested too deeply",
    ),
    (product(name=42), "name must be a string"),
    (product(name=" "), "name is required"),
    ({"slug": "x", "category": "laptops"}, "name is required"),
    (product(name="n" * 201), "name is longer than 200 characters"),
    (
        product(slug="no spaces"),
        "slug 'no spaces' may hold only letters, digits, '-' and '_'",
    ),
    (product(tags="laptop"), "tags must be a list of strings"),
    (product(tags=["ok", 3]), "tags must be a list of strings"),
    (
        product(tags=["t" * 51]),
        "tag 'tttttttttttttttttttt'... is longer than 50 characters",
    ),
    (product(specs=[1, 2]), "specs must be a JSON object"),
    (product(specs="big"), "specs must be a JSON object"),
    (
        product(attributes={"size": {"w": 1}}),
        "attributes must be flat: 'size' is not a string",
    ),
    (
        product(attributes={"count": 3}),
        "attributes must be flat: 'count' is not a string",
    ),
    (product(is_active="yes"), "is_active must be true or false"),
    (product(colour="red"), "unknown field 'colour'"),
    (product(variants={"sku": "A"}), "variants must be a list"),
    (product(variants=[{"price": "1.00"}]), "variant 1: sku is required"),
    (product(variants=[{"sku": "A"}]), "variant 1: price is required"),
    (
        product(variants=[{"sku": "A", "price": "-1.00"}]),
        "variant 1: price must not be negative",
    ),
    (
        product(variants=[{"sku": "A", "price": "1.005"}]),
        "variant 1: price has more than two decimal places",
    ),
    (
        product(variants=[{"sku": "A", "price": "cheap"}]),
        "variant 1: price 'cheap' is not a number",
    ),
    (
        product(variants=[{"sku": "A", "price": "1", "stock": -1}]),
        "variant 1: stock must not be negative",
    ),
    (
        product(variants=[{"sku": "A", "price": "1", "stock": 1.5}]),
        "variant 1: stock must be a whole number",
    ),
    (
        product(variants=[{"sku": "A", "price": "1", "currency": "eur"}]),
        "variant 1: currency must be three capital letters (ISO 4217)",
    ),
    (
        product(variants=[{"sku": "A", "price": "1", "options": [1]}]),
        "variant 1: options must be a JSON object",
    ),
    (
        product(variants=[{"sku": "A", "price": "1"}, {"sku": "A", "price": "2"}]),
        "variant 2: SKU 'A' repeats in this product",
    ),
    (product(specs={"note": "a\u0000b"}), "specs contain a NUL character"),
    (product(category="toys"), "unknown category 'toys'"),
]


@BOTH_LOADS
@pytest.mark.parametrize(("line", "reason"), BAD_LINES)
def test_a_bad_line_is_reported_with_its_number_and_nothing_is_loaded(
    laptops, line, reason, rebuild
):
    good = product(slug="good", variants=[{"sku": "GOOD-1", "price": "5"}])

    result = run_import(jsonl(good, line), rebuild_indexes=rebuild)

    assert not result.loaded
    assert result.report() == [f"line 2: {reason}"]
    assert not Product.objects.exists()
    assert not Variant.objects.exists()


@BOTH_LOADS
def test_a_slug_repeated_in_the_file_is_reported_on_the_later_line(laptops, rebuild):
    result = run_import(
        jsonl(
            product(variants=[]),
            product(slug="other", variants=[]),
            product(variants=[]),
        ),
        rebuild_indexes=rebuild,
    )

    assert result.report() == ["line 3: slug 'aurora-15-laptop' is also on line 1"]
    assert not Product.objects.exists()


@BOTH_LOADS
def test_a_sku_repeated_in_the_file_is_reported_on_the_later_line(laptops, rebuild):
    result = run_import(
        jsonl(product(), product(slug="other")), rebuild_indexes=rebuild
    )

    assert result.report() == ["line 2: SKU 'AUR15-8' is also on line 1"]
    assert not Product.objects.exists()


def test_a_sku_of_another_product_is_refused(laptops):
    VariantFactory(
        sku="AUR15-8", product=ProductFactory(slug="older", category=laptops)
    )

    result = run_import(jsonl(product()))

    assert result.report() == ["line 1: SKU 'AUR15-8' belongs to product 'older'"]
    assert not Product.objects.filter(slug="aurora-15-laptop").exists()


def test_a_file_that_is_not_utf8_is_reported_by_line(laptops):
    data = jsonl(product()) + '{"name": "Café"}\n'.encode("latin-1")

    result = run_import(data)

    assert result.report() == ["line 2: not valid UTF-8 (byte 0xe9 at column 14)"]
    assert not Product.objects.exists()


@BOTH_LOADS
def test_skip_invalid_loads_exactly_the_valid_lines(laptops, rebuild):
    result = run_import(
        jsonl(
            product(slug="one", variants=[{"sku": "ONE", "price": "1"}]),
            b"not json",
            product(slug="two", variants=[{"sku": "TWO", "price": "-2"}]),
            product(slug="three", category="toys", variants=[]),
            product(slug="four", variants=[{"sku": "ONE", "price": "4"}]),
            product(slug="five", variants=[{"sku": "FIVE", "price": "5"}]),
        ),
        skip_invalid=True,
        rebuild_indexes=rebuild,
    )

    assert result.loaded
    assert [line for line in result.report()] == [
        "line 2: bad JSON: Expecting value at column 1",
        "line 3: variant 1: price must not be negative",
        "line 4: unknown category 'toys'",
        "line 5: SKU 'ONE' is also on line 1",
    ]
    assert (result.valid, result.products_created) == (2, 2)
    assert sorted(Product.objects.values_list("slug", flat=True)) == ["five", "one"]
    assert sorted(Variant.objects.values_list("sku", flat=True)) == ["FIVE", "ONE"]


def test_reimporting_the_same_file_changes_nothing(laptops):
    data = jsonl(product(), product(slug="b", name="B", variants=[]))
    run_import(data)
    before = list(Product.objects.order_by("slug").values_list("slug", "updated_at"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT xmin::text FROM catalog_variant")
        variant_versions = cursor.fetchall()

    result = run_import(data)

    assert (result.products_created, result.products_updated) == (0, 0)
    assert (result.variants_created, result.variants_updated) == (0, 0)
    after = list(Product.objects.order_by("slug").values_list("slug", "updated_at"))
    assert after == before
    assert Variant.objects.count() == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT xmin::text FROM catalog_variant")
        assert cursor.fetchall() == variant_versions


def test_a_changed_line_updates_only_that_product_and_variant(laptops):
    run_import(jsonl(product(), product(slug="b", name="B", variants=[])))
    untouched = Product.objects.get(slug="b").updated_at
    first = Product.objects.get(slug="aurora-15-laptop").updated_at

    changed = product(
        description="Now lighter.",
        variants=[{"sku": "AUR15-8", "price": "799.00", "stock": 3}],
    )
    result = run_import(jsonl(changed, product(slug="b", name="B", variants=[])))

    assert (result.products_updated, result.variants_updated) == (1, 1)
    aurora = Product.objects.get(slug="aurora-15-laptop")
    assert aurora.description == "Now lighter."
    assert aurora.updated_at > first
    assert Product.objects.get(slug="b").updated_at == untouched
    variant = Variant.objects.get(sku="AUR15-8")
    assert (variant.price, variant.stock, variant.options) == (Decimal("799.00"), 3, {})


def test_a_bulk_load_rebuilds_every_index_and_constraint(laptops):
    def schema() -> set[tuple[str, str]]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN "
                "('catalog_product', 'catalog_variant', 'catalog_productsummary') "
                "UNION ALL SELECT conname, pg_get_constraintdef(oid) "
                "FROM pg_constraint WHERE conrelid IN ('catalog_product'::regclass, "
                "'catalog_variant'::regclass, 'catalog_productsummary'::regclass)"
            )
            return set(cursor.fetchall())

    before = schema()

    result = run_import(
        jsonl(
            *(
                product(slug=f"p{i}", variants=[{"sku": f"S{i}", "price": i}])
                for i in range(5)
            )
        ),
        rebuild_indexes=True,
    )

    assert result.products_created == 5
    assert schema() == before
    assert ProductSummary.objects.count() == 5


CSV_HEADER = "slug,name,category,tags,specs,attributes,is_active,sku,price,currency,stock,options\n"


def test_csv_rows_of_one_product_become_its_variants(laptops):
    data = (
        CSV_HEADER
        + 'tee,Tee,laptops,a|B,"{""fit"": ""slim""}","{""brand"": ""Zed""}",false,TEE-S,10.00,EUR,3,"{""size"": ""S""}"\n'
        + 'tee,Tee,laptops,a|B,"{""fit"": ""slim""}","{""brand"": ""Zed""}",false,TEE-M,11.50,,0,\n'
        + "mug,Mug,laptops,,,,,,,,,\n"
    ).encode()

    result = run_import(data, "csv")

    assert result.loaded, result.report()
    tee = Product.objects.get(slug="tee")
    assert (tee.tags, tee.specs, tee.attributes, tee.is_active) == (
        ["a", "b"],
        {"fit": "slim"},
        {"brand": "Zed"},
        False,
    )
    assert list(tee.variants.order_by("sku").values_list("sku", "price", "stock")) == [
        ("TEE-M", Decimal("11.50"), 0),
        ("TEE-S", Decimal("10.00"), 3),
    ]
    assert not Product.objects.get(slug="mug").variants.exists()


def test_csv_bad_rows_are_reported_by_line(laptops):
    data = (
        CSV_HEADER
        + "a,A,laptops,,,,,A-1,1,,1,\n"
        + "b,B,laptops,,,,,B-1,-3,,1,\n"
        + "c,C,laptops,,not json,,,C-1,1,,1,\n"
        + "d,D,laptops\n"
    ).encode()

    result = run_import(data, "csv")

    assert result.report() == [
        "line 3: variant 1: price must not be negative",
        "line 4: specs is not valid JSON: Expecting value",
        "line 5: expected 12 CSV fields, found 3",
    ]
    assert not Product.objects.exists()


def test_csv_without_required_columns_is_refused(laptops):
    with pytest.raises(
        ImportFileError, match=r"^line 1: missing CSV columns: name, category$"
    ):
        run_import(b"slug,sku,price\nx,X-1,1\n", "csv")


def test_the_command_imports_a_file_and_reports_counts(laptops, tmp_path, capsys):
    path = tmp_path / "products.jsonl"
    path.write_bytes(jsonl(product()))

    call_command("import", "products", str(path))

    assert capsys.readouterr().out.strip() == (
        "1 lines read, 1 valid, 0 invalid; products: 1 created, 0 updated; "
        "variants: 1 created, 0 updated"
    )


def test_the_command_refuses_a_file_of_unknown_format(laptops, tmp_path):
    path = tmp_path / "products.xml"
    path.write_text("<products/>")

    with pytest.raises(CommandError, match="pass --format jsonl or --format csv"):
        call_command("import", "products", str(path))


def _test_database_url() -> str:
    config = connection.settings_dict
    host = quote(config["HOST"] or "localhost", safe="")
    return f"postgres://{config['USER']}@{host}:{config['PORT']}/{config['NAME']}"


def _pantry(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": _test_database_url()}
    return subprocess.run(
        [sys.executable, "-m", "pantry.platform.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.django_db(transaction=True)
def test_cli_reports_bad_lines_and_fails_without_a_traceback(tmp_path: Path):
    CategoryFactory(slug="laptops")
    path = tmp_path / "products.jsonl"
    path.write_bytes(jsonl(product(), b"{oops"))

    refused = _pantry("import", "products", str(path))
    missing = _pantry("import", "products", str(tmp_path / "nothing.jsonl"))
    skipped = _pantry("import", "products", str(path), "--skip-invalid")

    assert refused.returncode == 1
    assert refused.stderr.splitlines() == [
        "line 2: bad JSON: Expecting property name enclosed in double quotes at column 2",
        "CommandError: 2 lines read, 1 invalid: nothing imported",
    ]
    assert missing.returncode == 1
    assert (
        missing.stderr.strip()
        == f"CommandError: no such file: {tmp_path / 'nothing.jsonl'}"
    )
    assert skipped.returncode == 0, skipped.stderr
    assert "Traceback" not in refused.stderr + missing.stderr + skipped.stderr
    assert list(Product.objects.values_list("slug", flat=True)) == ["aurora-15-laptop"]


@BOTH_LOADS
def test_repeats_across_chunks_are_found_and_skip_invalid_keeps_the_first(
    laptops, rebuild
):
    data = jsonl(
        product(slug="a", variants=[{"sku": "A-1", "price": "1"}]),
        product(slug="b", variants=[{"sku": "B-1", "price": "2"}]),
        product(slug="a", name="Again", variants=[]),
        product(slug="c", variants=[{"sku": "A-1", "price": "3"}]),
        product(slug="d", variants=[{"sku": "D-1", "price": "4"}]),
    )

    refused = run_import(data, chunk_lines=2, rebuild_indexes=rebuild)
    skipped = run_import(
        data, chunk_lines=2, skip_invalid=True, rebuild_indexes=rebuild
    )

    expected = [
        "line 3: slug 'a' is also on line 1",
        "line 4: SKU 'A-1' is also on line 1",
    ]
    assert (refused.loaded, refused.report()) == (False, expected)
    assert (skipped.loaded, skipped.report()) == (True, expected)
    assert (skipped.valid, skipped.products_created) == (3, 3)
    assert Product.objects.get(slug="a").name == "Aurora 15 Laptop"
    assert sorted(Variant.objects.values_list("sku", flat=True)) == [
        "A-1",
        "B-1",
        "D-1",
    ]


def _catalog_state() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word, product_count FROM search_lexicon "
            "WHERE product_count > 0 ORDER BY word"
        )
        lexicon = cursor.fetchall()
    return {
        "products": sorted(Product.objects.values_list("slug", "name", "tags")),
        "variants": sorted(
            Variant.objects.values_list("sku", "product__slug", "price", "stock")
        ),
        "summaries": sorted(
            ProductSummary.objects.values_list(
                "product__slug", "price_min", "price_max", "has_stock"
            )
        ),
        "lexicon": lexicon,
    }


def test_an_insert_only_load_ends_as_an_upsert_would(laptops):
    data = jsonl(
        product(
            slug="a",
            name="Alpha Kettle",
            tags=["steel"],
            variants=[
                {"sku": "A-1", "price": "3", "stock": 0},
                {"sku": "A-2", "price": "5", "stock": 2},
            ],
        ),
        product(slug="b", name="Bravo Teapot", variants=[]),
        product(slug="c", name="Charlie Mug", variants=[{"sku": "A-1", "price": "1"}]),
        product(slug="a", name="Again", variants=[{"sku": "Z-9", "price": "9"}]),
        product(slug="d", name="Delta Kettle", variants=[{"sku": "D-1", "price": "4"}]),
    )
    upserted = run_import(data, skip_invalid=True, rebuild_indexes=False)
    expected = _catalog_state()
    Product.objects.all().delete()
    # Ids of deleted products are not handed out again.
    stale = ProductFactory(category=laptops).id
    Product.objects.filter(id=stale).delete()

    inserted = run_import(data, skip_invalid=True, rebuild_indexes=True)

    assert inserted.report() == upserted.report()
    assert (
        (inserted.valid, inserted.products_created, inserted.variants_created)
        == (
            upserted.valid,
            upserted.products_created,
            upserted.variants_created,
        )
        == (3, 3, 3)
    )
    assert _catalog_state() == expected
    assert min(Product.objects.values_list("id", flat=True)) > stale
    later = ProductFactory(category=laptops)
    assert later.id > max(
        Product.objects.exclude(id=later.id).values_list("id", flat=True)
    )
