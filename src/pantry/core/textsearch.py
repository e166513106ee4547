"""The full-text query machinery every app's ``q`` filter shares.

Stored vectors use the ``pantry`` text search configuration (English stems
after unaccent; see core migration 0003), so queries must use it too.
``websearch_to_tsquery`` accepts any text (quotes, ``or``, ``-word``) without
raising, which makes user input safe to pass straight through.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery

SEARCH_CONFIG = "pantry"
# Longer input is cut, not refused: nobody types more, and a 10,000-character
# query should cost no more than a normal one.
MAX_QUERY_LENGTH = 256


def clean_query(text: str) -> str:
    """Trim, drop NUL and control characters, and cap the length."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(cleaned.split())[:MAX_QUERY_LENGTH]


def web_query(text: str) -> SearchQuery:
    """A ``websearch_to_tsquery`` on the pantry configuration."""
    return SearchQuery(clean_query(text), config=SEARCH_CONFIG, search_type="websearch")
