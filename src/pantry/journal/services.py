"""Writes to the journal: the only code that creates, changes or deletes posts.

Every write renders the Markdown once and stores the HTML (``body_html``),
so that pages, the API and the feed only read it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from pantry.catalog.models import Product
from pantry.events.outbox import emit
from pantry.journal.errors import (
    InvalidPost,
    PostNotFound,
    SlugTaken,
    UnknownAuthor,
    UnknownProducts,
)
from pantry.journal.models import (
    SLUG_MAX_LENGTH,
    SLUG_PATTERN,
    TAG_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Author,
    Post,
)
from pantry.journal.render import derive_excerpt, render_markdown

TAG_PATTERN = re.compile(r"^\w[\w -]*$")
MAX_TAGS = 20
_UNSET: Any = object()


def ensure_author(user: Any) -> Author:
    """Return the user's Author, creating it (named after the user) if missing."""
    author, _ = Author.objects.get_or_create(
        user=user,
        defaults={"display_name": user.get_full_name() or user.get_username()},
    )
    return author


def _author_for(username: str) -> Author:
    author = (
        Author.objects.select_related("user").filter(user__username=username).first()
    )
    if author is not None:
        return author
    user = get_user_model().objects.filter(username=username, is_staff=True).first()
    if user is None:
        raise UnknownAuthor(username=username)
    return ensure_author(user)


def clean_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise InvalidPost("A post needs a title.", fields={"title": "empty"})
    if len(title) > TITLE_MAX_LENGTH:
        raise InvalidPost(
            f"A title has at most {TITLE_MAX_LENGTH} characters.",
            fields={"title": "too long"},
        )
    return title


def clean_slug(slug: str) -> str:
    if len(slug) > SLUG_MAX_LENGTH or not SLUG_PATTERN.match(slug):
        raise InvalidPost(
            "A slug is lowercase letters and digits joined by single hyphens, "
            f"at most {SLUG_MAX_LENGTH} characters.",
            fields={"slug": "invalid"},
        )
    return slug


def clean_tags(tags: Iterable[str]) -> list[str]:
    """Return the tags trimmed, lowercased and without duplicates, in order."""
    cleaned: list[str] = []
    for tag in tags:
        tag = " ".join(tag.split()).lower()
        if not tag or len(tag) > TAG_MAX_LENGTH or not TAG_PATTERN.match(tag):
            raise InvalidPost(
                f"A tag is 1 to {TAG_MAX_LENGTH} letters, digits, spaces or "
                "hyphens, starting with a letter or digit.",
                fields={"tags": "invalid"},
            )
        if tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > MAX_TAGS:
        raise InvalidPost(
            f"A post has at most {MAX_TAGS} tags.", fields={"tags": "too many"}
        )
    return cleaned


def _free_slug(title: str) -> str:
    """A slug from ``title`` that no post has yet (``-2``, ``-3``... if needed)."""
    base = slugify(title)[: SLUG_MAX_LENGTH - 6].strip("-") or "post"
    base = re.sub(r"[^a-z0-9-]", "", base).strip("-") or "post"
    base = re.sub(r"-+", "-", base)
    taken = set(
        Post.objects.filter(slug__startswith=base).values_list("slug", flat=True)
    )
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def _products(slugs: Sequence[str]) -> list[Product]:
    products = list(Product.objects.filter(slug__in=set(slugs)))
    if missing := set(slugs) - {product.slug for product in products}:
        raise UnknownProducts(slugs=sorted(missing))
    return products


def _check_publication(post: Post) -> None:
    if post.status == Post.Status.PUBLISHED and post.published_at is None:
        post.published_at = timezone.now()


def _post_event(post: Post) -> dict[str, Any]:
    return {
        "id": post.pk,
        "slug": post.slug,
        "title": post.title,
        "published_at": post.published_at,
    }


def store_post(post: Post, *, derive: bool, render: bool = True) -> Post:
    """Render ``post.body``, fill a derived excerpt, and save; refuse a taken slug.

    ``derive``: the excerpt follows the body (it was not given). ``render``:
    the body changed (or may have), so its HTML is rendered again.
    """
    if render or not post.body_html:
        post.body_html = render_markdown(post.body)
    if derive or not post.excerpt:
        post.excerpt = derive_excerpt(post.body)
    _check_publication(post)
    try:
        with transaction.atomic():
            post.save()
    except IntegrityError as error:
        if "slug" in str(error):
            raise SlugTaken(slug=post.slug) from None
        raise
    return post


def create_post(
    *,
    user: Any,
    title: str,
    body: str,
    slug: str | None = None,
    excerpt: str | None = None,
    tags: Sequence[str] = (),
    status: str = Post.Status.DRAFT,
    published_at: datetime | None = None,
    author: str | None = None,
    products: Sequence[str] | None = None,
) -> Post:
    """Create a post by ``author`` (a username) or else by ``user``.

    Raises InvalidPost, SlugTaken, UnknownAuthor or UnknownProducts, and then
    writes nothing.
    """
    title = clean_title(title)
    if slug is not None:
        slug = clean_slug(slug)
    tags = clean_tags(tags)
    with transaction.atomic():
        writer = _author_for(author) if author is not None else ensure_author(user)
        linked = _products(products) if products else []
        if slug is None:
            slug = _free_slug(title)
        elif Post.objects.filter(slug=slug).exists():
            raise SlugTaken(slug=slug)
        post = Post(
            title=title,
            slug=slug,
            body=body,
            excerpt=(excerpt or "").strip(),
            tags=tags,
            status=status,
            published_at=published_at,
            author=writer,
        )
        store_post(post, derive=not post.excerpt)
        if linked:
            post.products.set(linked)
        if post.status == Post.Status.PUBLISHED:
            emit("post.published", _post_event(post))
    return post


def update_post(
    *,
    slug: str,
    title: str = _UNSET,
    body: str = _UNSET,
    new_slug: str = _UNSET,
    excerpt: str | None = _UNSET,
    tags: Sequence[str] = _UNSET,
    status: str = _UNSET,
    published_at: datetime | None = _UNSET,
    author: str = _UNSET,
    products: Sequence[str] = _UNSET,
) -> Post:
    """Change the given fields of the post ``slug``; the rest stay.

    An excerpt that was derived from the body follows a new body; an empty
    one is derived again. Raises like :func:`create_post`, or PostNotFound.
    """
    with transaction.atomic():
        post = Post.objects.select_for_update().filter(slug=slug).first()
        if post is None:
            raise PostNotFound(slug=slug)
        derived = post.excerpt == derive_excerpt(post.body)
        old_body = post.body
        was_published = post.status == Post.Status.PUBLISHED
        if title is not _UNSET:
            post.title = clean_title(title)
        if new_slug is not _UNSET and new_slug != post.slug:
            post.slug = clean_slug(new_slug)
            if Post.objects.filter(slug=post.slug).exists():
                raise SlugTaken(slug=post.slug)
        if tags is not _UNSET:
            post.tags = clean_tags(tags)
        if author is not _UNSET:
            post.author = _author_for(author)
        if status is not _UNSET:
            post.status = status
        if published_at is not _UNSET:
            post.published_at = published_at
        if body is not _UNSET:
            post.body = body
        if excerpt is not _UNSET:
            post.excerpt = (excerpt or "").strip()
            derived = not post.excerpt
        linked = _products(products) if products is not _UNSET else None
        store_post(post, derive=derived, render=post.body != old_body)
        if linked is not None:
            post.products.set(linked)
        if post.status == Post.Status.PUBLISHED and not was_published:
            emit("post.published", _post_event(post))
    return post


def delete_post(*, slug: str) -> None:
    """Delete the post ``slug``; raises PostNotFound when there is none."""
    deleted, _ = Post.objects.filter(slug=slug).delete()
    if not deleted:
        raise PostNotFound(slug=slug)
