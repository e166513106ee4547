"""Storefront pages of the catalog: home, product list, category, product."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from pantry.catalog import pages


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The home page: featured categories, newest products, latest posts."""
    context = {
        "categories": pages.featured_categories(),
        "products": pages.newest_products(),
        "posts": pages.latest_posts(),
    }
    return render(request, "catalog/home.html", context)


@require_safe
def product_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One product: variants with price, promotion and stock, specs, posts."""
    page = pages.product_page(slug)
    if page is None:
        raise Http404("No such product.")
    return render(request, "catalog/product.html", {"page": page})
