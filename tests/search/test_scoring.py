"""The BM25-style score: rare terms weigh more, as the statistics say."""

from __future__ import annotations

import pytest

from pantry.search import scoring
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def slugs(response) -> list[str]:
    assert response.status == 200, response.body
    return [item["slug"] for item in response.body["items"]]


def test_a_rare_word_outweighs_a_common_one_among_partial_matches(api):
    # Oldest first, so a tie (as cover density alone gave) would put it last.
    ProductFactory(slug="copper", name="Jug", description="Hammered copper.")
    for n in range(6):
        ProductFactory(slug=f"kettle-{n}", name=f"Pot {n}", description="A kettle.")

    response = api.get("search", {"q": "copper kettle"})

    assert response.body["partial"] is True
    assert slugs(response)[0] == "copper"


def test_document_frequencies_come_from_the_vectors(db):
    ProductFactory(slug="a", name="Kettle", description="kettles boil")
    ProductFactory(slug="b", name="Pan", description="")

    terms = scoring.terms_of("kettles and pans", ["catalog_product"])

    # Stems, stop words gone; both words in one of two products.
    found = {term.lexeme: term.idf for term in terms["catalog_product"]}
    assert set(found) == {"kettl", "pan"}
    assert found["kettl"] == pytest.approx(found["pan"])
    assert found["kettl"] > 0
