from __future__ import annotations

import pytest
from django.db import connection

from pantry.catalog.models import Product
from pantry.journal.models import Post
from pantry.search.models import LexiconWord
from pantry.search.services import rebuild_lexicon
from tests.factories import PostFactory, ProductFactory

pytestmark = pytest.mark.django_db


def counts() -> dict[str, tuple[int, int]]:
    return {
        row.word: (row.product_count, row.post_count)
        for row in LexiconWord.objects.all()
    }


def test_new_products_and_posts_add_their_words_once_per_document():
    ProductFactory(name="Café kettle KETTLE", description="copper", tags=["steel"])
    ProductFactory(name="Kettle", description="")
    PostFactory(title="Tea", body="The kettle sings, ok?")

    assert counts() == {
        "cafe": (1, 0),
        "kettle": (2, 1),
        "steel": (1, 0),
        "tea": (0, 1),
        "the": (0, 1),
        "sings": (0, 1),
    }


def test_an_edit_moves_counts_and_a_word_no_document_has_goes():
    product = ProductFactory(name="Copper kettle")

    Product.objects.filter(pk=product.pk).update(name="Steel kettle")

    assert counts() == {"kettle": (1, 0), "steel": (1, 0)}


def test_product_descriptions_are_not_counted():
    ProductFactory(name="Kettle", description="copper")

    assert counts() == {"kettle": (1, 0)}


def test_deleting_a_document_removes_its_words():
    product = ProductFactory(name="Kettle")
    PostFactory(title="Kettle")

    product.delete()

    assert counts() == {"kettle": (0, 1)}


def test_inactive_products_and_drafts_are_not_counted():
    product = ProductFactory(name="Kettle")
    post = PostFactory(title="Kettle")

    Product.objects.filter(pk=product.pk).update(is_active=False)
    Post.objects.filter(pk=post.pk).update(status=Post.Status.DRAFT, published_at=None)

    assert counts() == {}


def test_a_bulk_insert_counts_every_row():
    Product.objects.bulk_create(
        [
            Product(slug=f"p{n}", name="Lamp", category=ProductFactory().category)
            for n in range(50)
        ]
    )

    assert counts()["lamp"] == (50, 0)


def test_truncating_a_table_clears_its_counts_only():
    ProductFactory(name="Kettle")
    PostFactory(title="Kettle tea")

    with connection.cursor() as cursor:
        # Django's deferred foreign-key checks would block TRUNCATE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE catalog_product CASCADE")

    assert counts() == {"kettle": (0, 1), "tea": (0, 1)}


def test_a_rebuild_recounts_what_the_triggers_keep():
    ProductFactory(name="Kettle", description="copper kettle")
    PostFactory(title="Kettle tea")
    kept = counts()
    LexiconWord.objects.all().delete()

    assert rebuild_lexicon() == 2

    assert counts() == kept
