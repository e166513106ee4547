from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from pantry.journal.models import Author, Post
from tests.factories import AuthorFactory, PostFactory, ProductFactory, UserFactory
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

NEW = {"title": "Pressing olives", "body": "We **press** olives in *November*."}


def test_create_makes_the_token_user_an_author_and_renders_the_body(api, staff_token):
    response = api.post(
        "posts", {**NEW, "tags": ["Oil", "harvest", "oil"]}, token=staff_token
    )

    assert response.status == 201, response.body
    post = Post.objects.get()
    assert post.slug == "pressing-olives"
    assert post.status == "draft"
    assert post.published_at is None
    assert post.tags == ["oil", "harvest"]
    assert post.author.user.username == "staff"
    assert post.author.display_name == "staff"
    assert post.excerpt == "We press olives in November."
    assert (
        post.body_html
        == "<p>We <strong>press</strong> olives in <em>November</em>.</p>\n"
    )
    assert response.body["html"] == post.body_html
    assert response.body["status"] == "draft"


def test_publishing_without_a_time_publishes_now(api, staff_token):
    before = timezone.now()

    response = api.post("posts", {**NEW, "status": "published"}, token=staff_token)

    assert response.status == 201
    post = Post.objects.get()
    assert before <= post.published_at <= timezone.now()
    assert api.get("posts/pressing-olives").status == 200


def test_create_with_given_slug_excerpt_time_author_and_products(api, staff_token):
    ProductFactory(slug="arbequina", name="Arbequina oil")
    AuthorFactory(user=UserFactory(username="ada"))

    response = api.post(
        "posts",
        {
            **NEW,
            "slug": "olives-2026",
            "excerpt": "A short one.",
            "status": "published",
            "published_at": "2030-01-02T03:04:05+02:00",
            "author": "ada",
            "products": ["arbequina"],
        },
        token=staff_token,
    )

    assert response.status == 201, response.body
    assert response.body["published_at"] == "2030-01-02T01:04:05Z"
    assert response.body["author"]["username"] == "ada"
    assert response.body["excerpt"] == "A short one."
    assert response.body["products"] == [{"slug": "arbequina", "name": "Arbequina oil"}]
    # Scheduled: not yet public.
    assert api.get("posts/olives-2026").status == 404


def test_a_derived_slug_that_is_taken_gets_a_number(api, staff_token):
    PostFactory(slug="pressing-olives")

    response = api.post("posts", NEW, token=staff_token)

    assert response.body["slug"] == "pressing-olives-2"


def test_a_staff_user_named_as_author_becomes_an_author(api, staff_token):
    UserFactory(username="bea", first_name="Bea", last_name="Ortiz")

    response = api.post("posts", {**NEW, "author": "bea"}, token=staff_token)

    assert response.status == 201
    assert Author.objects.get(user__username="bea").display_name == "Bea Ortiz"


def test_writes_need_a_staff_token(api):
    assert_error(api.post("posts", NEW), 401, "unauthorized")
    assert_error(api.post("posts", NEW, token="pty_wrong"), 401, "unauthorized")
    assert not Post.objects.exists()


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"title": "x" * 201}, 422, "validation_error", "title"),
        ({"title": "   "}, 422, "validation_error", "title"),
        ({"status": "archived"}, 422, "validation_error", "status"),
        ({"published_at": "yesterday"}, 422, "validation_error", "published_at"),
        (
            {"published_at": "2026-13-01T00:00:00Z"},
            422,
            "validation_error",
            "published_at",
        ),
        (
            {"published_at": "2026-01-01T00:00:00"},
            422,
            "validation_error",
            "published_at",
        ),
        ({"published_at": 1767225600}, 422, "validation_error", "published_at"),
        ({"slug": "Not A Slug"}, 422, "validation_error", "slug"),
        ({"slug": "x" * 201}, 422, "validation_error", "slug"),
        ({"tags": ["ok", ""]}, 422, "validation_error", "tags"),
        ({"tags": ["a/b"]}, 422, "validation_error", "tags"),
        ({"tags": "oil"}, 422, "validation_error", "tags"),
        ({"body": None}, 422, "validation_error", "body"),
        ({"body": "x" * 200_001}, 422, "validation_error", "body"),
        ({"author": "nobody"}, 422, "unknown_author", None),
        ({"products": ["no-such-product"]}, 422, "unknown_products", None),
    ],
)
def test_bad_posts_are_refused_and_nothing_is_written(
    api, staff_token, change, status, code, field
):
    response = api.post("posts", {**NEW, **change}, token=staff_token)

    body = assert_error(response, status, code)
    if field:
        assert field in body["fields"], body
    assert not Post.objects.exists()
    assert not Author.objects.exists()


def test_a_taken_slug_is_a_409_and_nothing_is_written(api, staff_token):
    PostFactory(slug="pressing-olives", title="First")

    response = api.post("posts", {**NEW, "slug": "pressing-olives"}, token=staff_token)

    body = assert_error(response, 409, "slug_taken")
    assert body["slug"] == "pressing-olives"
    assert list(Post.objects.values_list("title", flat=True)) == ["First"]


def test_malformed_json_is_a_400(api, staff_token):
    response = api.post("posts", raw="{not json", token=staff_token)

    assert_error(response, 400, "malformed_json")
    assert not Post.objects.exists()


def test_patch_changes_only_the_given_fields_and_rerenders_the_body(api, staff_token):
    PostFactory(slug="olives", title="Olives", body="Old *body*.", tags=["oil"])

    response = api.patch("posts/olives", {"body": "New **body**."}, token=staff_token)

    assert response.status == 200, response.body
    post = Post.objects.get()
    assert post.title == "Olives"
    assert post.tags == ["oil"]
    assert post.body_html == "<p>New <strong>body</strong>.</p>\n"
    assert post.excerpt == "New body."


def test_patch_keeps_a_given_excerpt_when_the_body_changes(api, staff_token):
    PostFactory(slug="olives", excerpt="Hand written.")

    api.patch("posts/olives", {"body": "Another body."}, token=staff_token)

    assert Post.objects.get().excerpt == "Hand written."


def test_patch_can_rename_the_slug_but_not_to_a_taken_one(api, staff_token):
    PostFactory(slug="olives")
    PostFactory(slug="bread")

    renamed = api.patch("posts/olives", {"slug": "olive-oil"}, token=staff_token)
    clash = api.patch("posts/olive-oil", {"slug": "bread"}, token=staff_token)

    assert renamed.status == 200
    assert renamed.body["slug"] == "olive-oil"
    assert_error(clash, 409, "slug_taken")
    assert sorted(Post.objects.values_list("slug", flat=True)) == ["bread", "olive-oil"]


def test_publishing_a_draft_by_patch_sets_the_time(api, staff_token):
    PostFactory(slug="olives", status="draft", published_at=None)

    response = api.patch("posts/olives", {"status": "published"}, token=staff_token)

    assert response.status == 200
    assert Post.objects.get().published_at is not None
    assert api.get("posts/olives").status == 200


@pytest.mark.parametrize(
    "change",
    [
        {"title": "x" * 201},
        {"title": None},
        {"status": "gone"},
        {"published_at": "2026-01-01"},
        {"published_at": 12},
        {"tags": None},
        {"slug": "Bad Slug"},
    ],
)
def test_bad_patches_are_refused_and_change_nothing(api, staff_token, change):
    PostFactory(
        slug="olives", title="Olives", published_at=datetime(2026, 1, 1, tzinfo=UTC)
    )

    response = api.patch("posts/olives", change, token=staff_token)

    assert response.status == 422, response.body
    post = Post.objects.get()
    assert (post.title, post.status, post.slug) == ("Olives", "published", "olives")
    assert post.published_at == datetime(2026, 1, 1, tzinfo=UTC)


def test_patch_and_delete_of_unknown_posts_are_404(api, staff_token):
    assert_error(
        api.patch("posts/nope", {"title": "x"}, token=staff_token), 404, "not_found"
    )
    assert_error(api.delete("posts/nope", token=staff_token), 404, "not_found")


def test_delete_removes_the_post(api, staff_token):
    PostFactory(slug="olives")

    response = api.delete("posts/olives", token=staff_token)

    assert response.status == 204
    assert not Post.objects.exists()
    assert_error(api.delete("posts/olives"), 401, "unauthorized")
