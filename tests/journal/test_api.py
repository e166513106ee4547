from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pantry.journal.models import Post
from tests.factories import (
    AuthorFactory,
    PostFactory,
    ProductFactory,
    UserFactory,
    draft,
    scheduled,
)
from tests.helpers import assert_constant_queries, assert_error

pytestmark = pytest.mark.django_db


def slugs(response):
    assert response.status == 200, response.body
    return [item["slug"] for item in response.body["items"]]


def test_list_shows_public_posts_newest_first_in_the_api_shape(api):
    author = AuthorFactory(user=UserFactory(username="ada"), display_name="Ada L.")
    PostFactory(
        slug="older",
        title="Older",
        body="Some *Markdown* about olive oil and bread.",
        tags=["bread"],
        author=author,
        published_at=datetime(2026, 1, 1, 9, 0, tzinfo=UTC),
    )
    PostFactory(
        slug="newer", author=author, published_at=datetime(2026, 2, 1, tzinfo=UTC)
    )

    response = api.get("posts")

    assert slugs(response) == ["newer", "older"]
    assert response.body["next"] is None
    assert response.body["items"][1] == {
        "slug": "older",
        "title": "Older",
        "excerpt": "Some Markdown about olive oil and bread.",
        "tags": ["bread"],
        "published_at": "2026-01-01T09:00:00Z",
        "author": {"username": "ada", "display_name": "Ada L."},
    }


def test_drafts_and_scheduled_posts_are_not_listed(api):
    PostFactory(slug="public")
    draft(slug="a-draft")
    scheduled(slug="later")
    PostFactory(slug="draft-with-past-time", status=Post.Status.DRAFT)

    assert slugs(api.get("posts")) == ["public"]


def test_list_pages_with_a_cursor_without_repeats(api):
    for n in range(5):
        PostFactory(slug=f"p{n}")

    first = api.get("posts", {"limit": 2})
    second = api.get("posts", {"limit": 2, "cursor": first.body["next"]})
    third = api.get("posts", {"limit": 2, "cursor": second.body["next"]})

    assert slugs(first) + slugs(second) + slugs(third) == ["p0", "p1", "p2", "p3", "p4"]
    assert third.body["next"] is None


def test_list_filters_by_author_username(api):
    ada = AuthorFactory(user=UserFactory(username="ada"))
    PostFactory(slug="by-ada", author=ada)
    PostFactory(slug="by-someone-else")
    draft(slug="ada-draft", author=ada)

    assert slugs(api.get("posts", {"author": "ada"})) == ["by-ada"]


def test_list_filters_by_tag_case_insensitively(api):
    PostFactory(slug="bread", tags=["baking", "bread"])
    PostFactory(slug="oil", tags=["oil"])

    assert slugs(api.get("posts", {"tag": "Baking"})) == ["bread"]


def test_unknown_author_and_tag_give_empty_lists(api):
    PostFactory(tags=["oil"])

    assert slugs(api.get("posts", {"author": "nobody"})) == []
    assert slugs(api.get("posts", {"tag": "no-such-tag"})) == []


def test_search_orders_by_relevance_and_matches_stems(api):
    PostFactory(slug="title-hit", title="Sourdough starters", body="Flour and water.")
    PostFactory(slug="body-hit", title="Weekend", body="We baked a sourdough loaf.")
    PostFactory(slug="miss", title="Olive oil", body="Pressing olives.")
    draft(slug="draft-hit", title="Sourdough secrets")

    assert slugs(api.get("posts", {"q": "sourdough"})) == ["title-hit", "body-hit"]
    assert slugs(api.get("posts", {"q": "starter"})) == ["title-hit"]


def test_search_pages_with_a_relevance_cursor(api):
    for n in range(3):
        PostFactory(slug=f"s{n}", title="Sourdough " * (n + 1), body="bread")

    first = api.get("posts", {"q": "sourdough", "limit": 2})
    second = api.get(
        "posts", {"q": "sourdough", "limit": 2, "cursor": first.body["next"]}
    )

    assert len(set(slugs(first) + slugs(second))) == 3
    assert second.body["next"] is None


def test_blank_search_lists_everything_and_word_less_search_nothing(api):
    PostFactory(slug="one")

    assert slugs(api.get("posts", {"q": "   "})) == ["one"]
    assert slugs(api.get("posts", {"q": "!!! & |"})) == []


def test_search_cursor_is_refused_by_the_newest_list(api):
    for n in range(3):
        PostFactory(slug=f"s{n}", title="Sourdough")
    cursor = api.get("posts", {"q": "sourdough", "limit": 1}).body["next"]

    assert_error(api.get("posts", {"cursor": cursor}), 400, "bad_cursor")


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 101}, {"limit": "x"}, {"cursor": "tampered"}],
)
def test_bad_limit_or_cursor_is_a_400(api, params):
    response = api.get("posts", params)

    assert response.status == 400
    assert response.body["error"] in {"bad_request", "bad_cursor"}


@pytest.mark.parametrize(
    "params", [{}, {"author": "ada"}, {"tag": "oil"}, {"q": "oil"}]
)
def test_list_query_count_does_not_depend_on_page_size(api, params):
    ada = AuthorFactory(user=UserFactory(username="ada"))
    for n in range(100):
        PostFactory(
            author=ada if n % 2 else AuthorFactory(),
            tags=["oil"],
            title=f"Olive oil {n}",
        )

    assert_constant_queries(lambda size: api.get("posts", {**params, "limit": size}))


def test_detail_adds_body_and_sanitised_html(api):
    PostFactory(slug="hello", body="# Hi\n\n<script>alert(1)</script>\n\n**bold**")

    response = api.get("posts/hello")

    assert response.status == 200
    assert response.body["body"] == "# Hi\n\n<script>alert(1)</script>\n\n**bold**"
    assert response.body["html"] == "<h1>Hi</h1>\n\n<p><strong>bold</strong></p>\n"
    assert response.body["author"]["username"].startswith("writer")
    assert response.body["products"] == []


def test_drafts_and_scheduled_posts_are_404_to_anonymous_but_readable_by_staff(
    api, staff_token
):
    draft(slug="a-draft")
    scheduled(slug="later")

    for slug in ["a-draft", "later"]:
        assert_error(api.get(f"posts/{slug}"), 404, "not_found")
        assert api.get(f"posts/{slug}", token="not-a-token").status == 404
        assert api.get(f"posts/{slug}", token=staff_token).status == 200


@pytest.mark.parametrize("slug", ["no-such-post", "UPPER", "x" * 300, "%00", "a.b"])
def test_unknown_or_malformed_slugs_are_404(api, slug):
    assert_error(api.get(f"posts/{slug}"), 404, "not_found")


def test_authors_list_counts_only_public_posts(api):
    ada = AuthorFactory(user=UserFactory(username="ada"), display_name="Ada", bio="b")
    PostFactory(author=ada)
    PostFactory(author=ada)
    draft(author=ada)
    scheduled(author=ada)
    AuthorFactory(user=UserFactory(username="bob"), display_name="Bob")

    response = api.get("authors")

    assert response.status == 200
    assert response.body == {
        "items": [
            {
                "username": "ada",
                "display_name": "Ada",
                "bio": "b",
                "avatar_url": "",
                "post_count": 2,
            },
            {
                "username": "bob",
                "display_name": "Bob",
                "bio": "Cooks, writes, tastes.",
                "avatar_url": "",
                "post_count": 0,
            },
        ],
        "next": None,
    }


def test_authors_list_query_count_does_not_depend_on_page_size(api):
    for _ in range(100):
        PostFactory()

    assert_constant_queries(lambda size: api.get("authors", {"limit": size}))


def test_authors_list_pages_by_username(api):
    for name in ["cy", "ada", "bob"]:
        AuthorFactory(user=UserFactory(username=name))

    first = api.get("authors", {"limit": 2})
    second = api.get("authors", {"limit": 2, "cursor": first.body["next"]})

    names = [a["username"] for a in first.body["items"] + second.body["items"]]
    assert names == ["ada", "bob", "cy"]


def test_search_combines_with_author_and_tag_filters(api):
    ada = AuthorFactory(user=UserFactory(username="ada"))
    PostFactory(slug="ada-bread", author=ada, title="Sourdough", tags=["bread"])
    PostFactory(slug="ada-oil", author=ada, title="Sourdough oil", tags=["oil"])
    PostFactory(slug="other", title="Sourdough", tags=["bread"])

    response = api.get("posts", {"q": "sourdough", "author": "ada", "tag": "bread"})

    assert slugs(response) == ["ada-bread"]


@pytest.mark.parametrize(
    "params",
    [{"author": "a\x00b"}, {"tag": "\x00"}, {"q": "oil\x00", "author": "\x00"}],
)
def test_nul_characters_in_filters_are_400_naming_the_parameter(api, params):
    PostFactory(title="Olive oil", tags=["oil"])

    error = assert_error(api.get("posts", params), 400, "bad_request")

    assert set(error["fields"]) <= set(params)
    assert len(error["fields"]) == 1


def test_posts_about_a_product_are_public_and_newest_first():
    from pantry.journal.queries import posts_about_product

    oil = ProductFactory(slug="oil", name="Oil")
    older = PostFactory(slug="older", published_at=datetime(2026, 1, 1, tzinfo=UTC))
    newer = PostFactory(slug="newer", published_at=datetime(2026, 2, 1, tzinfo=UTC))
    hidden = draft(slug="hidden")
    PostFactory(slug="unrelated")
    for post in (older, newer, hidden):
        post.products.add(oil)

    assert [post.slug for post in posts_about_product(oil.pk)] == ["newer", "older"]
