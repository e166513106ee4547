"""Search across products and posts: one ranked list, highlights, suggestions.

Matching
    The text goes through ``websearch_to_tsquery`` on the ``pantry``
    configuration (stems after unaccent), so ``"exact phrase"``, ``or`` and
    ``-excluded`` work, and any text at all is a valid query. Products must be
    active; posts published with ``published_at <= now()``. When the
    all-terms query (``a b`` means ``a & b``) finds fewer than
    ``FALLBACK_BELOW`` documents and has several terms, a second query
    accepts any of the positive terms (``a | b``, exclusions kept) so partial
    matches still show, below the full ones.

Ranking (higher first)::

    rank = 8 * all_terms       -- the document matches every term
         + 4 * phrase          -- ... and the positive words as one phrase
         + 2 * in_title        -- the query matches the name/title alone (A)
         + 1 * in_tags         -- the query matches the tags alone (B)
         + cd / (cd + 1)       -- cd = ts_rank_cd({D .1, C .2, B .4, A 1}, ...)

    The bonuses are 0 or 1, and the last term lies in [0, 1), so every tier
    beats all of the tiers below it: a phrase match beats any match of the
    words apart, a title match beats a tag match, which beats a body-only
    match; within a tier, cover density (more and closer occurrences, in
    heavier fields) decides. Equal ranks go to the newer document
    (``published_at`` of a post, ``created_at`` of a product), then slug.

Cost
    Nothing ranks a whole table. Per type the candidates are the first
    ``CANDIDATES`` (100) documents matching in the name/title (word index of
    search migration 0003) and the first ``CANDIDATES`` matching anywhere;
    only they are ranked, in SQL. For products, "anywhere" is first looked
    for in the first ``HEAD`` rows of the table, and the GIN index runs only
    when those hold too few (a common word is answered without a bitmap of
    most of the table). With exclusions, at most ``EXCLUSION_SCAN``
    documents matching the positive terms are read. The two top-``limit``
    lists are merged in SQL and ``ts_headline`` runs only for the rows
    returned. Searching is one statement (two with the fallback), plus one
    for the suggestion when few documents were found. The price: among more
    matches than these bounds, which ones are ranked is table order.

Highlights
    ``ts_headline`` marks matches with control characters that are removed
    from the text first, so they cannot occur in it; the result is then
    HTML-escaped as a whole and the markers become ``<mark>``/``</mark>``.
    A product named ``<script>`` is shown as text.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from django.db import connection

from pantry.core.textsearch import (
    MAX_TERMS,
    SEARCH_CONFIG,
    WORD_PATTERN,
    ParsedQuery,
    clean_query,
    parse_query,
    strip_accents,
)

TYPES = ("product", "post")
# Documents of one type ranked per query; see "Cost" above.
CANDIDATES = 100
# With exclusions, documents matching the positive terms read per type.
EXCLUSION_SCAN = 1000
# Rows read from the head of each table before asking the index. Not for
# posts: their long bodies make reading a row cost more, and a GIN bitmap
# over 100,000 posts costs less than one over a million products.
HEAD = {"product": 1000, "post": 0}
# Fewer all-terms matches than this: also search for any of the terms.
FALLBACK_BELOW = 5
# Fewer matches than this: offer a spelling suggestion.
SUGGEST_BELOW = 3
# A lexicon word must be at least this similar (pg_trgm) to replace a word.
SUGGEST_SIMILARITY = 0.35
SUGGEST_LIMIT = 10
# Suggest rows fetched per type before ordering them (bounded, index order).
SUGGEST_CANDIDATES = 50
# Headlines look at this much of a document: ts_headline parses all it gets.
HEADLINE_CHARS = 20_000

START, STOP = "\x02", "\x03"
_HEADLINE_OPTIONS = f'StartSel="{START}", StopSel="{STOP}", MaxWords=35, MinWords=15'
# Characters removed from text before ts_headline: the markers, and (from
# post bodies) Markdown emphasis and heading marks that would clutter a snippet.
_STRIP = START + STOP
_STRIP_MARKDOWN = START + STOP + "*_`#"


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


@dataclass(frozen=True)
class SuggestItem:
    type: str
    slug: str
    title: str


_SOURCES = {
    "product": (
        "SELECT id, slug, name AS title, created_at AS dated, search_vector "
        "FROM catalog_product WHERE is_active",
        "to_tsvector('pantry'::regconfig, name::text)",
    ),
    "post": (
        "SELECT id, slug, title, published_at AS dated, search_vector "
        "FROM journal_post WHERE status = 'published' AND published_at <= now()",
        "to_tsvector('pantry'::regconfig, title::text)",
    ),
}


def _head(kind: str, query_sql: str) -> str:
    """SQL for the matches among the first ``HEAD[kind]`` rows of its table."""
    select, _ = _SOURCES[kind]
    return (
        f"SELECT * FROM ({select} LIMIT %(head_{kind})s) AS h "
        f"WHERE search_vector @@ {query_sql} LIMIT %(candidates)s"
    )


def _candidates(kind: str, query_sql: str, *, excludes: bool) -> str:
    """SQL for one type's top matches with their rank; ``found`` counts candidates.

    Candidates are the first matches by name/title (through the word index
    of search migration 0003) and the first matches anywhere, so documents
    with the words in their title are ranked even when the words are in
    far more bodies than are read. "Anywhere" is answered from the head of
    the table (``{kind}_head``) when it holds ``CANDIDATES`` matches, and
    through the GIN index otherwise: a bitmap of every document with a
    common word costs far more than reading a thousand rows.
    """
    select, title_words = _SOURCES[kind]
    matches = f"search_vector @@ {query_sql}"
    # A one-time filter: PostgreSQL skips the index scan when it is false.
    wanted = f"(SELECT count(*) FROM {kind}_head) < %(candidates)s"
    indexed = f"{select} AND {wanted} AND {matches} LIMIT %(candidates)s"
    if excludes:
        # "a -b" where most documents with a also have b would make the
        # index return every document with a, each read to find b: read at
        # most EXCLUSION_SCAN of them instead.
        positive = f"websearch_to_tsquery('{SEARCH_CONFIG}'::regconfig, %(positive)s)"
        indexed = (
            f"SELECT * FROM ({select} AND {wanted} AND search_vector @@ {positive} "
            f"LIMIT %(scan)s) AS s WHERE {matches} LIMIT %(candidates)s"
        )
    source = f"""
        SELECT DISTINCT ON (id) * FROM (
            -- Exclusions (-word) may match outside the title: filter after.
            (SELECT * FROM ({select} AND {title_words} @@ {query_sql}
             LIMIT %(candidates)s) AS t WHERE {matches})
            UNION ALL
            (SELECT * FROM {kind}_head)
            UNION ALL
            ({indexed})
        ) AS c"""
    return f"""
        SELECT '{kind}'::text AS type, d.id, d.slug, d.title, d.dated,
            8 * (d.search_vector @@ all_terms)::int
            + 4 * coalesce(d.search_vector @@ phrase, false)::int
            + 2 * (ts_filter(d.search_vector, '{{a}}') @@ query)::int
            + (ts_filter(d.search_vector, '{{b}}') @@ query)::int
            + ts_rank_cd('{{0.1, 0.2, 0.4, 1.0}}', d.search_vector, query, 32)
            AS rank,
            count(*) OVER () AS found
        FROM ({source}) AS d, input
        ORDER BY rank DESC, d.dated DESC, d.id DESC
        LIMIT %(limit)s"""


def _search_sql(types: tuple[str, ...], *, fallback: bool, excludes: bool) -> str:
    if fallback:
        # Any plain word; phrases and exclusions still hold.
        query = (
            f"(websearch_to_tsquery('{SEARCH_CONFIG}'::regconfig, %(any_words)s) "
            f"&& websearch_to_tsquery('{SEARCH_CONFIG}'::regconfig, %(required)s))"
        )
    else:
        query = f"websearch_to_tsquery('{SEARCH_CONFIG}'::regconfig, %(text)s)"
    # The query is written out where rows are matched, not read from the
    # input CTE: PostgreSQL folds it to a constant at planning, and can use
    # its statistics to choose between index and scan.
    parts = {kind: _candidates(kind, query, excludes=excludes) for kind in types}
    found = " + ".join(
        f"(SELECT coalesce(max(found), 0) FROM {kind}_hits)" for kind in types
    )
    strip = f"translate(%s, '{_STRIP}', '')"
    strip_markdown = f"translate(%s, '{_STRIP_MARKDOWN}', '')"
    return f"""
        WITH input AS MATERIALIZED (
            SELECT {query} AS query,
                websearch_to_tsquery('{SEARCH_CONFIG}', %(text)s) AS all_terms,
                CASE WHEN %(phrase)s <> ''
                    THEN phraseto_tsquery('{SEARCH_CONFIG}', %(phrase)s) END AS phrase
        ),
        {", ".join(f"{kind}_head AS MATERIALIZED ({_head(kind, query)})" for kind in types)},
        {", ".join(f"{kind}_hits AS ({sql})" for kind, sql in parts.items())},
        top AS (
            {" UNION ALL ".join(f"SELECT * FROM {kind}_hits" for kind in types)}
            ORDER BY rank DESC, dated DESC, slug
            LIMIT %(limit)s
        )
        SELECT top.type, top.slug, top.title, top.rank,
            ts_headline('{SEARCH_CONFIG}',
                CASE top.type
                    WHEN 'product' THEN {strip % "coalesce(nullif(p.description, ''), p.name)"}
                    ELSE {strip_markdown % "left(j.body, %(headline_chars)s)"}
                END,
                input.query, %(headline_options)s) AS headline,
            ({found}) AS found
        FROM top CROSS JOIN input
        LEFT JOIN catalog_product AS p ON top.type = 'product' AND p.id = top.id
        LEFT JOIN journal_post AS j ON top.type = 'post' AND j.id = top.id
        ORDER BY top.rank DESC, top.dated DESC, top.slug"""


def _highlight(headline: str) -> str:
    """Escape everything, then turn the match markers into ``<mark>`` tags."""
    escaped = html.escape(headline, quote=False)
    return escaped.replace(START, "<mark>").replace(STOP, "</mark>")


def search_statement(
    parsed: ParsedQuery, types: tuple[str, ...], limit: int, *, fallback: bool
) -> tuple[str, dict[str, Any]]:
    """The SQL and parameters of one search (all terms, or any term with ``fallback``)."""
    params: dict[str, Any] = {
        "text": parsed.text,
        "any_words": parsed.any_word_text(),
        "required": parsed.required_text(),
        "phrase": parsed.phrase_text(),
        "positive": parsed.any_word_text() if fallback else parsed.positive_text(),
        "candidates": CANDIDATES,
        "scan": EXCLUSION_SCAN,
        "head_product": HEAD["product"],
        "head_post": HEAD["post"],
        "limit": limit,
        "headline_chars": HEADLINE_CHARS,
        "headline_options": _HEADLINE_OPTIONS,
    }
    # With "or", the positive terms alone need not hold for every match.
    excludes = bool(parsed.excluded) and not parsed.has_or
    sql = _search_sql(types, fallback=fallback, excludes=excludes)
    return sql, params


def _run(
    parsed: ParsedQuery, types: tuple[str, ...], limit: int, *, fallback: bool
) -> tuple[list[Hit], int]:
    with connection.cursor() as cursor:
        cursor.execute(*search_statement(parsed, types, limit, fallback=fallback))
        rows = cursor.fetchall()
    hits = [
        Hit(
            type=kind,
            slug=slug,
            title=title,
            headline=_highlight(headline),
            rank=round(float(rank), 4),
        )
        for kind, slug, title, rank, headline, _ in rows
    ]
    return hits, (rows[0][5] if rows else 0)


def search(
    text: str, *, types: tuple[str, ...] = TYPES, limit: int = 20
) -> SearchResult:
    """The ``limit`` best products and posts for web-search ``text``, and a suggestion.

    Text with no positive word (empty, punctuation, only exclusions) finds
    nothing rather than everything.
    """
    parsed = parse_query(text)
    if not parsed.positive:
        return SearchResult(items=[], suggestion=None)
    hits, found = _run(parsed, types, limit, fallback=False)
    # With one term (a word or a quoted phrase), "any term" is "all terms".
    if found < FALLBACK_BELOW and parsed.can_fall_back():
        more, found = _run(parsed, types, limit, fallback=True)
        seen = {(hit.type, hit.slug) for hit in hits}
        hits = hits + [hit for hit in more if (hit.type, hit.slug) not in seen]
        hits = hits[:limit]
    suggestion = suggest_spelling(parsed) if found < SUGGEST_BELOW else None
    return SearchResult(items=hits, suggestion=suggestion)


_SPELLING_SQL = f"""
    SELECT raw.ord,
        EXISTS (SELECT 1 FROM search_lexicon AS l WHERE l.word = t.word) AS known,
        (SELECT l.word FROM search_lexicon AS l
         WHERE l.word %% t.word AND similarity(l.word, t.word) >= {SUGGEST_SIMILARITY}
         ORDER BY similarity(l.word, t.word) DESC,
             l.product_count + l.post_count DESC, l.word
         LIMIT 1) AS best
    FROM unnest(%s::text[]) WITH ORDINALITY AS raw(word, ord),
        LATERAL (SELECT lower(unaccent(raw.word)) AS word) AS t
    WHERE length(t.word) >= 3
"""


def spelling_statement(words: list[str]) -> tuple[str, list[Any]]:
    """The SQL and parameters that look ``words`` up in the lexicon."""
    return _SPELLING_SQL, [words]


def suggest_spelling(parsed: ParsedQuery) -> str | None:
    """The query with each word unknown to the lexicon replaced by the closest
    known word, or None when no word changes."""
    words = parsed.words[:MAX_TERMS]
    if not words:
        return None
    with connection.cursor() as cursor:
        cursor.execute(*spelling_statement(words))
        rows = cursor.fetchall()
    replacements = {
        words[ord_ - 1]: best for ord_, known, best in rows if not known and best
    }
    if not replacements:
        return None
    corrected = [replacements.get(word, word.lower()) for word in words]
    return " ".join(corrected)


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
    ), %(typed)s))"""
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
        f"({_SUGGEST_INDEXED[kind]} "
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
        LIMIT %(limit)s"""


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
