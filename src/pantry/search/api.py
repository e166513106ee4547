"""GET /api/v1/search and /api/v1/search/suggest (API.md, Search)."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Router, Schema

from pantry.core.errors import BadRequest
from pantry.search import queries

router = Router(tags=["search"])


class HitOut(Schema):
    type: str
    slug: str
    title: str
    headline: str
    rank: float


class SearchOut(Schema):
    items: list[HitOut]
    suggestion: str | None
    next: str | None
    total: int
    total_is_estimate: bool
    partial: bool


class SuggestItemOut(Schema):
    type: str
    slug: str
    title: str


class SuggestOut(Schema):
    items: list[SuggestItemOut]


def _types(type: str | None) -> tuple[str, ...]:
    return (type,) if type else queries.TYPES


@router.get("/search", response=SearchOut)
def search(
    request: HttpRequest,
    q: str = "",
    type: Literal["product", "post"] | None = None,
    limit: int = 20,
    cursor: str | None = None,
) -> queries.SearchResult:
    """Products and published posts matching web-search ``q``, best first, a
    page at a time: pass ``next`` back as ``cursor``. ``partial`` says that
    documents matching only some of the words are listed (below the rest)."""
    if not 1 <= limit <= queries.MAX_LIMIT:
        raise BadRequest(
            f"limit must be between 1 and {queries.MAX_LIMIT}.",
            fields={"limit": "out of range"},
        )
    return queries.search(q, types=_types(type), limit=limit, cursor=cursor)


@router.get("/search/suggest", response=SuggestOut)
def suggest(
    request: HttpRequest,
    q: str = "",
    type: Literal["product", "post"] | None = None,
) -> dict[str, list[queries.SuggestItem]]:
    """Up to 10 products and posts whose name/title starts words with ``q``."""
    return {"items": queries.suggest(q, types=_types(type))}
