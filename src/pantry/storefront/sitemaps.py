from __future__ import annotations

from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse

from pantry.catalog.models import Product


class ProductSitemap(Sitemap):
    """Active products, by id so that sitemap pages stay stable."""

    changefreq = "daily"

    def items(self) -> QuerySet[Product]:
        return (
            Product.objects.filter(is_active=True)
            .order_by("id")
            .only("slug", "updated_at")
        )

    def location(self, item: Product) -> str:
        return reverse("storefront:product", args=[item.slug])

    def lastmod(self, item: Product) -> datetime:
        return item.updated_at
