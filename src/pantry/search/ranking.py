"""Search across products and posts: one ranked list, paged, with a total.

Matching
    The text is parsed once (:func:`pantry.core.textsearch.parse_query`) and
    the rebuilt websearch text goes to ``websearch_to_tsquery`` on the
    ``pantry`` configuration, so ``"exact phrase"``, ``or`` and ``-excluded``
    work and any text is a valid query. Products must be active; posts
    published with ``published_at <= now()``. When every term together finds
    fewer than ``FALLBACK_BELOW`` documents and the text has two plain words
    or more (and no ``or``), the any-word query runs instead: any of the
    plain words, every quoted phrase and every exclusion still required.
    Its answer says ``partial``.

Ranking (higher first)::

    rank = 8 * all_terms       -- the document matches every term
         + 4 * phrase          -- ... and the positive words as one phrase
         + 2 * in_title        -- every term is in the name/title alone (A)
         + 1 * in_tags         -- every term is in the tags alone (B)
         + s / (s + 1)         -- s = bm25 * coord; bm25 of scoring.py: idf
                               -- from document frequencies, field-weighted
                               -- tf, length normalised; coord the share of
                               -- the plain words held (any-word fallback
                               -- only, else 1: statement.coord_sql)

    The bonuses are 0 or 1 and the last term lies in [0, 1), so every tier
    beats the tiers below it. Equal ranks go to the newer document, then
    the type and id (a total order, which keyset pages need). The SQL is
    written by statement.py.

Bound
    Per type, the ranked documents are the first ``TITLE_BOUND`` matching in
    the name/title (word index of search migration 0003) and the first
    ``BOUND`` matching anywhere (``catalog_product_search_gin``,
    ``journal_post_search_gin``). Up to ``BOUND`` matches per type, every
    match is ranked; beyond it, which matches are ranked is table order,
    title matches excepted.

Pages and totals
    A page is the ``limit`` best ranked documents after the cursor's
    (rank, date, type, id): a row comparison over the ranked set, never an
    OFFSET, so page 500 costs what page 1 does. ``total`` is exact while the
    matches of each type fit the bound; above it the total is estimated from
    the share of matches among the first ``SAMPLE`` rows of the table times
    its row count (``total_is_estimate``).

Highlights
    ``ts_headline`` runs for the returned rows only, with control characters
    as markers (removed from the text first); the result is HTML-escaped as
    a whole and the markers become ``<mark>``/``</mark>``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection

from pantry.core.errors import BadCursor
from pantry.core.pagination import decode_cursor, encode_cursor
from pantry.core.textsearch import ParsedQuery, parse_query
from pantry.search import scoring
from pantry.search.spelling import suggest_spelling
from pantry.search.statement import (
    HEADLINE_OPTIONS,
    START,
    STOP,
    coord_sql,
    query_sql,
    search_sql,
    source,
)
from pantry.search.synonyms import synonyms_for

# Kept for callers that read a type's row source from here.
_source = source

TYPES = ("product", "post")
# Matches ranked per type; see "Bound" above.
BOUND = 1_000
TITLE_BOUND = 200
# With exclusions, documents matching the positive terms read per type.
EXCLUSION_SCAN = 4 * BOUND
# Rows of a table whose matches estimate a total beyond the bound.
SAMPLE = 1_000
# Totals up to this are exact (API.md).
EXACT_TOTAL = 1_000
# Fewer all-terms matches than this: search for any of the plain words.
FALLBACK_BELOW = 5
# Fewer matches than this: offer a spelling suggestion.
SUGGEST_BELOW = 3
MAX_LIMIT = 50
# Headlines look at this much of a document: ts_headline parses all it gets.
HEADLINE_CHARS = 20_000


@dataclass(frozen=True)
class Hit:
    type: str
    slug: str
    title: str
    headline: str
    rank: float


@dataclass(frozen=True)
class SearchResult:
    items: list[Hit]
    suggestion: str | None
    next: str | None = None
    total: int = 0
    total_is_estimate: bool = False
    # Documents matching only some of the plain words are listed.
    partial: bool = False


@dataclass(frozen=True)
class _After:
    """The sort key of the last row of the previous page."""

    rank: float
    dated: str
    type: str
    id: int


def search_statement(
    parsed: ParsedQuery,
    types: tuple[str, ...],
    limit: int,
    *,
    fallback: bool,
    after: _After | None = None,
    synonyms: dict[str, tuple[str, ...]] | None = None,
) -> tuple[str, dict[str, Any]]:
    """The SQL and parameters of one page of a search (all terms, or any
    plain word with ``fallback``); ``limit`` rows at most."""
    synonyms = synonyms or {}
    query, query_params = query_sql(parsed, synonyms, fallback=fallback)
    params: dict[str, Any] = dict(query_params)
    all_terms, all_params = query_sql(parsed, synonyms, fallback=False)
    all_terms = all_terms.replace("%(", "%(all_")
    # Documents with the positive terms, read first when there are
    # exclusions: a superset of the matches.
    positive, positive_params = query_sql(
        parsed, synonyms, fallback=fallback, excluded=False
    )
    positive = positive.replace("%(", "%(pos_")
    params.update({f"all_{key}": value for key, value in all_params.items()})
    params.update({f"pos_{key}": value for key, value in positive_params.items()})
    rules = {kind: source(kind) for kind in types}
    found = scoring.terms_of(
        scoring.query_text(parsed, synonyms), [rule[2] for rule in rules.values()]
    )
    terms = {}
    for kind, rule in rules.items():
        params.update(rule[3])
        terms[kind] = found[rule[2]]
        params.update(scoring.bm25_params(kind, terms[kind]))
    params.update(
        {
            "phrase": parsed.phrase_text(),
            "bound": BOUND,
            "title_bound": TITLE_BOUND,
            "scan": EXCLUSION_SCAN,
            "sample": SAMPLE,
            "limit": limit,
            "paged": after is not None,
            "after_rank": after.rank if after else None,
            "after_dated": after.dated if after else None,
            "after_type": after.type if after else None,
            "after_id": after.id if after else None,
            "headline_chars": HEADLINE_CHARS,
            "headline_options": HEADLINE_OPTIONS,
        }
    )
    # With "or", the positive terms alone need not hold for every match.
    excludes = bool(parsed.excluded) and not parsed.has_or
    coord = "1"
    if fallback:
        coord, coord_params = coord_sql(parsed, synonyms)
        params.update(coord_params)
    sql = search_sql(
        types, query, positive, all_terms, terms, excludes=excludes, coord=coord
    )
    return sql, params


def _highlight(headline: str) -> str:
    """Escape everything, then turn the match markers into ``<mark>`` tags."""
    escaped = html.escape(headline, quote=False)
    return escaped.replace(START, "<mark>").replace(STOP, "</mark>")


@dataclass(frozen=True)
class _Page:
    hits: list[Hit]
    last: _After | None
    more: bool
    total: int
    estimated: bool


def _run(
    parsed: ParsedQuery,
    types: tuple[str, ...],
    limit: int,
    *,
    fallback: bool,
    after: _After | None,
    synonyms: dict[str, tuple[str, ...]],
) -> _Page:
    with connection.cursor() as cursor:
        sql, params = search_statement(
            parsed, types, limit + 1, fallback=fallback, after=after, synonyms=synonyms
        )
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    total, estimated = (rows[0][7], rows[0][8]) if rows else (0, False)
    rows = [row for row in rows if row[0] is not None]
    more = len(rows) > limit
    rows = rows[:limit]
    hits = [
        Hit(type=kind, slug=slug, title=title, headline=_highlight(headline), rank=rank)
        for kind, slug, title, rank, _, _, headline, _, _ in rows
    ]
    last = None
    if rows:
        kind, _, _, rank, dated, id_, *_ = rows[-1]
        last = _After(rank=rank, dated=_iso(dated), type=kind, id=id_)
    return _Page(hits, last, more, int(total), bool(estimated))


def _iso(value: datetime) -> str:
    return value.isoformat()


def _scope(parsed: ParsedQuery, types: tuple[str, ...]) -> str:
    return f"search:{','.join(types)}:{parsed.text}"


def search(
    text: str,
    *,
    types: tuple[str, ...] = TYPES,
    limit: int = 20,
    cursor: str | None = None,
) -> SearchResult:
    """One page of the products and posts matching web-search ``text``, best
    first, with the total and a spelling suggestion (first page only).

    ``cursor`` is the ``next`` of the previous page of the same search;
    another search's cursor, or a tampered one, raises :class:`BadCursor`.
    Text with no positive word (empty, punctuation, only exclusions) finds
    nothing rather than everything.
    """
    parsed = parse_query(text)
    scope = _scope(parsed, types)
    after = None
    fallback = partial = False
    if cursor:
        fallback, partial, rank, dated, kind, id_ = decode_cursor(
            cursor, scope=scope, count=6
        )
        if not (
            isinstance(fallback, bool)
            and isinstance(partial, bool)
            and isinstance(rank, float | int)
            and isinstance(dated, str)
            and kind in types
            and isinstance(id_, int)
        ):
            raise BadCursor()
        after = _After(rank=float(rank), dated=dated, type=kind, id=id_)
    if not parsed.positive:
        return SearchResult(items=[], suggestion=None)
    synonyms = synonyms_for(parsed)
    page = _run(parsed, types, limit, fallback=fallback, after=after, synonyms=synonyms)
    suggestion = None
    if cursor is None:
        full = page.total
        if full < FALLBACK_BELOW and parsed.can_fall_back():
            fallback = True
            page = _run(
                parsed, types, limit, fallback=True, after=None, synonyms=synonyms
            )
            partial = page.total > full
        if full < SUGGEST_BELOW:
            suggestion = suggest_spelling(parsed)
    next_cursor = None
    if page.more and page.last:
        last = page.last
        next_cursor = encode_cursor(
            [fallback, partial, last.rank, last.dated, last.type, last.id],
            scope=scope,
        )
    return SearchResult(
        items=page.hits,
        suggestion=suggestion,
        next=next_cursor,
        total=page.total,
        total_is_estimate=page.estimated and page.total > EXACT_TOTAL,
        partial=partial,
    )
