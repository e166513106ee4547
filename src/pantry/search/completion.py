"""Search-as-you-type: names and titles that have every typed word, the last
one as a beginning (``GET /api/v1/search/suggest``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection

from pantry.core.textsearch import MAX_TERMS, WORD_PATTERN, clean_query, strip_accents

TYPES = ("product", "post")
SUGGEST_LIMIT = 10
# Suggest rows fetched per type before ordering them (bounded, index order).
SUGGEST_CANDIDATES = 50


@dataclass(frozen=True)
class SuggestItem:
    type: str
    slug: str
    title: str


# Search-as-you-type reads names first from the head of each table: a
# prefix most names have ("st") is answered there at once, where any index
# would first gather every matching row. Only when the head holds too few
# matches does the name/title word index run (its part of the plan is
# skipped otherwise).
SUGGEST_SCAN = 1000
_SUGGEST_HEAD = {
    "product": (
        "SELECT 'product' AS type, slug, name AS title FROM ("
        "SELECT slug, name, search_vector FROM catalog_product WHERE is_active "
        "LIMIT %(scan)s) AS head WHERE search_vector @@ (SELECT query FROM titles)"
    ),
}
_SUGGEST_INDEXED = {
    "product": (
        "SELECT 'product' AS type, slug, name AS title FROM catalog_product "
        "WHERE is_active AND to_tsvector('pantry'::regconfig, name::text) "
        "@@ (SELECT query FROM input)"
    ),
    "post": (
        "SELECT 'post' AS type, slug, title FROM journal_post "
        "WHERE status = 'published' AND published_at <= now() "
        "AND to_tsvector('pantry'::regconfig, title::text) @@ (SELECT query FROM input)"
    ),
}
# Whole words stem as in search. The word being typed becomes the commonest
# lexicon words it begins ("sty" -> style, stylish, ...), and itself, each
# stemmed: exact words, because a prefix (`sty:*`) makes the GIN index merge
# the posting lists of every word it begins.
SUGGEST_COMPLETIONS = 20
_SUGGEST_QUERY = f"""
    to_tsquery('pantry'::regconfig, %(words)s)
    && to_tsquery('pantry'::regconfig, concat_ws(' | ', (
        SELECT string_agg(word, ' | ') FROM (
            SELECT word FROM search_lexicon WHERE word LIKE %(like)s
            ORDER BY product_count + post_count DESC, word
            LIMIT {SUGGEST_COMPLETIONS}
        ) AS completions
    ), %(typed)s::text))"""  # noqa: S608  SQL of module constants and fixed kinds; values are parameters
# The same words restricted to weight A (the name or title) of the stored
# search vector: every lexeme 'x' becomes 'x':A.
_WEIGHT_A = r"regexp_replace(query::text, '''(\s|\)|$)', ''':A\1', 'g')::tsquery"


def _suggest_sql(types: tuple[str, ...]) -> str:
    # Only products have a head: post rows are long to read, and the title
    # index of 100,000 posts is cheap even for a common prefix.
    head = (
        f"({_SUGGEST_HEAD['product']} LIMIT %(candidates)s)"
        if "product" in types
        else "SELECT NULL::text, NULL::text, NULL::text WHERE false"
    )
    # The query is read from a CTE, so the planner assumes it selective and
    # uses the index, rather than misjudging a generated query.
    indexed = " UNION ALL ".join(
        f"({_SUGGEST_INDEXED[kind]} "  # noqa: S608  SQL of module constants and fixed kinds; values are parameters
        + ("AND (SELECT count(*) FROM head) < %(limit)s " if kind == "product" else "")
        + "LIMIT %(candidates)s)"
        for kind in types
    )
    return f"""
        WITH input AS MATERIALIZED (SELECT {_SUGGEST_QUERY} AS query),
        titles AS MATERIALIZED (SELECT {_WEIGHT_A} AS query FROM input),
        head (type, slug, title) AS MATERIALIZED ({head}),
        indexed AS ({indexed})
        SELECT type, slug, title FROM (
            SELECT * FROM head UNION SELECT * FROM indexed
        ) AS s
        ORDER BY starts_with(lower(unaccent(title)), lower(unaccent(%(start)s))) DESC,
            length(title), title, type, slug
        LIMIT %(limit)s"""  # noqa: S608  SQL of module constants and fixed kinds; values are parameters


def suggest(prefix: str, *, types: tuple[str, ...] = TYPES) -> list[SuggestItem]:
    """Up to 10 products and posts whose name/title has every word of ``prefix``,
    the last one as a prefix ("lapt" finds laptops); names starting with the
    text come first, then shorter names.

    Reads the name/title word indexes of search migration 0003, at most
    ``SUGGEST_CANDIDATES`` rows of each type.

    Text of fewer than two letters finds nothing: a one-letter prefix matches
    most of the catalog and tells nothing.
    """
    if sum(ch.isalnum() for ch in prefix) < 2 or not WORD_PATTERN.search(prefix):
        return []
    with connection.cursor() as cursor:
        cursor.execute(*suggest_statement(prefix, types))
        return [SuggestItem(*row) for row in cursor.fetchall()]


def suggest_statement(
    prefix: str, types: tuple[str, ...]
) -> tuple[str, dict[str, Any]]:
    """The SQL and parameters of search-as-you-type for ``prefix``."""
    *words, typed = WORD_PATTERN.findall(clean_query(prefix))[:MAX_TERMS]
    params = {
        "words": " & ".join(words),
        "typed": typed,
        # Lexicon words are lower-cased and unaccented letters; no word
        # character is a LIKE wildcard.
        "like": strip_accents(typed.lower()) + "%",
        "start": clean_query(prefix),
        "candidates": SUGGEST_CANDIDATES,
        "limit": SUGGEST_LIMIT,
        "scan": SUGGEST_SCAN,
    }
    return _suggest_sql(types), params
