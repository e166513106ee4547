"""Journal tables: authors and their Markdown posts.

A post is public only when it is published and its ``published_at`` has
come; :meth:`PostQuerySet.public` is the one definition every reader uses.
Rules that protect data are PostgreSQL constraints; the search vector is a
generated column, so the database keeps it in step with every write path.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Now

from pantry.core.textsearch import weighted_vector

TITLE_MAX_LENGTH = 200
SLUG_MAX_LENGTH = 200
TAG_MAX_LENGTH = 50
EXCERPT_MAX_LENGTH = 500
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class Author(models.Model):
    """A user who writes posts; the username comes from the user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="author"
    )
    display_name = models.CharField(max_length=100)
    bio = models.TextField(blank=True, default="")
    avatar_url = models.URLField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(display_name=""),
                name="journal_author_display_name_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def username(self) -> str:
        return str(self.user.get_username())


class PostQuerySet(models.QuerySet["Post"]):
    def public(self) -> PostQuerySet:
        """Posts anyone may read: published, with a publication time now or past."""
        return self.filter(status=Post.Status.PUBLISHED, published_at__lte=Now())


class Post(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    slug = models.SlugField(max_length=SLUG_MAX_LENGTH, unique=True)
    body = models.TextField()
    # The sanitised HTML of ``body``, written by the services whenever the
    # body changes, so readers never render Markdown per request.
    body_html = models.TextField(editable=False, default="")
    excerpt = models.CharField(max_length=EXCERPT_MAX_LENGTH, blank=True, default="")
    tags = ArrayField(
        models.CharField(max_length=TAG_MAX_LENGTH), default=list, blank=True
    )
    # The composite author index below serves lookups by author too.
    author = models.ForeignKey(
        Author, on_delete=models.PROTECT, related_name="posts", db_index=False
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    products = models.ManyToManyField(
        "catalog.Product", related_name="posts", blank=True
    )
    search_vector = models.GeneratedField(
        expression=weighted_vector(a="title", b_words="tags", c="body"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects: Any = PostQuerySet.as_manager()

    class Meta:
        indexes = [
            # The public list: newest first, keyset on (published_at, id).
            models.Index(
                F("published_at").desc(),
                F("id").desc(),
                condition=Q(status="published"),
                name="journal_post_public",
            ),
            # An author's page, and foreign-key checks on Author.
            models.Index(
                F("author"),
                F("published_at").desc(),
                F("id").desc(),
                name="journal_post_author",
            ),
            GinIndex(fields=["tags"], name="journal_post_tags_gin"),
            GinIndex(fields=["search_vector"], name="journal_post_search_gin"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published"]),
                name="journal_post_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="journal_post_published_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(title=""),
                name="journal_post_title_not_empty",
            ),
            models.CheckConstraint(
                condition=~Q(slug=""), name="journal_post_slug_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return self.title
