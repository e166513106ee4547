from __future__ import annotations

import pytest

from tests.search.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_the_page_lists_ranked_results_with_highlighted_snippets(client):
    ProductFactory(
        slug="kettle", name="Steel <b>Kettle</b>", description="A kettle & cup"
    )

    response = client.get("/search/", {"q": "kettle"})

    assert response.status_code == 200
    page = response.content.decode()
    assert '<a href="/products/kettle/">Steel &lt;b&gt;Kettle&lt;/b&gt;</a>' in page
    assert "A <mark>kettle</mark> &amp; cup" in page
    assert '<label for="search-q">' in page


def test_the_page_offers_did_you_mean(client):
    ProductFactory(slug="kettle", name="Kettle")

    page = client.get("/search/", {"q": "ketle"}).content.decode()

    assert 'Did you mean\n    <a href="?q=kettle" rel="nofollow">kettle</a>?' in page


@pytest.mark.parametrize("query", ["", "\x00", "<script>", "-", "x" * 10000])
def test_the_page_takes_any_text(client, query):
    response = client.get("/search/", {"q": query, "type": "nonsense"})

    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("<main", 1)[1]
