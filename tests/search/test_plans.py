"""At small scale, with sequential scans discouraged as on a big table, every
search statement reaches its rows through a GIN index."""

from __future__ import annotations

import pytest
from django.db import connection

from pantry.catalog.models import Product
from pantry.core.textsearch import parse_query
from pantry.journal.models import Post
from pantry.search.queries import (
    TYPES,
    search_statement,
    spelling_statement,
    suggest_statement,
)
from tests.factories import PostFactory, ProductFactory
from tests.helpers import assert_uses_index

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def documents() -> None:
    product, post = ProductFactory(name="Kettle"), PostFactory(title="Tea")
    # Enough unrelated rows that reading them all costs more than an index.
    Product.objects.bulk_create(
        Product(slug=f"p{n}", name=f"Filler {n}", category=product.category)
        for n in range(2000)
    )
    Post.objects.bulk_create(
        Post(
            slug=f"n{n}",
            title=f"Filler {n}",
            body="words",
            author=post.author,
            status=post.status,
            published_at=post.published_at,
        )
        for n in range(2000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_product, journal_post, search_lexicon")


@pytest.mark.parametrize("fallback", [False, True])
@pytest.mark.parametrize(
    "index",
    [
        "catalog_product_search_gin",
        "journal_post_search_gin",
        "search_product_name_gin",
        "search_post_title_gin",
    ],
)
def test_search_uses_the_vector_indexes(index, fallback):
    sql, params = search_statement(
        parse_query('kettle "steel pot" -copper'), TYPES, 20, fallback=fallback
    )

    assert_uses_index(sql, index, params)


def test_spelling_suggestions_use_the_trigram_index_of_the_lexicon():
    sql, params = spelling_statement(["ketle", "stel"])

    assert_uses_index(sql, "search_lexicon_trgm", params)


@pytest.mark.parametrize("index", ["search_product_name_gin", "search_post_title_gin"])
def test_suggest_uses_the_name_and_title_word_indexes(index):
    sql, params = suggest_statement("ket", TYPES)

    assert_uses_index(sql, index, params)
