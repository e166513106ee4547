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
         + 2 * in_title        -- the query matches the name/title alone (A)
         + 1 * in_tags         -- the query matches the tags alone (B)
         + cd / (cd + 1)       -- cd = ts_rank_cd({D .1, C .2, B .4, A 1}, ...)

    The bonuses are 0 or 1 and the last term lies in [0, 1), so every tier
    beats the tiers below it. Equal ranks go to the newer document, then
    the type and id (a total order, which keyset pages need).

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
from django.db.models import F, QuerySet

from pantry.catalog.models import Product
from pantry.core.errors import BadCursor
from pantry.core.pagination import decode_cursor, encode_cursor
from pantry.core.textsearch import SEARCH_CONFIG, ParsedQuery, parse_query
from pantry.journal.models import Post
from pantry.search.spelling import suggest_spelling
from pantry.search.synonyms import synonyms_for

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
    next: str | None = None
    total: int = 0
    total_is_estimate: bool = False
    # Documents matching only some of the plain words are listed.
    partial: bool = False


def _source(kind: str) -> tuple[str, str, str, dict[str, Any]]:
    """SQL of one type's searchable rows (``id, slug, search_vector, title,
    dated``) from the rule its app defines (``Product.for_sale()``,
    ``Post.objects.public()``), the name/title word expression, the table
    and the rule's parameters (named, to sit among this module's)."""
    rows: QuerySet[Any, Any]
    if kind == "product":
        rows = Product.for_sale().values(
            "id", "slug", "search_vector", title=F("name"), dated=F("created_at")
        )
        title_words = "to_tsvector('pantry'::regconfig, name::text)"
    else:
        rows = Post.objects.public().values(
            "id", "slug", "search_vector", "title", dated=F("published_at")
        )
        title_words = "to_tsvector('pantry'::regconfig, title::text)"
    sql, values = rows.query.sql_with_params()
    if " WHERE " not in sql:
        raise AssertionError(f"the {kind} rule has no condition: {sql}")
    names = [f"rule_{kind}_{index}" for index in range(len(values))]
    sql = sql.replace("%s", "{}").format(*(f"%({name})s" for name in names))
    return (
        sql,
        title_words,
        rows.model._meta.db_table,
        dict(zip(names, values, strict=True)),
    )


_RANK = """
    8 * (d.search_vector @@ input.all_terms)::int
    + 4 * coalesce(d.search_vector @@ input.phrase, false)::int
    + 2 * (ts_filter(d.search_vector, '{a}') @@ input.query)::int
    + (ts_filter(d.search_vector, '{b}') @@ input.query)::int
    + ts_rank_cd('{0.1, 0.2, 0.4, 1.0}', d.search_vector, input.query, 32)"""


def _kind_sql(kind: str, query: str, positive: str, *, excludes: bool) -> str:
    """CTEs of one type: its ranked matches, its page and its total."""
    select, title_words, table, _ = _source(kind)
    matches = f"search_vector @@ {query}"
    if excludes:
        # "a -b" where most documents with a also have b would make the
        # index return every document with a, each read to find b: read at
        # most EXCLUSION_SCAN of them.
        scanned = f"{select} AND search_vector @@ {positive} LIMIT %(scan)s"
        indexed = f"SELECT * FROM {kind}_scanned WHERE {matches} LIMIT %(bound)s + 1"  # noqa: S608  SQL of module constants and fixed kinds; values are parameters
        capped = f"(SELECT count(*) FROM {kind}_scanned) >= %(scan)s OR "  # noqa: S608  SQL of module constants and fixed kinds; values are parameters
    else:
        scanned = "SELECT NULL WHERE false"
        indexed = f"{select} AND {matches} LIMIT %(bound)s + 1"
        capped = ""
    return f"""
        {kind}_scanned AS MATERIALIZED ({scanned}),
        {kind}_indexed AS MATERIALIZED ({indexed}),
        {kind}_ranked AS MATERIALIZED (
            SELECT '{kind}'::text AS type, d.id, d.slug, d.title, d.dated,
                ({_RANK})::float8 AS rank
            FROM (
                SELECT DISTINCT ON (id) * FROM (
                    -- Exclusions (-word) may match outside the title: filter after.
                    (SELECT * FROM ({select} AND {title_words} @@ {query}
                     LIMIT %(title_bound)s) AS t WHERE {matches})
                    UNION ALL
                    (SELECT * FROM {kind}_indexed)
                ) AS c
            ) AS d, input
        ),
        {kind}_page AS (
            SELECT * FROM {kind}_ranked
            WHERE NOT %(paged)s OR (rank, dated, type, id) < (
                %(after_rank)s::float8, %(after_dated)s::timestamptz,
                %(after_type)s::text, %(after_id)s::bigint)
            ORDER BY rank DESC, dated DESC, id DESC
            LIMIT %(limit)s
        ),
        {kind}_total AS (
            SELECT CASE WHEN NOT estimated THEN (SELECT count(*) FROM {kind}_ranked)
                ELSE greatest(%(bound)s + 1, (
                    SELECT round(count(*) FILTER (WHERE {matches})::float8
                        / greatest(count(*), 1)
                        * (SELECT reltuples FROM pg_class
                           WHERE oid = '{table}'::regclass))
                    FROM ({select} LIMIT %(sample)s) AS s))::bigint
                END AS n, estimated
            FROM (SELECT {capped}(SELECT count(*) FROM {kind}_indexed) > %(bound)s
                AS estimated) AS e
        )"""  # noqa: S608  SQL of module constants and fixed kinds; values are parameters


_WS = f"websearch_to_tsquery('{SEARCH_CONFIG}'::regconfig, %({{}})s)"


def query_sql(
    parsed: ParsedQuery,
    synonyms: dict[str, tuple[str, ...]],
    *,
    fallback: bool,
    excluded: bool = True,
) -> tuple[str, dict[str, str]]:
    """A tsquery expression for ``parsed`` and its parameters.

    A plain word with synonyms becomes ``(word || synonym || ...)``, joined
    with ``&&`` to the rest (websearch text has no parentheses). With
    ``fallback``, any plain word (or synonym) will do, but phrases and
    exclusions still hold. ``excluded=False`` leaves exclusions out.
    """
    params: dict[str, str] = {}

    def ws(name: str, text: str) -> str:
        params[name] = text
        return _WS.format(name)

    groups = []
    expanded = set()
    for index, term in enumerate(parsed.plain):
        others = synonyms.get(term.text.lower())
        if not others:
            continue
        expanded.add(index)
        alternatives = [ws(f"syn_{index}", term.websearch())]
        for number, other in enumerate(others):
            alternatives.append(ws(f"syn_{index}_{number}", parse_query(other).text))
        groups.append("(" + " || ".join(alternatives) + ")")
    kept = [term for index, term in enumerate(parsed.plain) if index not in expanded]
    if fallback:
        words = ws("any_words", " or ".join(term.websearch() for term in kept))
        required = [
            t for t in parsed.terms if t.is_phrase or (t.is_excluded and excluded)
        ]
        rest = ws("required", " ".join(t.websearch() for t in required))
        return f"(({' || '.join([words, *groups])}) && {rest})", params
    if not groups:
        text = parsed.text if excluded else parsed.positive_text()
        return ws("text" if excluded else "positive", text), params
    others_kept = [
        t for t in parsed.terms if t.is_phrase or (t.is_excluded and excluded)
    ]
    rest = ws("rest", " ".join(t.websearch() for t in [*kept, *others_kept]))
    return f"({' && '.join([rest, *groups])})", params


def _search_sql(
    types: tuple[str, ...], query: str, positive: str, all_terms: str, *, excludes: bool
) -> str:
    # The query is written out where rows are matched, not read from the
    # input CTE: PostgreSQL folds it to a constant at planning, and can use
    # its statistics to choose between index and scan.
    kinds = ",".join(
        _kind_sql(kind, query, positive, excludes=excludes) for kind in types
    )
    total = " + ".join(f"(SELECT n FROM {kind}_total)" for kind in types)  # noqa: S608  SQL of module constants and fixed kinds; values are parameters
    estimated = " OR ".join(f"(SELECT estimated FROM {kind}_total)" for kind in types)  # noqa: S608  SQL of module constants and fixed kinds; values are parameters
    strip = f"translate(%s, '{_STRIP}', '')"
    strip_markdown = f"translate(%s, '{_STRIP_MARKDOWN}', '')"
    return f"""
        WITH input AS MATERIALIZED (
            SELECT {query} AS query, {all_terms} AS all_terms,
                CASE WHEN %(phrase)s <> ''
                    THEN phraseto_tsquery('{SEARCH_CONFIG}', %(phrase)s) END AS phrase
        ),
        {kinds},
        top AS (
            {" UNION ALL ".join(f"SELECT * FROM {kind}_page" for kind in types)}
            ORDER BY rank DESC, dated DESC, type DESC, id DESC
            LIMIT %(limit)s
        ),
        totals AS MATERIALIZED (SELECT {total} AS total, {estimated} AS estimated)
        SELECT top.type, top.slug, top.title, top.rank, top.dated, top.id,
            ts_headline('{SEARCH_CONFIG}',
                CASE top.type
                    WHEN 'product' THEN {strip % "coalesce(nullif(p.description, ''), p.name)"}
                    ELSE {strip_markdown % "left(j.body, %(headline_chars)s)"}
                END,
                input.query, %(headline_options)s) AS headline,
            totals.total, totals.estimated
        FROM totals CROSS JOIN input
        LEFT JOIN top ON true
        LEFT JOIN catalog_product AS p ON top.type = 'product' AND p.id = top.id
        LEFT JOIN journal_post AS j ON top.type = 'post' AND j.id = top.id
        ORDER BY top.rank DESC, top.dated DESC, top.type DESC, top.id DESC"""  # noqa: S608  SQL of module constants and fixed kinds; values are parameters


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
    for kind in types:
        params.update(_source(kind)[3])
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
            "headline_options": _HEADLINE_OPTIONS,
        }
    )
    # With "or", the positive terms alone need not hold for every match.
    excludes = bool(parsed.excluded) and not parsed.has_or
    sql = _search_sql(types, query, positive, all_terms, excludes=excludes)
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
