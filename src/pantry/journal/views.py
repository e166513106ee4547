"""Journal pages: the post list, a post, an author's posts, a tag's posts."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render

from pantry.core.errors import BadCursor
from pantry.journal import queries

PAGE_SIZE = 20


def _page_size(request: HttpRequest) -> int:
    # Pages take ?per_page= so that tests and tools can ask for more rows.
    try:
        size = int(request.GET.get("per_page", PAGE_SIZE))
    except ValueError:
        return PAGE_SIZE
    return min(max(size, 1), 100)


def _cursor(request: HttpRequest) -> str | None:
    return request.GET.get("cursor") or None


def index(request: HttpRequest) -> HttpResponse:
    try:
        page = queries.post_list(limit=_page_size(request), cursor=_cursor(request))
    except BadCursor:
        return HttpResponseBadRequest("That page link is not valid.")
    return render(request, "journal/index.html", {"page": page, "heading": "Journal"})


def tag(request: HttpRequest, tag: str) -> HttpResponse:
    try:
        page = queries.post_list(
            limit=_page_size(request), cursor=_cursor(request), tag=tag
        )
    except BadCursor:
        return HttpResponseBadRequest("That page link is not valid.")
    return render(
        request,
        "journal/index.html",
        {"page": page, "heading": f"Posts tagged “{tag}”", "tag": tag},
    )


def post(request: HttpRequest, slug: str) -> HttpResponse:
    found = queries.post_detail(slug)
    if found is None:
        raise Http404("No such post.")
    return render(request, "journal/post.html", {"post": found})


def author(request: HttpRequest, username: str) -> HttpResponse:
    profile = queries.author_profile(username)
    if profile is None:
        raise Http404("No such author.")
    try:
        page = queries.author_posts(
            profile, limit=_page_size(request), cursor=_cursor(request)
        )
    except BadCursor:
        return HttpResponseBadRequest("That page link is not valid.")
    return render(request, "journal/author.html", {"author": profile, "page": page})
