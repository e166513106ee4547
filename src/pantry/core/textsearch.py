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
import unicodedata
from dataclasses import dataclass

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import models
from django.db.models import Func
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Cast

SEARCH_CONFIG = "pantry"
# Longer input is cut, not refused: nobody types more, and a 10,000-character
# query should cost no more than a normal one.
MAX_QUERY_LENGTH = 256
# Only so many terms take part in the any-term fallback and suggestions.
MAX_TERMS = 16

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
# Word characters without the underscore: what the PostgreSQL parser keeps.
WORD_PATTERN = re.compile(r"[^\W_]+")


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
    # ``text`` without its exclusions (``or`` and phrases kept).
    without_exclusions: str = ""

    @property
    def words(self) -> list[str]:
        """Every positive word in order, phrases split into their words."""
        return [word for term in self.positive for word in WORD_PATTERN.findall(term)]

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
    kept: list[str] = []
    for match in _TOKEN.finditer(cleaned):
        negated, phrase, bare = match.groups()
        if phrase is not None:
            if words := WORD_PATTERN.findall(phrase):
                (excluded if negated else positive).append(" ".join(words))
            if not negated:
                kept.append(match.group(0))
            continue
        if bare.lower() == "or":
            kept.append(bare)
            continue
        if words := WORD_PATTERN.findall(bare):
            (excluded if bare.startswith("-") else positive).append(" ".join(words))
        if not bare.startswith("-"):
            kept.append(bare)
    return ParsedQuery(cleaned, tuple(positive), tuple(excluded), " ".join(kept))


def strip_accents(text: str) -> str:
    """``text`` without combining accents ("Müller" -> "Muller"), like ``unaccent``
    for Latin letters, for text that goes to a configuration without it."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def weighted_vector(*, a: str, b_words: str, c: str) -> CombinedExpression:
    """The stored search vector of a document: ``a`` weighs most, then the
    words of the array column ``b_words``, then ``c``.

    Immutable (explicit configuration, ``pantry_join_words``), so it can be
    the expression of a stored ``GeneratedField``.
    """
    words = Func(
        Cast(b_words, ArrayField(models.TextField())),
        function="pantry_join_words",
        output_field=models.TextField(),
    )
    return (
        SearchVector(a, config=SEARCH_CONFIG, weight="A")
        + SearchVector(words, config=SEARCH_CONFIG, weight="B")
        + SearchVector(c, config=SEARCH_CONFIG, weight="C")
    )
