"""The journal's JSON API: posts (public reads, staff writes) and authors."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import field_validator

from pantry.core.auth import staff, staff_user
from pantry.core.pagination import Limit, check_limit
from pantry.core.times import AwareMoment
from pantry.journal import queries, services
from pantry.journal.errors import PostNotFound
from pantry.journal.models import (
    EXCERPT_MAX_LENGTH,
    SLUG_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Author,
    Post,
)

router = Router(tags=["journal"])

# A stored tsvector is capped at 1 MB; a longer body could not be saved.
BODY_MAX_LENGTH = 200_000
StatusName = Literal["draft", "published"]


class AuthorRef(Schema):
    username: str
    display_name: str


class PostItem(Schema):
    slug: str
    title: str
    excerpt: str
    tags: list[str]
    published_at: datetime | None
    author: AuthorRef


class ProductRef(Schema):
    slug: str
    name: str


class PostDetail(PostItem):
    body: str
    html: str
    status: str
    updated_at: datetime
    products: list[ProductRef]


class PostList(Schema):
    items: list[PostItem]
    next: str | None


class AuthorItem(Schema):
    username: str
    display_name: str
    bio: str
    avatar_url: str
    post_count: int


class AuthorList(Schema):
    items: list[AuthorItem]
    next: str | None


def _iso_text(value: Any) -> Any:
    # pydantic would read a number as a Unix time; API.md times are ISO 8601.
    if value is not None and not isinstance(value, str):
        raise ValueError("must be an ISO 8601 time with an offset")
    return value


class PostIn(Schema):
    title: str = Field(max_length=TITLE_MAX_LENGTH)
    slug: str | None = Field(default=None, max_length=SLUG_MAX_LENGTH)
    body: str = Field(max_length=BODY_MAX_LENGTH)
    excerpt: str | None = Field(default=None, max_length=EXCERPT_MAX_LENGTH)
    tags: list[str] = Field(default_factory=list, max_length=100)
    status: StatusName = "draft"
    published_at: AwareMoment | None = None
    author: str | None = Field(default=None, max_length=150)
    products: list[str] = Field(default_factory=list, max_length=100)

    @field_validator("published_at", mode="before")
    @classmethod
    def _published_at_is_text(cls, value: Any) -> Any:
        return _iso_text(value)


class PostPatch(Schema):
    """Fields to change; those left out stay as they are."""

    title: str | None = Field(default=None, max_length=TITLE_MAX_LENGTH)
    slug: str | None = Field(default=None, max_length=SLUG_MAX_LENGTH)
    body: str | None = Field(default=None, max_length=BODY_MAX_LENGTH)
    excerpt: str | None = Field(default=None, max_length=EXCERPT_MAX_LENGTH)
    tags: list[str] | None = Field(default=None, max_length=100)
    status: StatusName | None = None
    published_at: AwareMoment | None = None
    author: str | None = Field(default=None, max_length=150)
    products: list[str] | None = Field(default=None, max_length=100)

    @field_validator(
        "title", "slug", "body", "tags", "status", "author", "products", mode="before"
    )
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        # Defaults are not validated, so this refuses only an explicit null.
        if value is None:
            raise ValueError("may not be null")
        return value

    @field_validator("published_at", mode="before")
    @classmethod
    def _published_at_is_text(cls, value: Any) -> Any:
        return _iso_text(value)


def _author_ref(author: Author) -> dict[str, str]:
    return {"username": author.user.username, "display_name": author.display_name}


def _item(post: Post) -> dict[str, Any]:
    return {
        "slug": post.slug,
        "title": post.title,
        "excerpt": post.excerpt,
        "tags": post.tags,
        "published_at": post.published_at,
        "author": _author_ref(post.author),
    }


def _detail(post: Post) -> dict[str, Any]:
    return {
        **_item(post),
        "body": post.body,
        "html": post.body_html,
        "status": post.status,
        "updated_at": post.updated_at,
        "products": [
            {"slug": product.slug, "name": product.name}
            for product in post.products.all()
        ],
    }


@router.get("/posts", response=PostList)
def list_posts(
    request: HttpRequest,
    q: str | None = None,
    author: str | None = None,
    tag: str | None = None,
    limit: Limit = None,
    cursor: str | None = None,
) -> dict[str, Any]:
    page = queries.post_list(
        limit=check_limit(limit), cursor=cursor, author=author, tag=tag, q=q
    )
    return {"items": [_item(post) for post in page.rows], "next": page.next}


@router.get("/posts/{slug}", response=PostDetail)
def get_post(request: HttpRequest, slug: str) -> dict[str, Any]:
    post = queries.post_detail(slug, staff=staff_user(request) is not None)
    if post is None:
        raise PostNotFound(slug=slug)
    return _detail(post)


def _fresh(slug: str) -> dict[str, Any]:
    post = queries.post_detail(slug, staff=True)
    assert post is not None
    return _detail(post)


@router.post("/posts", response={201: PostDetail}, auth=staff)
def create_post(request: HttpRequest, payload: PostIn) -> Status[dict[str, Any]]:
    post = services.create_post(user=request.auth, **payload.dict())  # type: ignore[attr-defined]
    return Status(201, _fresh(post.slug))


@router.patch("/posts/{slug}", response=PostDetail, auth=staff)
def update_post(request: HttpRequest, slug: str, payload: PostPatch) -> dict[str, Any]:
    # Unset fields stay as they are; an explicit null for a required field
    # was already refused by the schema.
    changes = payload.dict(exclude_unset=True)
    if "slug" in changes:
        changes["new_slug"] = changes.pop("slug")
    post = services.update_post(slug=slug, **changes)
    return _fresh(post.slug)


@router.delete("/posts/{slug}", response={204: None}, auth=staff)
def delete_post(request: HttpRequest, slug: str) -> Status[None]:
    services.delete_post(slug=slug)
    return Status(204, None)


@router.get("/authors", response=AuthorList)
def list_authors(
    request: HttpRequest, limit: Limit = None, cursor: str | None = None
) -> dict[str, Any]:
    page = queries.author_list(limit=check_limit(limit), cursor=cursor)
    return {
        "items": [
            {
                "username": author.user.username,
                "display_name": author.display_name,
                "bio": author.bio,
                "avatar_url": author.avatar_url,
                "post_count": author.post_count,
            }
            for author in page.rows
        ],
        "next": page.next,
    }
