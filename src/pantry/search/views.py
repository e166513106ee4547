"""The search page: /search/?q=&type=&page=."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pantry.core.errors import BadCursor
from pantry.search import queries

PAGE_SIZE = 20


def search_page(request: HttpRequest) -> HttpResponse:
    """Ranked products and posts for ``q``, a page at a time, with a "Did you
    mean" link. ``page`` is the ``next`` cursor of the previous page; a stale
    or foreign one shows the first page with a note."""
    text = request.GET.get("q", "")
    kind = request.GET.get("type", "")
    types = (kind,) if kind in queries.TYPES else queries.TYPES
    page = request.GET.get("page") or None
    restarted = False
    try:
        result = queries.search(text, types=types, limit=PAGE_SIZE, cursor=page)
    except BadCursor:
        restarted = True
        result = queries.search(text, types=types, limit=PAGE_SIZE)
    return render(
        request,
        "search/search.html",
        {
            "q": text,
            "type": kind if kind in queries.TYPES else "",
            "result": result,
            "paged": bool(page) and not restarted,
            "restarted": restarted,
        },
    )
