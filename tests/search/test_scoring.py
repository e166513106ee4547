"""The BM25-style score: rare terms weigh more, as the statistics say."""

from __future__ import annotations

import pytest
from django.db import connection

from pantry.search import scoring
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def slugs(response) -> list[str]:
    assert response.status == 200, response.body
    return [item["slug"] for item in response.body["items"]]


def analyze_products() -> None:
    """Document frequencies and the row count come from the table's
    statistics (pg_stats, pg_class.reltuples): make them this test's rows,
    not whatever another test left behind."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_product")


def test_a_rare_word_outweighs_a_common_one_among_partial_matches(api):
    # Oldest first, so a tie (as cover density alone gave) would put it last.
    ProductFactory(slug="copper", name="Jug", description="Hammered copper.")
    for n in range(6):
        ProductFactory(slug=f"kettle-{n}", name=f"Pot {n}", description="A kettle.")
    analyze_products()

    response = api.get("search", {"q": "copper kettle"})

    assert response.body["partial"] is True
    assert slugs(response)[0] == "copper"


def test_document_frequencies_come_from_the_vectors(db):
    ProductFactory(slug="a", name="Kettle", description="kettles boil")
    ProductFactory(slug="b", name="Pan", description="")
    analyze_products()

    terms = scoring.terms_of("kettles and pans", ["catalog_product"])

    # Stems, stop words gone; both words in one of two products.
    found = {term.lexeme: term.idf for term in terms["catalog_product"]}
    assert set(found) == {"kettl", "pan"}
    assert found["kettl"] == pytest.approx(found["pan"])
    assert found["kettl"] > 0


def test_among_partial_matches_more_of_the_words_rank_higher(api):
    # No product has all three words, so any of them will do. "copper" is
    # the rarest word, alone in its product's name; "kettle" and "lid" are
    # commoner but together in one name. Summed idf alone puts the copper
    # jug first; holding two of the three words puts the lid first.
    ProductFactory(slug="copper", name="Copper", description="")
    ProductFactory(slug="kettle-lid", name="Kettle Lid", description="")
    for n in range(2):
        ProductFactory(slug=f"lid-{n}", name=f"Lid {n}", description="")
    for n in range(5):
        ProductFactory(slug=f"kettle-{n}", name=f"Pot {n}", description="A kettle.")
    analyze_products()

    response = api.get("search", {"q": "copper kettle lid"})

    assert response.body["partial"] is True
    assert slugs(response)[:2] == ["kettle-lid", "copper"]
