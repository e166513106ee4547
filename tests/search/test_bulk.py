"""search.bulk: a fresh product load counts the lexicon on the side."""

from __future__ import annotations

import io

import pytest
from django.db import connection

from pantry.catalog.importing import import_products
from pantry.catalog.models import Product
from pantry.search.bulk import bulk_load
from pantry.search.services import rebuild_lexicon
from tests.catalog.test_import import jsonl, product
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db

DATA = jsonl(
    product(
        slug="a", name="Alpha Kettle", tags=["steel"], category="kitchen", variants=[]
    ),
    product(
        slug="b", name="Bravo Kettle", tags=["glass"], category="kitchen", variants=[]
    ),
    product(
        slug="c", name="Hidden Teapot", is_active=False, category="kitchen", variants=[]
    ),
    product(slug="a", name="Again Mug", category="kitchen", variants=[]),
)


def lexicon() -> list[tuple[str, int]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word, product_count FROM search_lexicon"
            " WHERE product_count > 0 ORDER BY word"
        )
        return cursor.fetchall()


def insert_trigger_enabled() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgenabled FROM pg_trigger WHERE tgname = 'search_lexicon_insert'"
        )
        return cursor.fetchone()[0] == "O"


def load(hooked: bool) -> None:
    raw = io.BytesIO(DATA)
    options = {"file_format": "jsonl", "skip_invalid": True, "rebuild_indexes": True}
    if hooked:
        with bulk_load() as words:
            result = import_products(raw, insert_hook=words, **options)
    else:
        result = import_products(raw, **options)
    assert result.report() == ["line 4: slug 'a' is also on line 1"]


def test_a_hooked_fresh_load_counts_the_words_the_triggers_would():
    CategoryFactory(slug="kitchen", name="Kitchen")
    load(hooked=False)
    by_triggers = lexicon()
    Product.objects.all().delete()

    load(hooked=True)

    assert by_triggers == [
        ("alpha", 1),
        ("bravo", 1),
        ("glass", 1),
        ("kettle", 2),
        ("steel", 1),
    ]
    assert lexicon() == by_triggers
    assert insert_trigger_enabled()
    rebuild_lexicon()
    assert lexicon() == by_triggers


def test_a_failed_hooked_load_leaves_the_trigger_on():
    raw = io.BytesIO(DATA)

    with bulk_load() as words:
        result = import_products(
            raw, file_format="jsonl", rebuild_indexes=True, insert_hook=words
        )

    assert result.loaded is False
    assert insert_trigger_enabled()
    assert lexicon() == []
