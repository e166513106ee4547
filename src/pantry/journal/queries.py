"""Reads of the journal shaped for the API, the pages and the feed.

Every reader starts from :meth:`PostQuerySet.public` (anonymous callers) so
drafts and scheduled posts cannot leak, and loads only the columns it shows:
a list never reads bodies or search vectors.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.postgres.search import SearchRank
from django.db.models import (
    Count,
    F,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Subquery,
)
from django.db.models.functions import Coalesce, Now

from pantry.catalog.models import Product
from pantry.core.pagination import Page, keyset_page
from pantry.core.textsearch import clean_query, web_query
from pantry.journal.models import (
    SLUG_MAX_LENGTH,
    Author,
    Post,
    PostQuerySet,
)

LIST_FIELDS = (
    "slug",
    "title",
    "excerpt",
    "tags",
    "published_at",
    "updated_at",
    "author__display_name",
    "author__user__username",
)
NEWEST = ["-published_at", "-id"]
# Relevance is ranked among the newest this many matches. ts_rank reads each
# match's whole vector, so ranking every match of a common word costs
# O(matches) (~100 ms for 20,000 of 100,000 posts); a bounded pool keeps any
# query fast and favours recent posts, which suits a journal.
RELEVANCE_POOL = 200


def _matchable(text: str) -> bool:
    # PostgreSQL text cannot hold NUL, so such input cannot match anything;
    # asking would be an error rather than an empty answer.
    return "\x00" not in text


def _listed(queryset: PostQuerySet) -> PostQuerySet:
    return queryset.select_related("author__user").only(*LIST_FIELDS)


def _author_id(username: str) -> Subquery:
    # A scalar subquery (an InitPlan) rather than a join, so the author's
    # posts come straight from the (author, published_at) index.
    return Subquery(Author.objects.filter(user__username=username).values("id")[:1])


def post_list(
    *,
    limit: int,
    cursor: str | None = None,
    author: str | None = None,
    tag: str | None = None,
    q: str | None = None,
) -> Page:
    """Return a page of public posts: newest first, or by relevance to ``q``."""
    posts = _listed(Post.objects.public())
    scope = "posts:newest"
    if not all(_matchable(text) for text in (author or "", tag or "")):
        posts = posts.none()
    if author is not None:
        posts = posts.filter(author_id=_author_id(author))
        scope += ":author"
    if tag is not None:
        posts = posts.filter(tags__contains=[tag.strip().lower()])
    order = NEWEST
    if q is not None and clean_query(q):
        query = web_query(q)
        pool = posts.filter(search_vector=query).order_by(*NEWEST).values("id")
        posts = _listed(Post.objects.filter(id__in=pool[:RELEVANCE_POOL])).annotate(
            rank=SearchRank(F("search_vector"), query)
        )
        order = ["-rank", "-id"]
        scope = "posts:relevance"
    return keyset_page(posts, order=order, limit=limit, cursor=cursor, scope=scope)


def post_detail(slug: str, *, staff: bool = False) -> Post | None:
    """Return the post ``slug`` with its author and products, if visible."""
    if not _matchable(slug) or len(slug) > SLUG_MAX_LENGTH:
        return None
    posts = Post.objects.all() if staff else Post.objects.public()
    return (
        posts.select_related("author__user")
        .defer("search_vector")
        .prefetch_related(
            Prefetch("products", queryset=Product.objects.only("slug", "name"))
        )
        .filter(slug=slug)
        .first()
    )


def _public_count() -> Coalesce:
    counts = (
        Post.objects.public()
        .filter(author=OuterRef("pk"))
        .order_by()
        .values("author")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def author_list(*, limit: int, cursor: str | None = None) -> Page:
    """Return a page of authors by username, each with its public post count."""
    # A correlated count per author on the page (index-only on the author
    # index), rather than grouping every post before the page is cut.
    authors = (
        Author.objects.select_related("user")
        .annotate(username_key=F("user__username"), post_count=_public_count())
        .only("display_name", "bio", "avatar_url", "user__username")
    )
    return keyset_page(
        authors,
        order=["username_key", "id"],
        limit=limit,
        cursor=cursor,
        scope="authors:username",
    )


def author_profile(username: str) -> Author | None:
    """Return the author ``username`` with its public post count, or None."""
    if not _matchable(username):
        return None
    return (
        Author.objects.select_related("user")
        .annotate(post_count=_public_count())
        .filter(user__username=username)
        .first()
    )


def author_posts(author: Author, *, limit: int, cursor: str | None) -> Page:
    """Return a page of ``author``'s public posts, newest first."""
    posts = _listed(Post.objects.public().filter(author=author))
    return keyset_page(
        posts, order=NEWEST, limit=limit, cursor=cursor, scope="posts:newest:author"
    )


def feed_posts(limit: int = 20) -> list[Any]:
    """Return the newest public posts with what an Atom entry shows."""
    return list(
        Post.objects.public()
        .select_related("author__user")
        .only(*LIST_FIELDS, "body_html")
        .order_by(*NEWEST)[:limit]
    )


def posts_about_product(product_id: int, *, limit: int = 3) -> list[Any]:
    """Return the newest public posts that mention a product, for its page."""
    return list(
        _listed(Post.objects.public().filter(products=product_id)).order_by(*NEWEST)[
            :limit
        ]
    )


def next_publication() -> datetime | None:
    """When the next scheduled post goes public: the one moment the journal's
    part of a page changes without a write. None when none is scheduled."""
    found = Post.objects.filter(
        status=Post.Status.PUBLISHED, published_at__gt=Now()
    ).aggregate(at=Min("published_at"))
    return found["at"]
