"""The sitemap lists what the public may see, and nothing else."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest

from tests.factories import (
    CategoryFactory,
    PostFactory,
    ProductFactory,
    draft,
    scheduled,
)
from tests.helpers import count_queries

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}

pytestmark = pytest.mark.django_db


def locations(client, path: str) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200
    return [
        loc.text
        for loc in ElementTree.fromstring(response.content).iterfind(".//s:loc", NS)  # noqa: S314 - our own output
    ]


def test_the_index_points_at_every_section(client):
    assert locations(client, "/sitemap.xml") == [
        "http://testserver/sitemap-products.xml",
        "http://testserver/sitemap-categories.xml",
        "http://testserver/sitemap-posts.xml",
    ]


def test_posts_section_lists_public_posts_only(client):
    PostFactory(slug="out-now")
    draft(slug="still-a-draft")
    scheduled(slug="next-week")

    assert locations(client, "/sitemap-posts.xml") == [
        "http://testserver/journal/out-now/"
    ]


def test_products_section_lists_active_products_only(client):
    ProductFactory(slug="on-sale")
    ProductFactory(slug="withdrawn", is_active=False)
    CategoryFactory(slug="pantry-staples")

    assert locations(client, "/sitemap-products.xml") == [
        "http://testserver/products/on-sale/"
    ]
    assert "http://testserver/categories/pantry-staples/" in locations(
        client, "/sitemap-categories.xml"
    )


def test_sections_cost_the_same_queries_for_one_and_many_rows(client):
    PostFactory()
    ProductFactory()
    few = {
        s: count_queries(lambda s=s: client.get(f"/sitemap-{s}.xml"))
        for s in ("posts", "products")
    }
    for _ in range(30):
        PostFactory()
        ProductFactory()

    many = {
        s: count_queries(lambda s=s: client.get(f"/sitemap-{s}.xml"))
        for s in ("posts", "products")
    }

    assert few == many
