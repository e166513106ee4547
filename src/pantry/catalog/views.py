"""Storefront pages of the catalog: the product list and category pages."""

from __future__ import annotations

from dataclasses import replace

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe
from django_htmx.middleware import HtmxDetails

from pantry.catalog import pages
from pantry.catalog.errors import UnknownCategory
from pantry.catalog.models import Category, Product
from pantry.catalog.queries import next_price_change
from pantry.core import pagecache
from pantry.core.errors import BadRequest


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _list(request: HtmxHttpRequest, *, slug: str | None = None) -> HttpResponse:
    def build() -> tuple[str, str, str]:
        category = None
        if slug is not None:
            category = Category.objects.filter(slug=slug).first()
            if category is None:
                raise Http404("No such category.")
        heading = render_to_string(
            "catalog/product_list.html#heading", {"category": category}
        )
        title = category.name if category else "Products"
        return title, heading, _catalog_html(request, category)

    # The page but its layout depends only on the path, the query and the
    # catalog: cached under the content generation, never stale. It shows
    # whether a product is in stock, not how many: stock-only changes that
    # cross no zero leave it (catalog migration 0026).
    title, heading, catalog = pagecache.cached(
        "catalog-list",
        request.get_full_path(),
        build,
        model=Product,
        until=next_price_change,
    )
    # htmx asks for the results only; a history restore needs the whole page.
    if request.htmx and not request.htmx.history_restore_request:
        response = HttpResponse(catalog)
    else:
        # render_to_string's SafeStrings, kept as such through the cache.
        context = {"title": title, "heading": heading, "catalog": catalog}
        response = render(request, "catalog/product_list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _catalog_html(request: HttpRequest, category: Category | None) -> str:
    """The filters and results of a list page (its ``catalog`` partial)."""
    wanted = pages.list_request(
        request.GET, category=category.slug if category else None
    )
    errors = list(wanted.notes)
    # A bad category or an expired cursor drops that part and shows the rest.
    while True:
        try:
            page = pages.list_page(wanted)
            break
        except UnknownCategory:
            errors.append("There is no such category; showing every category.")
            wanted = replace(wanted, filters=replace(wanted.filters, category=None))
        except BadRequest:
            if wanted.cursor is None:
                raise
            errors.append("That page link was not valid; showing the first page.")
            wanted = replace(wanted, cursor=None)
    subcategories = []
    if category is not None:
        depth = len(category.path_slugs)
        subcategories = [
            choice
            for choice in page.categories
            if len(choice.path) == depth + 1
            and list(choice.path[:depth]) == category.path_slugs
        ]
    context = {
        "category": category,
        "wanted": wanted,
        "filters": wanted.filters,
        "errors": errors,
        "page": page,
        "subcategories": subcategories,
        "sorts": pages.SORT_CHOICES,
    }
    return render_to_string("catalog/product_list.html#catalog", context, request)


@require_safe
def product_list(request: HtmxHttpRequest) -> HttpResponse:
    """Products with the catalog API's filters as a form, facets and pages."""
    return _list(request)


@require_safe
def category(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The product list of one category and its subtree."""
    return _list(request, slug=slug)


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages without an icon link (admin)."""
    return redirect(static("pantry/favicon.svg"), permanent=True)
