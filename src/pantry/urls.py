from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from pantry.api import api
from pantry.catalog.sitemaps import CategorySitemap
from pantry.core import views as core_views
from pantry.journal.sitemaps import PostSitemap
from pantry.storefront.sitemaps import ProductSitemap

sitemaps = {
    "products": ProductSitemap,
    "categories": CategorySitemap,
    "posts": PostSitemap,
}

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
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
