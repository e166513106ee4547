"""Storefront pages composed from several apps: home and product pages."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from pantry.storefront import pages


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The home page: featured categories, newest products, latest posts."""
    page = pages.home_page()
    context = {
        "categories": page.categories,
        "products": page.products,
        "posts": page.posts,
    }
    return render(request, "storefront/home.html", context)


@require_safe
def product_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One product: variants with price, promotion and stock, specs, posts."""
    page = pages.product_page(slug)
    if page is None:
        raise Http404("No such product.")
    return render(request, "storefront/product.html", {"page": page})
