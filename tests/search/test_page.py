from __future__ import annotations

import pytest

from tests.factories import ProductFactory
from tests.helpers import assert_in_html, tags

pytestmark = pytest.mark.django_db


def test_the_page_lists_ranked_results_with_highlighted_snippets(client):
    ProductFactory(
        slug="kettle", name="Steel <b>Kettle</b>", description="A kettle & cup"
    )

    response = client.get("/search/", {"q": "kettle"})

    assert response.status_code == 200
    page = response.content.decode()
    assert_in_html(
        '<a href="/products/kettle/">Steel &lt;b&gt;Kettle&lt;/b&gt;</a>', page
    )
    assert "A <mark>kettle</mark> &amp; cup" in page
    assert tags(page, "label", for_="search-q")


def test_the_page_offers_did_you_mean(client):
    ProductFactory(slug="kettle", name="Kettle")

    page = client.get("/search/", {"q": "ketle"}).content.decode()

    assert_in_html(
        '<p class="suggestion">Did you mean'
        ' <a href="?q=kettle" rel="nofollow">kettle</a>?</p>',
        page,
    )


@pytest.mark.parametrize("query", ["", "\x00", "<script>", "-", "x" * 10000])
def test_the_page_takes_any_text(client, query):
    response = client.get("/search/", {"q": query, "type": "nonsense"})

    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("<main", 1)[1]
