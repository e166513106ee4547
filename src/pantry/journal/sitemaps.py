from __future__ import annotations

from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse

from pantry.journal.models import Post


class PostSitemap(Sitemap):
    """Public posts only: drafts and scheduled posts never appear."""

    changefreq = "weekly"

    def items(self) -> QuerySet[Post]:
        return (
            Post.objects.public()
            .order_by("-published_at", "-id")
            .only("slug", "updated_at")
        )

    def location(self, item: Post) -> str:
        return reverse("journal:post", args=[item.slug])

    def lastmod(self, item: Post) -> datetime:
        return item.updated_at
