"""Storefront pages composed from several apps: home and product pages."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from pantry.catalog.models import Product
from pantry.catalog.queries import stock_of
from pantry.core import pagecache
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


# Stands for the CSRF token in a cached product page: NUL never comes out
# of the database (PostgreSQL text cannot hold it), so no content forges it.
_CSRF_SLOT = "\x00csrf\x00"


@require_safe
def product_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One product: variants with price, promotion and stock, specs, posts."""

    def build() -> tuple[str, str]:
        page = pages.product_page(slug)
        if page is None:
            raise Http404("No such product.")
        context = {"page": page, "csrf_token": _CSRF_SLOT}
        html = render_to_string("storefront/product.html#content", context)
        return page.view.product.name, html

    # The product's part of its page is the same for every visitor but the
    # CSRF token of its forms: cached under the content generation and the
    # product's own stock counts (an order of another product leaves it).
    title, html = pagecache.cached(
        "product-page",
        slug,
        build,
        model=Product,
        until=pages.next_change,
        vary=stock_of(slug),
    )
    if _CSRF_SLOT in html:
        html = mark_safe(html.replace(_CSRF_SLOT, get_token(request)))  # noqa: S308
    return render(request, "storefront/product.html", {"title": title, "content": html})
