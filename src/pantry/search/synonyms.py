"""Staff's synonyms: writes, and the lookup search makes on every query.

A query word (a plain term such as ``tee`` or ``wi-fi``) with synonyms is
matched as "the word or any of its synonyms"; phrases, exclusions and
texts with ``or`` are taken as written.
"""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction

from pantry.core.textsearch import ParsedQuery, parse_query
from pantry.search.errors import InvalidSynonym, SynonymExists, UnknownSynonym
from pantry.search.models import Synonym

# Synonyms read per query word: a term with more is rare and a longer OR
# only dilutes it.
MAX_PER_TERM = 8


def normalise(text: str, *, field: str) -> str:
    """``text`` as a synonym side: one word or phrase, lower-cased, no operators."""
    parsed = parse_query(text)
    if len(parsed.terms) != 1 or parsed.has_or or parsed.terms[0].is_excluded:
        raise InvalidSynonym(
            f"{field} must be one word or phrase, without operators.",
            fields={field: "one word or phrase"},
        )
    return parsed.terms[0].text.lower()


@transaction.atomic
def add_synonym(*, term: str, synonym: str, is_two_way: bool = False) -> Synonym:
    """Store ``term -> synonym`` (both ways with ``is_two_way``).

    Raises InvalidSynonym for text that is not one word or phrase or is the
    same on both sides, SynonymExists when the pair (either way round, for a
    two-way pair) is stored already.
    """
    term, synonym = normalise(term, field="term"), normalise(synonym, field="synonym")
    if term == synonym:
        raise InvalidSynonym(
            "A word is not its own synonym.", fields={"synonym": "same as term"}
        )
    pairs = Synonym.objects.filter(term=term, synonym=synonym) | Synonym.objects.filter(
        term=synonym, synonym=term, is_two_way=True
    )
    if is_two_way:
        pairs |= Synonym.objects.filter(term=synonym, synonym=term)
    if pairs.exists():
        raise SynonymExists()
    try:
        with transaction.atomic():
            return Synonym.objects.create(
                term=term, synonym=synonym, is_two_way=is_two_way
            )
    except IntegrityError:
        # A concurrent request stored the same pair first.
        raise SynonymExists() from None


def delete_synonym(*, synonym_id: int) -> None:
    """Delete one synonym; raises UnknownSynonym when there is none."""
    deleted, _ = Synonym.objects.filter(pk=synonym_id).delete()
    if not deleted:
        raise UnknownSynonym()


# Sides are compared as the stemmed query they make, so "couches" finds
# the synonyms of "couch". The table is staff's short list: no index needed.
_LOOKUP_SQL = """
    SELECT w.word, array_agg(DISTINCT s.other ORDER BY s.other)
    FROM unnest(%(words)s::text[]) AS w(word)
    JOIN (
        SELECT term AS side, synonym AS other FROM search_synonym
        UNION
        SELECT synonym, term FROM search_synonym WHERE is_two_way
    ) AS s ON plainto_tsquery('pantry', s.side) = plainto_tsquery('pantry', w.word)
    WHERE numnode(plainto_tsquery('pantry', w.word)) > 0
    GROUP BY w.word
"""


def synonyms_for(parsed: ParsedQuery) -> dict[str, tuple[str, ...]]:
    """The synonyms of each plain word of ``parsed`` (lower-cased), or {}.

    One query, none when the text has no plain word or uses ``or``.
    """
    words = sorted({term.text.lower() for term in parsed.plain})
    if not words or parsed.has_or:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(_LOOKUP_SQL, {"words": words})
        return {
            word: tuple(others[:MAX_PER_TERM]) for word, others in cursor.fetchall()
        }
