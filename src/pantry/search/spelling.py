"""Spelling suggestions from the search lexicon.

Each word of the query that the lexicon does not know (a known word is
never "corrected") gets candidates from the lexicon's trigram index
(``search_lexicon_trgm``, pg_trgm ``%``), at most ``CANDIDATES`` of the most
similar, with their ``levenshtein`` distance (fuzzystrmatch) and document
counts. Python then measures each candidate's optimal-string-alignment
distance, which counts a swap of two neighbouring letters as one edit
(levenshtein counts two), keeps those within ``MAX_EDITS``, and picks the
fewest edits, then the word in most documents, then the most similar.
Words shorter than ``MIN_LENGTH`` or with digits are left alone.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from pantry.core.textsearch import MAX_TERMS, ParsedQuery

MAX_EDITS = 2
MIN_LENGTH = 3
CANDIDATES = 30

_SPELLING_SQL = """
    SELECT raw.ord, t.word,
        EXISTS (SELECT 1 FROM search_lexicon AS l WHERE l.word = t.word) AS known,
        ARRAY(
            SELECT ROW(c.word, c.product_count + c.post_count,
                       similarity(c.word, t.word))::text
            FROM (
                SELECT l.word, l.product_count, l.post_count FROM search_lexicon AS l
                WHERE l.word %% t.word
                ORDER BY similarity(l.word, t.word) DESC, l.word
                LIMIT %(candidates)s
            ) AS c
            -- A swap is two levenshtein edits, one in the final measure.
            WHERE levenshtein_less_equal(c.word, t.word, %(edits)s * 2) <= %(edits)s * 2
        ) AS candidates
    FROM unnest(%(words)s::text[]) WITH ORDINALITY AS raw(word, ord),
        LATERAL (SELECT lower(unaccent(raw.word)) AS word) AS t
    -- Lexicon words are 3 to 40 letters (search migration 0002).
    WHERE length(t.word) BETWEEN %(min_length)s AND 40 AND t.word !~ '[0-9]'
"""


def spelling_statement(words: list[str]) -> tuple[str, dict[str, Any]]:
    """The SQL and parameters that look ``words`` up in the lexicon."""
    params = {
        "words": words,
        "candidates": CANDIDATES,
        "edits": MAX_EDITS,
        "min_length": MIN_LENGTH,
    }
    return _SPELLING_SQL, params


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions
    and swaps of two neighbouring letters each count one."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(
                previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost
            )
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def _parse_row(text: str) -> tuple[str, int, float]:
    # ROW(...)::text is "(word,count,similarity)"; lexicon words are letters.
    word, count, similarity = text.strip("()").rsplit(",", 2)
    return word, int(count), float(similarity)


def best_correction(word: str, candidates: list[str]) -> str | None:
    """The candidate within ``MAX_EDITS`` of ``word`` with fewest edits, then
    in most documents, then most similar; None when none is close enough."""
    scored = []
    for row in candidates:
        candidate, count, similarity = _parse_row(row)
        edits = edit_distance(word, candidate)
        # One edit in a three-letter word changes a third of it.
        allowed = 1 if len(word) <= 4 else MAX_EDITS
        if 0 < edits <= allowed:
            scored.append((edits, -count, -similarity, candidate))
    return min(scored)[3] if scored else None


def suggest_spelling(parsed: ParsedQuery) -> str | None:
    """The query with each word unknown to the lexicon replaced by the closest
    known word, or None when no word changes."""
    words = parsed.words[:MAX_TERMS]
    if not words:
        return None
    with connection.cursor() as cursor:
        cursor.execute(*spelling_statement(words))
        rows = cursor.fetchall()
    replacements = {}
    for ord_, word, known, candidates in rows:
        if not known and (best := best_correction(word, candidates)):
            replacements[ord_ - 1] = best
    if not replacements:
        return None
    return " ".join(replacements.get(i, word.lower()) for i, word in enumerate(words))
