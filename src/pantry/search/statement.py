"""The SQL of a ranked search: row sources, matching, scoring, pages, totals.

The story (matching, ranking, bound, pages) is told in ranking.py and
scoring.py; this module only writes the statement.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet

from pantry.catalog.models import Product
from pantry.core.textsearch import SEARCH_CONFIG, ParsedQuery, parse_query
from pantry.core.textsearch import Term as QueryTerm
from pantry.journal.models import Post
from pantry.search.scoring import Term, bm25_sql, tf_columns

START, STOP = "\x02", "\x03"
HEADLINE_OPTIONS = f'StartSel="{START}", StopSel="{STOP}", MaxWords=35, MinWords=15'
# Characters removed from text before ts_headline: the markers, and (from
# post bodies) Markdown emphasis and heading marks that would clutter a snippet.
_STRIP = START + STOP
_STRIP_MARKDOWN = START + STOP + "*_`#"


def source(kind: str) -> tuple[str, str, str, dict[str, Any]]:
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


# The tiers (see ranking.py); the bm25 of scoring.py goes under them. The
# title and tags tiers ask for every term: with the any-word fallback, one
# common word in a name is no sign of an answer.
_TIERS = """
    8 * (d.search_vector @@ input.all_terms)::int
    + 4 * coalesce(d.search_vector @@ input.phrase, false)::int
    + 2 * (ts_filter(d.search_vector, '{a}') @@ input.all_terms)::int
    + (ts_filter(d.search_vector, '{b}') @@ input.all_terms)::int"""


def _kind_sql(
    kind: str,
    query: str,
    positive: str,
    terms: list[Term],
    *,
    excludes: bool,
    coord: str,
) -> str:
    """CTEs of one type: its ranked matches, its page and its total."""
    select, title_words, table, _ = source(kind)
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
                ({_TIERS} + score / (score + 1))::float8 AS rank
            FROM (
                SELECT d.*, ({bm25_sql(kind, terms)}) * {coord} AS score
                FROM (
                    SELECT c.*, {tf_columns(kind, terms)}
                    FROM (
                        SELECT DISTINCT ON (id) * FROM (
                            -- Exclusions (-word) may match outside the title:
                            -- filter after.
                            (SELECT * FROM ({select} AND {title_words} @@ {query}
                             LIMIT %(title_bound)s) AS t WHERE {matches})
                            UNION ALL
                            (SELECT * FROM {kind}_indexed)
                        ) AS u
                    ) AS c
                ) AS d
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


def word_texts(term: QueryTerm, synonyms: dict[str, tuple[str, ...]]) -> list[str]:
    """Websearch texts of a plain word and of each of its synonyms."""
    others = synonyms.get(term.text.lower(), ())
    return [term.websearch(), *(parse_query(other).text for other in others)]


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
        texts = word_texts(term, synonyms)
        alternatives = [ws(f"syn_{index}", texts[0])]
        for number, text in enumerate(texts[1:]):
            alternatives.append(ws(f"syn_{index}_{number}", text))
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


def coord_sql(
    parsed: ParsedQuery, synonyms: dict[str, tuple[str, ...]]
) -> tuple[str, dict[str, str]]:
    """The share of the plain words (each with its synonyms) a row ``d``
    holds, as SQL, for the any-word fallback: the coordination factor of
    classic Lucene scoring, so that among partial matches a document with
    more of the words ranks above one with fewer. Stop words, which match
    nothing, are not counted; the denominator folds to a constant."""
    params: dict[str, str] = {}
    held, counted = [], []
    for index, term in enumerate(parsed.plain):
        words = []
        for number, text in enumerate(word_texts(term, synonyms)):
            params[f"coord_{index}_{number}"] = text
            words.append(_WS.format(f"coord_{index}_{number}"))
        word = f"({' || '.join(words)})"
        held.append(f"(d.search_vector @@ {word})::int")
        counted.append(f"(numnode({word}) > 0)::int")
    if not held:
        return "1", params
    return (
        f"(({' + '.join(held)})::float8 / greatest({' + '.join(counted)}, 1))",
        params,
    )


def search_sql(
    types: tuple[str, ...],
    query: str,
    positive: str,
    all_terms: str,
    terms: dict[str, list[Term]],
    *,
    excludes: bool,
    coord: str = "1",
) -> str:
    # The query is written out where rows are matched, not read from the
    # input CTE: PostgreSQL folds it to a constant at planning, and can use
    # its statistics to choose between index and scan.
    kinds = ",".join(
        _kind_sql(kind, query, positive, terms[kind], excludes=excludes, coord=coord)
        for kind in types
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
