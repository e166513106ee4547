"""The list queries are served by the journal's indexes (EXPLAIN, seqscan off)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import AuthorFactory, PostFactory, UserFactory
from tests.helpers import assert_uses_index

pytestmark = pytest.mark.django_db


@pytest.fixture
def posts():
    ada = AuthorFactory(user=UserFactory(username="ada"))
    for n in range(30):
        PostFactory(author=ada if n % 3 == 0 else AuthorFactory(), tags=["oil"])
    PostFactory(title="Sourdough", body="A starter needs flour.")
    PostFactory(status="draft", published_at=None)
    many = AuthorFactory()
    # Enough rows of varied text for the planner to prefer indexes as it
    # would on real data.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO journal_post (title, slug, body, body_html, excerpt, tags,
                author_id, status, published_at, created_at, updated_at)
            SELECT 'Post ' || n, 'bulk-' || n, 'word' || (n %% 97) || ' text',
                '', '', ARRAY['tag' || (n %% 50)], %s,
                CASE WHEN n %% 10 = 0 THEN 'draft' ELSE 'published' END,
                now() - n * interval '1 minute', now(), now()
            FROM generate_series(1, 3000) AS n
            """,
            [many.pk],
        )
        # Move new entries out of the GIN pending lists, as autovacuum would,
        # so that their cost estimates are those of a settled table.
        cursor.execute("SELECT gin_clean_pending_list('journal_post_search_gin')")
        cursor.execute("SELECT gin_clean_pending_list('journal_post_tags_gin')")
        cursor.execute("ANALYZE journal_post")


def post_query(fetch) -> str:
    """The SQL of the query that reads journal_post rows for ``fetch()``."""
    with CaptureQueriesContext(connection) as captured:
        response = fetch()
    assert response.status_code == 200
    # The list query is the one that loads excerpts.
    [sql] = [
        q["sql"]
        for q in captured.captured_queries
        if '"journal_post"."excerpt"' in q["sql"]
    ]
    return sql


@pytest.mark.parametrize("cursor", [False, True])
def test_public_list_reads_the_public_index(client, posts, cursor):
    params = {"limit": 5}
    if cursor:
        params["cursor"] = client.get("/api/v1/posts", params).json()["next"]

    sql = post_query(lambda: client.get("/api/v1/posts", params))

    plan = assert_uses_index(sql, "journal_post_public")
    assert "Sort" not in plan


@pytest.mark.parametrize("cursor", [False, True])
def test_author_list_reads_the_author_index(client, posts, cursor):
    params = {"limit": 5, "author": "ada"}
    if cursor:
        params["cursor"] = client.get("/api/v1/posts", params).json()["next"]

    sql = post_query(lambda: client.get("/api/v1/posts", params))

    plan = assert_uses_index(sql, "journal_post_author")
    assert "Sort" not in plan


def test_author_page_reads_the_author_index(client, posts):
    sql = post_query(lambda: client.get("/authors/ada/"))

    assert_uses_index(sql, "journal_post_author")


def test_rare_tag_filter_reads_the_tags_index(client, posts):
    sql = post_query(lambda: client.get("/api/v1/posts", {"tag": "oil"}))

    assert_uses_index(sql, "journal_post_tags_gin")


def test_search_reads_the_search_index(client, posts):
    sql = post_query(lambda: client.get("/api/v1/posts", {"q": "sourdough"}))

    assert_uses_index(sql, "journal_post_search_gin")


def test_author_counts_read_the_author_index(client, posts):
    with CaptureQueriesContext(connection) as captured:
        client.get("/api/v1/authors")
    [sql] = [
        q["sql"] for q in captured.captured_queries if "journal_author" in q["sql"]
    ]

    assert_uses_index(sql, "journal_post_author")
