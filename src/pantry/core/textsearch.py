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
from collections.abc import Callable
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

_TOKEN = re.compile(r'(-*)"([^"]*)"?|(\S+)')
# Word characters without the underscore: what the PostgreSQL parser keeps.
WORD_PATTERN = re.compile(r"[^\W_]+")
# A hyphen that does not join two word characters ("wi-fi" keeps its own):
# websearch_to_tsquery reads it as NOT, and a run of them nests NOTs until
# PostgreSQL raises "tsquery stack too small".
_LOOSE_HYPHEN = re.compile(r"(?<![^\W_])-|-(?![^\W_])")


def clean_query(text: str) -> str:
    """Trim, drop NUL and control characters, and cap the length."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(cleaned.split())[:MAX_QUERY_LENGTH]


@dataclass(frozen=True)
class Term:
    """One term of a query: a word (``wi-fi`` counts as one) or a phrase."""

    text: str
    words: tuple[str, ...]
    # Quoted, or a word that punctuation split into several.
    is_phrase: bool
    is_excluded: bool

    def websearch(self) -> str:
        """The term as websearch text: ``word``, ``"a phrase"``, ``-word``."""
        body = f'"{self.text}"' if self.is_phrase else self.text
        return f"-{body}" if self.is_excluded else body


@dataclass(frozen=True)
class ParsedQuery:
    """A query's terms, and the websearch text PostgreSQL gets for them.

    ``text`` is rebuilt from the terms, so it holds at most one ``-`` per
    term and ``or`` only between two terms: whatever was typed, it is
    valid, and PostgreSQL reads it exactly as the terms say.
    """

    terms: tuple[Term, ...]
    # For each term after the first: whether "or" joins it to the one before.
    joins: tuple[bool, ...] = ()

    @property
    def text(self) -> str:
        """The whole query as valid websearch text."""
        return self._render(lambda term: True)

    @property
    def has_or(self) -> bool:
        """Whether "or" joins two terms: the text chose its own logic."""
        return any(self.joins)

    def _render(self, keep: Callable[[Term], bool]) -> str:
        parts: list[str] = []
        joined = False
        for index, term in enumerate(self.terms):
            joined = joined or (index > 0 and self.joins[index - 1])
            if not keep(term):
                continue
            parts.append(
                f"or {term.websearch()}" if parts and joined else term.websearch()
            )
            joined = False
        return " ".join(parts)

    @property
    def positive(self) -> tuple[str, ...]:
        """The words of each positive term, space-separated."""
        return tuple(" ".join(t.words) for t in self.terms if not t.is_excluded)

    @property
    def excluded(self) -> tuple[str, ...]:
        """The words of each excluded term, space-separated."""
        return tuple(" ".join(t.words) for t in self.terms if t.is_excluded)

    @property
    def words(self) -> list[str]:
        """Every positive word in order, phrases split into their words."""
        return [w for t in self.terms if not t.is_excluded for w in t.words]

    @property
    def plain(self) -> tuple[Term, ...]:
        """Positive terms that are words, not phrases."""
        return tuple(t for t in self.terms if not t.is_excluded and not t.is_phrase)

    def can_fall_back(self) -> bool:
        """Whether an any-word query differs from this one: two plain words or
        more, and no ``or`` (phrases and exclusions always hold)."""
        return not self.has_or and len(self.plain) > 1

    def any_word_text(self) -> str:
        """websearch text matching any plain positive word: ``a or b``."""
        return " or ".join(t.websearch() for t in self.plain[:MAX_TERMS])

    def required_text(self) -> str:
        """websearch text of what the fallback keeps: phrases and exclusions.

        websearch's ``or`` binds looser than the implicit AND, so the
        fallback is this and :meth:`any_word_text` as two tsqueries joined
        with ``&&``.
        """
        kept = [t for t in self.terms if t.is_phrase or t.is_excluded]
        return " ".join(t.websearch() for t in kept[:MAX_TERMS])

    def excluded_text(self) -> str:
        """websearch text of the exclusions alone: ``-a -"b c"``."""
        excluded = [t for t in self.terms if t.is_excluded][:MAX_TERMS]
        return " ".join(t.websearch() for t in excluded)

    def positive_text(self) -> str:
        """websearch text of the positive terms alone (``or`` kept)."""
        return self._render(lambda term: not term.is_excluded)

    def phrase_text(self) -> str:
        """The positive words as one phrase, or "" when there are fewer than two."""
        words = self.words[:MAX_TERMS]
        return " ".join(words) if len(words) > 1 else ""


def _term(raw: str, *, quoted: bool, excluded: bool) -> Term | None:
    # Pieces with no word are punctuation PostgreSQL drops anyway.
    pieces = _LOOSE_HYPHEN.sub(" ", raw.replace('"', " ")).split()
    text = " ".join(piece for piece in pieces if WORD_PATTERN.search(piece))
    words = tuple(WORD_PATTERN.findall(text))
    if not words:
        return None
    return Term(text, words, is_phrase=quoted or " " in text, is_excluded=excluded)


def parse_query(text: str) -> ParsedQuery:
    """Split web-search text into terms the way ``websearch_to_tsquery`` reads it.

    ``"..."`` is a phrase, a leading ``-`` excludes, ``or`` between two terms
    is an operator; other punctuation separates words. Any text parses.
    """
    terms: list[Term] = []
    # Between each pair of neighbouring terms: were they joined by "or"?
    joins: list[bool] = []
    pending_or = False
    for match in _TOKEN.finditer(clean_query(text)):
        hyphens, phrase, bare = match.groups()
        if phrase is not None:
            term = _term(phrase, quoted=True, excluded=bool(hyphens))
        elif bare.lower() == "or":
            pending_or = bool(terms)
            continue
        else:
            term = _term(bare.lstrip("-"), quoted=False, excluded=bare[0] == "-")
        if term is None:
            continue
        if terms:
            joins.append(pending_or)
        pending_or = False
        terms.append(term)
    return ParsedQuery(tuple(terms), tuple(joins))


def web_query(text: str) -> SearchQuery:
    """A ``websearch_to_tsquery`` on the pantry configuration, valid for any text."""
    return SearchQuery(
        parse_query(text).text, config=SEARCH_CONFIG, search_type="websearch"
    )


def prefix_query(text: str, *, weights: str = "") -> str:
    """``to_tsquery`` text matching documents with every word, the last as a prefix.

    ``"aurora lapt"`` gives ``aurora:A & lapt:*A`` with ``weights="A"``. Only
    word characters pass, so the result is always valid tsquery syntax; ""
    when there is no word.
    """
    words = WORD_PATTERN.findall(clean_query(text))[:MAX_TERMS]
    if not words:
        return ""
    parts = [f"{word}:{weights}" if weights else word for word in words[:-1]]
    parts.append(f"{words[-1]}:*{weights}")
    return " & ".join(parts)


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
