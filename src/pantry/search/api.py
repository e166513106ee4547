"""GET /api/v1/search and /api/v1/search/suggest (API.md, Search)."""

from __future__ import annotations

from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status
from pydantic import WithJsonSchema

from pantry.core.auth import staff
from pantry.core.errors import BadRequest
from pantry.search import queries, synonyms
from pantry.search.models import Synonym

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
    limit: Annotated[
        int,
        WithJsonSchema({"type": "integer", "minimum": 1, "maximum": queries.MAX_LIMIT}),
    ] = 20,
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


class SynonymIn(Schema):
    term: str = Field(max_length=200)
    synonym: str = Field(max_length=200)
    two_way: bool = False


class SynonymOut(Schema):
    id: int
    term: str
    synonym: str
    two_way: bool = Field(validation_alias="is_two_way")


class SynonymsOut(Schema):
    items: list[SynonymOut]


@router.get("/search/synonyms", response=SynonymsOut, auth=staff)
def list_synonyms(request: HttpRequest) -> dict[str, list[Synonym]]:
    """Staff's synonyms, alphabetical by term (staff)."""
    return {"items": list(Synonym.objects.order_by("term", "synonym"))}


@router.post("/search/synonyms", response={201: SynonymOut}, auth=staff)
def add_synonym(request: HttpRequest, payload: SynonymIn) -> Status:
    """``term`` also finds ``synonym`` (and the reverse with ``two_way``), from
    the next search on (staff). 422 ``invalid_synonym``, 409 ``synonym_exists``."""
    created = synonyms.add_synonym(
        term=payload.term, synonym=payload.synonym, is_two_way=payload.two_way
    )
    return Status(201, created)


@router.delete("/search/synonyms/{synonym_id}", response={204: None}, auth=staff)
def delete_synonym(request: HttpRequest, synonym_id: int) -> Status:
    """Delete a synonym (staff); it stops applying at once."""
    synonyms.delete_synonym(synonym_id=synonym_id)
    return Status(204, None)
