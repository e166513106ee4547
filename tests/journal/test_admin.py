from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from pantry.journal.models import Post
from tests.factories import AuthorFactory, PostFactory
from tests.helpers import assert_in_html, count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw")
    client.force_login(user)
    return client


def test_changelist_issues_the_same_queries_for_one_post_and_a_full_page(admin_client):
    PostFactory()
    one = count_queries(lambda: admin_client.get("/admin/journal/post/"))
    for _ in range(99):
        PostFactory()

    response = admin_client.get("/admin/journal/post/")
    many = count_queries(lambda: admin_client.get("/admin/journal/post/"))

    assert response.status_code == 200
    assert one == many


def test_changelist_filters_by_status_and_searches_titles(admin_client):
    PostFactory(title="Olive harvest")
    PostFactory(title="Olive draft", status="draft", published_at=None)

    drafts = admin_client.get("/admin/journal/post/", {"status__exact": "draft"})
    found = admin_client.get("/admin/journal/post/", {"q": "harvest"})

    assert "Olive draft" in drafts.content.decode()
    assert "Olive harvest" not in drafts.content.decode()
    assert "Olive harvest" in found.content.decode()
    assert "Olive draft" not in found.content.decode()


def test_change_form_previews_the_sanitised_html(admin_client):
    post = PostFactory(body="**Bold** <script>alert(1)</script>")

    html = admin_client.get(f"/admin/journal/post/{post.pk}/change/").content.decode()

    assert_in_html("<p><strong>Bold</strong> </p>", html)
    assert "alert(1)</script>" not in html.split("Rendered preview")[1]


def test_saving_in_the_admin_renders_the_body_and_derives_the_excerpt(admin_client):
    author = AuthorFactory()

    response = admin_client.post(
        "/admin/journal/post/add/",
        {
            "title": "Cured olives",
            "slug": "cured-olives",
            "author": author.pk,
            "status": "published",
            "published_at_0": "2026-01-05",
            "published_at_1": "10:00:00",
            "tags": "olives,curing",
            "excerpt": "",
            "body": "Brine *slowly*.",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    post = Post.objects.get()
    assert post.body_html == "<p>Brine <em>slowly</em>.</p>\n"
    assert post.excerpt == "Brine slowly."
    assert post.tags == ["olives", "curing"]


def test_author_autocomplete_finds_authors_by_username(admin_client):
    AuthorFactory(display_name="Ada Lovelace")

    response = admin_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "journal",
            "model_name": "post",
            "field_name": "author",
            "term": "Ada",
        },
    )

    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Ada Lovelace"]
