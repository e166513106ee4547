"""Spelling suggestions from the search lexicon."""

from __future__ import annotations

from typing import Any

from django.db import connection

from pantry.core.textsearch import MAX_TERMS, ParsedQuery

# A lexicon word must be at least this similar (pg_trgm) to replace a word.
SUGGEST_SIMILARITY = 0.35


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
