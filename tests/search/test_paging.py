"""Search pages on with a cursor, with a total (API.md, Search)."""

from __future__ import annotations

import pytest
from django.db import connection

from pantry.catalog.models import Product
from pantry.search import ranking
from tests.factories import CategoryFactory, PostFactory, ProductFactory
from tests.helpers import assert_constant_queries, assert_in_html

pytestmark = pytest.mark.django_db


def kettles(count: int) -> None:
    category = CategoryFactory()
    Product.objects.bulk_create(
        Product(
            slug=f"kettle-{n:03}",
            name=f"Kettle {n}",
            # A different number of mentions gives each a different rank.
            description="kettle " * (n % 7),
            category=category,
        )
        for n in range(count)
    )


def walk(api, params: dict[str, object]) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        response = api.get(
            "search", {**params, **({"cursor": cursor} if cursor else {})}
        )
        assert response.status == 200, response.body
        pages.append([item["slug"] for item in response.body["items"]])
        cursor = response.body["next"]
        if cursor is None:
            return pages


def test_following_next_lists_every_match_once_in_rank_order(api):
    kettles(45)
    PostFactory(slug="kettle-post", title="My kettle")
    everything = api.get("search", {"q": "kettle", "limit": 50}).body

    pages = walk(api, {"q": "kettle", "limit": 20})

    assert [len(page) for page in pages] == [20, 20, 6]
    assert [slug for page in pages for slug in page] == [
        item["slug"] for item in everything["items"]
    ]
    assert everything["total"] == 46
    assert everything["total_is_estimate"] is False
    assert everything["next"] is None


def test_the_answer_carries_total_next_and_partial(api):
    kettles(3)

    body = api.get("search", {"q": "kettle", "limit": 2}).body

    assert body["total"] == 3
    assert body["total_is_estimate"] is False
    assert body["partial"] is False
    assert isinstance(body["next"], str)


def test_a_later_page_costs_the_same_two_queries_whatever_its_size(api):
    kettles(60)
    cursor = api.get("search", {"q": "kettle", "limit": 1}).body["next"]

    def fetch(limit: int) -> None:
        response = api.get("search", {"q": "kettle", "limit": limit, "cursor": cursor})
        assert len(response.body["items"]) == limit

    # The staff synonyms of the words, the terms' document frequencies,
    # then the search.
    assert assert_constant_queries(fetch, sizes=(1, 50)) == 3


def test_beyond_the_bound_the_total_is_an_estimate(api, monkeypatch):
    monkeypatch.setattr(ranking, "BOUND", 5)
    monkeypatch.setattr(ranking, "TITLE_BOUND", 5)
    monkeypatch.setattr(ranking, "EXACT_TOTAL", 3)
    kettles(40)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_product")

    body = api.get("search", {"q": "kettle"}).body

    # Every row of the table matches, so the sample says all 40.
    assert body["total"] == 40
    assert body["total_is_estimate"] is True


def test_a_cursor_of_another_search_is_refused(api):
    kettles(5)
    cursor = api.get("search", {"q": "kettle", "limit": 2}).body["next"]

    response = api.get("search", {"q": "kettles pot", "cursor": cursor})

    assert response.status == 400
    assert response.body["error"] == "bad_cursor"


@pytest.mark.parametrize("limit", [0, 51])
def test_limit_is_between_1_and_50(api, limit):
    response = api.get("search", {"q": "kettle", "limit": limit})

    assert response.status == 400
    assert response.body["detail"] == "limit must be between 1 and 50."


def test_the_page_links_to_the_next_page_and_back_to_the_first(client):
    kettles(25)

    first = client.get("/search/", {"q": "kettle"}).content.decode()
    link = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    second = client.get("/search/" + link.replace("&amp;", "&")).content.decode()

    assert "25 results." in first
    assert first.count('class="search-result ') == 20
    assert second.count('class="search-result ') == 5
    assert_in_html('<a href="?q=kettle">First page</a>', second)
    assert 'rel="next"' not in second


def test_a_stale_page_link_shows_the_first_page(client):
    ProductFactory(slug="kettle", name="Kettle")

    page = client.get("/search/", {"q": "kettle", "page": "nonsense"}).content.decode()

    assert "That page link no longer applies" in page
    assert_in_html('<a href="/products/kettle/">Kettle</a>', page)


@pytest.mark.parametrize("kind", ["product", "post"])
def test_search_reads_exactly_the_rows_of_its_apps_rule(kind):
    from datetime import timedelta

    from django.utils import timezone

    from pantry.journal.models import Post

    ProductFactory(slug="on-sale")
    ProductFactory(slug="withdrawn", is_active=False)
    PostFactory(slug="public")
    PostFactory(slug="draft", status=Post.Status.DRAFT)
    PostFactory(slug="scheduled", published_at=timezone.now() + timedelta(days=1))
    sql, _, _, params = ranking._source(kind)

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT slug FROM ({sql}) AS s ORDER BY slug", params)  # noqa: S608  the SQL of our own queryset
        slugs = [row[0] for row in cursor.fetchall()]

    assert slugs == (["on-sale"] if kind == "product" else ["public"])
