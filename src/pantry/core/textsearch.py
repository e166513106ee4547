"""The full-text query machinery every app's ``q`` filter shares.

Stored vectors use the ``pantry`` text search configuration (stems after
unaccent; see core migration 0003 and ``pantry search_config``), so queries
must use it too. ``websearch_to_tsquery`` accepts any text (quotes, ``or``,
``-word``) without raising, which makes user input safe to pass straight
through.

:func:`parse_query` splits the same text the way ``websearch_to_tsquery``
reads it, for the parts of search that need the words themselves (the
all-terms/any-term fallback, the phrase bonus, typo suggestions).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery

SEARCH_CONFIG = "pantry"
# Longer input is cut, not refused: nobody types more, and a 10,000-character
# query should cost no more than a normal one.
MAX_QUERY_LENGTH = 256
# Only so many terms take part in the any-term fallback and suggestions.
MAX_TERMS = 16

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
# Word characters without the underscore: what the PostgreSQL parser keeps.
_WORD = re.compile(r"[^\W_]+")


def clean_query(text: str) -> str:
    """Trim, drop NUL and control characters, and cap the length."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(cleaned.split())[:MAX_QUERY_LENGTH]


def web_query(text: str) -> SearchQuery:
    """A ``websearch_to_tsquery`` on the pantry configuration."""
    return SearchQuery(clean_query(text), config=SEARCH_CONFIG, search_type="websearch")


@dataclass(frozen=True)
class ParsedQuery:
    """Positive and excluded terms; a term of several words is a phrase."""

    text: str
    positive: tuple[str, ...]
    excluded: tuple[str, ...]

    @property
    def words(self) -> list[str]:
        """Every positive word in order, phrases split into their words."""
        return [word for term in self.positive for word in _WORD.findall(term)]

    def any_term_text(self) -> str:
        """websearch text matching any positive term: ``a or "b c"``."""
        terms = [f'"{term}"' if " " in term else term for term in self.positive]
        return " or ".join(terms[:MAX_TERMS])

    def excluded_text(self) -> str:
        """websearch text of the exclusions alone: ``-a -"b c"``."""
        terms = [f'"{term}"' if " " in term else term for term in self.excluded]
        return " ".join(f"-{term}" for term in terms[:MAX_TERMS])

    def phrase_text(self) -> str:
        """The positive words as one phrase, or "" when there are fewer than two."""
        words = self.words[:MAX_TERMS]
        return " ".join(words) if len(words) > 1 else ""


def parse_query(text: str) -> ParsedQuery:
    """Split web-search text into positive terms and exclusions.

    Mirrors ``websearch_to_tsquery``: ``"..."`` is a phrase, a leading ``-``
    excludes, ``or`` is an operator; punctuation separates words.
    """
    cleaned = clean_query(text)
    positive: list[str] = []
    excluded: list[str] = []
    for match in _TOKEN.finditer(cleaned):
        negated, phrase, bare = match.groups()
        if phrase is not None:
            if words := _WORD.findall(phrase):
                (excluded if negated else positive).append(" ".join(words))
            continue
        if bare.lower() == "or":
            continue
        if words := _WORD.findall(bare):
            (excluded if bare.startswith("-") else positive).append(" ".join(words))
    return ParsedQuery(cleaned, tuple(positive), tuple(excluded))


def prefix_query(text: str, *, weights: str = "") -> str:
    """``to_tsquery`` text matching documents with every word, the last as a prefix.

    ``"aurora lapt"`` gives ``aurora:A & lapt:*A`` with ``weights="A"``. Only
    word characters pass, so the result is always valid tsquery syntax; ""
    when there is no word.
    """
    words = _WORD.findall(clean_query(text))[:MAX_TERMS]
    if not words:
        return ""
    parts = [f"{word}:{weights}" if weights else word for word in words[:-1]]
    parts.append(f"{words[-1]}:*{weights}")
    return " & ".join(parts)
