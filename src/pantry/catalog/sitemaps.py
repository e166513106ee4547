from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse

from pantry.catalog.models import Category


class CategorySitemap(Sitemap):
    changefreq = "weekly"

    def items(self) -> QuerySet[Category]:
        return Category.objects.order_by("path").only("slug")

    def location(self, item: Category) -> str:
        return reverse("catalog:category", args=[item.slug])
