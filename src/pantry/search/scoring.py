"""How rare each query term is, and the BM25-style score built from it.

Document frequencies
    Per type, for each lexeme of the positive words (and their synonyms),
    as the stored vectors hold it (stemmed, from every field):

    - in the most common elements ANALYZE keeps for ``search_vector``
      (``pg_stats.most_common_elems``, roughly the commonest thousand
      lexemes): that frequency times the table's row count, no table read;
    - otherwise the lexeme is rare: its matches are counted through the
      vector GIN index, at most ``DF_CAP`` of them.

    The lexicon (``search_lexicon``) is not used: it counts unstemmed words
    of product names and tags, not the stems the vectors are matched by.

Score
    For each term t with ``idf(t) = ln(1 + (N - df + 0.5) / (df + 0.5))``::

        tf(t)  = ts_rank({D .1, C .2, B .4, A 1}, vector, t) / 0.6079
        bm25   = sum over t of idf(t) * tf(t) * (K1 + 1)
                 / (tf(t) + K1 * (1 - B + B * length(vector) / avg_length))

    ``tf`` is a field-weighted, already saturating count (one occurrence in
    the name or title is 1, one in the body 0.1 to 0.2); ``avg_length`` is
    the mean number of lexemes among the ranked matches. ``bm25 / (bm25 + 1)``
    takes the place ``ts_rank_cd`` had under the tiers (see ranking.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db import connection

from pantry.core.textsearch import SEARCH_CONFIG, ParsedQuery

# Matches of a rare lexeme counted at most (per type).
DF_CAP = 10_000
K1 = 1.2
B = 0.75
# ts_rank of one occurrence of weight 1.0 (its formula divides by pi^2/6).
_ONE_TITLE_HIT = 0.6079
_WEIGHTS = "'{0.1, 0.2, 0.4, 1.0}'"


@dataclass(frozen=True)
class Term:
    lexeme: str
    idf: float


_TERMS_SQL = """
WITH terms AS MATERIALIZED (
    SELECT DISTINCT lexeme
    FROM unnest(tsvector_to_array(to_tsvector('{config}'::regconfig, %(text)s)))
        AS lexeme
),
-- One reading of the pg_stats view for every table: planning it is most
-- of this statement's cost.
stats AS MATERIALIZED (
    SELECT tablename::text AS source, most_common_elems::text::text[] AS elems,
        most_common_elem_freqs AS freqs
    FROM pg_stats
    WHERE schemaname = current_schema() AND tablename = ANY (%(tables)s)
        AND attname = 'search_vector'
)
{tables}
ORDER BY 1, 2"""

_DF_SQL = """
SELECT * FROM (
WITH size AS (
    SELECT CASE WHEN reltuples > 0 THEN reltuples::float8
        ELSE (SELECT count(*) FROM {table})::float8 END AS n
    FROM pg_class WHERE oid = '{table}'::regclass
)
SELECT '{table}'::text AS source, t.lexeme, size.n, coalesce(
    s.freqs[array_position(s.elems, t.lexeme)] * size.n,
    (SELECT count(*) FROM (
        SELECT 1 FROM {table} WHERE search_vector @@ quote_literal(t.lexeme)::tsquery
        LIMIT %(cap)s) AS c)::float8)
FROM terms AS t CROSS JOIN size
LEFT JOIN stats AS s ON s.source = '{table}'
) AS df_{table}"""


def query_text(parsed: ParsedQuery, synonyms: dict[str, tuple[str, ...]]) -> str:
    """The positive words of ``parsed`` and every synonym of them."""
    return " ".join([*parsed.words, *(s for group in synonyms.values() for s in group)])


def terms_of(text: str, tables: list[str]) -> dict[str, list[Term]]:
    """The lexemes of ``text`` with their idf among each table's documents
    (one statement for all the tables)."""
    found: dict[str, list[Term]] = {table: [] for table in tables}
    if not text.strip() or not tables:
        return found
    union = " UNION ALL ".join(_DF_SQL.format(table=table) for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(
            _TERMS_SQL.format(config=SEARCH_CONFIG, tables=union),
            {"text": text, "cap": DF_CAP, "tables": tables},
        )
        rows = cursor.fetchall()
    for table, lexeme, n, df in rows:
        idf = math.log(1 + (max(n, df) - df + 0.5) / (df + 0.5))
        found[table].append(Term(lexeme, idf))
    return found


def tsquery_literal(lexeme: str) -> str:
    """``lexeme`` as tsquery input: one quoted lexeme."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def tf_columns(kind: str, terms: list[Term]) -> str:
    """Columns of one type's candidates ``c``: each term's weighted tf, the
    vector's length and the candidates' average length."""
    columns = [
        "length(c.search_vector) AS len",
        "avg(length(c.search_vector)) OVER () AS avg_len",
    ]
    for index in range(len(terms)):
        rank = f"ts_rank({_WEIGHTS}, c.search_vector, %(term_{kind}_{index})s::tsquery)"
        columns.append(f"{rank} / {_ONE_TITLE_HIT} AS tf_{index}")
    return ", ".join(columns)


def bm25_sql(kind: str, terms: list[Term]) -> str:
    """The bm25 of a row ``d`` carrying :func:`tf_columns`."""
    if not terms:
        return "0.0"
    norm = f"{K1} * (1 - {B} + {B} * d.len / greatest(d.avg_len, 1))"
    return " + ".join(
        f"%(idf_{kind}_{index})s * d.tf_{index} * {K1 + 1} / (d.tf_{index} + {norm})"
        for index in range(len(terms))
    )


def bm25_params(kind: str, terms: list[Term]) -> dict[str, object]:
    params: dict[str, object] = {}
    for index, term in enumerate(terms):
        params[f"term_{kind}_{index}"] = tsquery_literal(term.lexeme)
        params[f"idf_{kind}_{index}"] = term.idf
    return params
