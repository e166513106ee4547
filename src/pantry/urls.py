import re

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, re_path

from pantry.api import api
from pantry.catalog.sitemaps import CategorySitemap
from pantry.core import views as core_views
from pantry.journal.sitemaps import PostSitemap
from pantry.platform.observability import metrics_view
from pantry.storefront.sitemaps import ProductSitemap

sitemaps = {
    "products": ProductSitemap,
    "categories": CategorySitemap,
    "posts": PostSitemap,
}

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path(
        "sitemap.xml", sitemap_views.index, {"sitemaps": sitemaps}, name="sitemap-index"
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": sitemaps},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("", include("pantry.storefront.urls")),
    path("", include("pantry.storefront.account_urls")),
    path("", include("pantry.catalog.urls")),
    path("", include("pantry.journal.urls")),
    path("", include("pantry.search.urls")),
    path("", include("pantry.orders.urls")),
    path("", include("pantry.payments.urls")),
]

# Uploaded images, served by pantry itself outside production (in production
# by the web server in front or from the bucket: docs/images.md).
if settings.PANTRY_SERVE_MEDIA and settings.MEDIA_URL.startswith("/"):
    urlpatterns.insert(
        0,
        re_path(
            rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.+)$",
            core_views.media,
            name="media",
        ),
    )
