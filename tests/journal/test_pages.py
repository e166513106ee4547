from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from urllib.parse import unquote

import pytest

from tests.factories import (
    AuthorFactory,
    PostFactory,
    UserFactory,
    draft,
    scheduled,
)
from tests.helpers import assert_constant_queries, assert_in_html, count_queries

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def atom(content: bytes) -> ET.Element:
    # Our own server's output, so the stdlib parser is fine here.
    return ET.fromstring(content)  # noqa: S314


def page(client, path, params=None):
    response = client.get(path, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def three_kinds():
    ada = AuthorFactory(user=UserFactory(username="ada"), display_name="Ada")
    PostFactory(slug="public-post", title="Public post", author=ada, tags=["oil"])
    draft(slug="draft-post", title="Draft post", author=ada, tags=["oil"])
    scheduled(slug="future-post", title="Future post", author=ada, tags=["oil"])
    return ada


@pytest.mark.parametrize(
    "path", ["/journal/", "/journal/tags/oil/", "/authors/ada/", "/journal/feed/"]
)
def test_lists_show_public_posts_only(client, path):
    three_kinds()

    html = page(client, path)

    assert "Public post" in html
    assert "Draft post" not in html
    assert "Future post" not in html


def test_author_page_counts_public_posts_only(client):
    three_kinds()

    assert_in_html("<p>1 post</p>", page(client, "/authors/ada/"))


@pytest.mark.parametrize("slug", ["draft-post", "future-post", "no-such-post"])
def test_hidden_or_unknown_post_pages_are_404(client, slug):
    three_kinds()

    assert client.get(f"/journal/{slug}/").status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/authors/nobody/", "/authors/%00/", "/journal/%00/", "/journal/tags/%00/"],
)
def test_odd_addresses_are_404_or_empty_never_500(client, path):
    response = client.get(path)

    assert response.status_code in {200, 404}
    if response.status_code == 200:
        assert "No posts yet." in response.content.decode()


def test_post_page_shows_the_sanitised_body_and_links(client):
    ada = AuthorFactory(user=UserFactory(username="ada"), display_name="Ada")
    PostFactory(
        slug="oil",
        title="Oil",
        author=ada,
        tags=["harvest"],
        body="Hi <img src=x onerror=alert(1)> **there**",
    )

    html = page(client, "/journal/oil/")

    assert_in_html('<p>Hi <img src="x"> <strong>there</strong></p>', html)
    assert "onerror" not in html
    assert 'href="/authors/ada/"' in html
    assert 'href="/journal/tags/harvest/"' in html


def test_journal_page_links_to_older_posts_with_a_cursor(client):
    for n in range(3):
        PostFactory(slug=f"p{n}", title=f"Title {n}")

    first = page(client, "/journal/", {"per_page": 2})
    cursor = first.split('rel="next" href="?cursor=')[1].split("&amp;")[0]
    second = page(client, "/journal/", {"per_page": 2, "cursor": unquote(cursor)})

    assert "Title 0" in first
    assert "Title 1" in first
    assert "Title 2" not in first
    assert "Title 2" in second
    assert "Older posts" not in second


def test_a_tampered_page_cursor_is_a_400(client):
    assert client.get("/journal/", {"cursor": "bad"}).status_code == 400


@pytest.mark.parametrize(
    "path", ["/journal/", "/journal/tags/oil/", "/authors/ada/", "/journal/feed/"]
)
def test_list_pages_issue_constant_queries(client, path):
    ada = AuthorFactory(user=UserFactory(username="ada"))
    for n in range(100):
        PostFactory(author=ada if n % 2 else AuthorFactory(), tags=["oil"])

    assert_constant_queries(lambda size: client.get(path, {"per_page": size}))


def test_feed_is_valid_atom_with_required_elements(client):
    ada = AuthorFactory(user=UserFactory(username="ada"), display_name="Ada")
    PostFactory(
        slug="oil",
        title="Oil & <vinegar>",
        author=ada,
        tags=["oil"],
        body="*Hi*",
        published_at=datetime(2026, 3, 1, 8, 0, tzinfo=UTC),
    )
    draft(slug="hidden", author=ada)

    response = client.get("/journal/feed/")

    assert response["Content-Type"].startswith("application/atom+xml")
    feed = atom(response.content)
    assert feed.tag == f"{ATOM}feed"
    for name in ["id", "title", "updated"]:
        assert feed.find(f"{ATOM}{name}").text
    assert feed.find(f"{ATOM}author/{ATOM}name").text == "pantry"
    assert feed.find(f"{ATOM}link[@rel='self']").get("href").endswith("/journal/feed/")
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 1
    entry = entries[0]
    assert entry.find(f"{ATOM}title").text == "Oil & <vinegar>"
    assert entry.find(f"{ATOM}id").text.startswith("tag:pantry,2026-03-01:post:")
    assert entry.find(f"{ATOM}published").text == "2026-03-01T08:00:00+00:00"
    assert entry.find(f"{ATOM}updated").text
    assert (
        entry.find(f"{ATOM}link[@rel='alternate']")
        .get("href")
        .endswith("/journal/oil/")
    )
    assert entry.find(f"{ATOM}author/{ATOM}name").text == "Ada"
    assert entry.find(f"{ATOM}category").get("term") == "oil"
    assert entry.find(f"{ATOM}summary").text == "Hi"
    assert entry.find(f"{ATOM}content").text == "<p><em>Hi</em></p>\n"


def test_empty_feed_is_still_valid_atom(client):
    feed = atom(client.get("/journal/feed/").content)

    assert feed.find(f"{ATOM}updated").text
    assert feed.findall(f"{ATOM}entry") == []


def test_feed_issues_the_same_queries_for_one_post_and_many(client):
    PostFactory()
    one = count_queries(lambda: client.get("/journal/feed/"))
    for _ in range(30):
        PostFactory(tags=["oil", "bread"])

    many = count_queries(lambda: client.get("/journal/feed/"))

    assert one == many
    assert len(atom(client.get("/journal/feed/").content).findall(f"{ATOM}entry")) == 20
