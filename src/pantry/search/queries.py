"""What search offers the API, pages and other apps.

Ranked, paged search is :mod:`pantry.search.ranking`, spelling suggestions
:mod:`pantry.search.spelling`, search-as-you-type
:mod:`pantry.search.completion`; their docstrings tell the whole story.
"""

from __future__ import annotations

from pantry.search.completion import SuggestItem, suggest, suggest_statement
from pantry.search.ranking import (
    BOUND,
    MAX_LIMIT,
    TYPES,
    Hit,
    SearchResult,
    search,
    search_statement,
)
from pantry.search.spelling import spelling_statement, suggest_spelling

__all__ = [
    "BOUND",
    "MAX_LIMIT",
    "TYPES",
    "Hit",
    "SearchResult",
    "SuggestItem",
    "search",
    "search_statement",
    "spelling_statement",
    "suggest",
    "suggest_spelling",
    "suggest_statement",
]
