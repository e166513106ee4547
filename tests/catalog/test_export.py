from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from pantry.catalog.exporter import export_products
from pantry.catalog.importing import import_products
from pantry.catalog.models import Product, Promotion, Variant
from tests.catalog.test_import import _test_database_url
from tests.factories import CategoryFactory, ProductFactory, VariantFactory
from tests.helpers import ROOT


def exported(**options: int) -> str:
    out = io.StringIO()
    export_products(out, **options)
    return out.getvalue()


@pytest.fixture
def catalog(db: None) -> None:
    kitchen = CategoryFactory(slug="kitchen", name="Kitchen")
    pans = CategoryFactory(slug="pans", name="Pans", parent=kitchen)
    pan = ProductFactory(
        slug="iron-pan",
        name="Iron Pan",
        description='Cast iron, "seasoned"\tand\nready.',
        category=pans,
        tags=["kitchen", "iron"],
        specs={"size": {"diameter_cm": 28, "weight_kg": 2.10}, "ratio": 1.0000000001},
        attributes={"brand": "Ferro", "note": 'say "hi"\\'},
        is_active=False,
    )
    VariantFactory(product=pan, sku="PAN-28", price=Decimal("30.00"), stock=0)
    VariantFactory(
        product=pan,
        sku="PAN-24",
        price=Decimal("25.5"),
        stock=5,
        options={"size": "24"},
    )
    ProductFactory(slug="cafe-mug", name="Café Mug ☕", category=kitchen)
    ProductFactory(slug="bowl", name="Bowl", category=kitchen, tags=["kitchen"])


def test_export_writes_one_line_per_product_in_the_import_format_by_slug(catalog):
    lines = exported().splitlines()

    assert [json.loads(line)["slug"] for line in lines] == [
        "bowl",
        "cafe-mug",
        "iron-pan",
    ]
    assert json.loads(lines[2]) == {
        "slug": "iron-pan",
        "name": "Iron Pan",
        "description": 'Cast iron, "seasoned"\tand\nready.',
        "category": "pans",
        "tags": ["kitchen", "iron"],
        "specs": {
            "size": {"diameter_cm": 28, "weight_kg": 2.10},
            "ratio": 1.0000000001,
        },
        "attributes": {"brand": "Ferro", "note": 'say "hi"\\'},
        "is_active": False,
        "variants": [
            {
                "sku": "PAN-24",
                "price": "25.50",
                "currency": "EUR",
                "stock": 5,
                "options": {"size": "24"},
            },
            {
                "sku": "PAN-28",
                "price": "30.00",
                "currency": "EUR",
                "stock": 0,
                "options": {},
            },
        ],
    }


def test_numbers_in_specs_round_trip_exactly_as_written(catalog):
    line = (
        exported()
        .splitlines()[2]
        .replace('"ratio": 1.0000000001', '"ratio": 2.10, "huge": 1e400')
    )
    Variant.objects.all().delete()
    Product.objects.all().delete()

    import_products(io.BytesIO(line.encode() + b"\n"), file_format="jsonl")

    again = exported()
    assert '"huge": 1' + "0" * 400 + "," in again
    assert '"ratio": 2.10' in again
    assert import_products(io.BytesIO(again.encode()), file_format="jsonl").loaded
    assert exported() == again


def test_export_then_import_into_an_empty_catalog_round_trips_byte_for_byte(catalog):
    first = exported()
    Promotion.objects.all().delete()
    Variant.objects.all().delete()
    Product.objects.all().delete()

    result = import_products(io.BytesIO(first.encode()), file_format="jsonl")

    assert result.products_created == 3
    assert exported() == first


def test_export_read_in_keyset_batches_matches_the_cursor(catalog, settings):
    through_cursor = exported(batch=2)
    connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = True
    try:
        batched = exported(batch=2)
    finally:
        del connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"]

    assert batched == through_cursor
    assert len(batched.splitlines()) == 3


def test_the_command_writes_the_export_to_a_file(catalog, tmp_path, capsys):
    path = tmp_path / "products.jsonl"

    call_command("export", "products", "--output", str(path))

    assert path.read_text() == exported()
    assert capsys.readouterr().err.strip() == "exported 3 products"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["products.jsonl"]


def test_an_empty_catalog_exports_nothing(db):
    assert exported() == ""


@pytest.mark.django_db(transaction=True)
def test_a_reader_that_stops_early_ends_the_export_quietly():
    kitchen = CategoryFactory(slug="kitchen")
    for number in range(3000):
        ProductFactory(slug=f"p{number:04}", category=kitchen)
    env = {**os.environ, "DATABASE_URL": _test_database_url()}
    process = subprocess.Popen(
        [sys.executable, "-m", "pantry.platform.cli", "export", "products"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    process.stdout.close()
    _, errors = process.communicate(timeout=120)

    assert json.loads(first)["slug"] == "p0000"
    assert process.returncode == 0
    assert b"Traceback" not in errors
