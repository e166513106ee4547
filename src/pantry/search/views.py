"""The search page: /search/?q=."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pantry.core.pagination import MAX_LIMIT
from pantry.search import queries

PAGE_SIZE = 20


def search_page(request: HttpRequest) -> HttpResponse:
    """Ranked products and posts for ``q``, with a "Did you mean" link."""
    text = request.GET.get("q", "")
    kind = request.GET.get("type", "")
    types = (kind,) if kind in queries.TYPES else queries.TYPES
    result = queries.search(text, types=types, limit=min(PAGE_SIZE, MAX_LIMIT))
    return render(
        request,
        "search/search.html",
        {"q": text, "type": kind if kind in queries.TYPES else "", "result": result},
    )
