"""Storefront pages of the catalog: home, product list, category, product."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
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
