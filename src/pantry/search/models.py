"""The search lexicon: the words of names, tags and posts, with document counts.

Typo suggestions look words up here by trigram similarity. Triggers on the
product and post tables keep the counts current (search migration 0002), so
no code path can forget to.
"""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import F


class LexiconWord(models.Model):
    """A lower-cased, unaccented word and how many products and posts contain it.

    Counted over the names and tags of active products and the titles, tags
    and bodies of published posts (scheduled ones
    included: a trigger cannot know when a time passes).
    """

    word = models.TextField(primary_key=True)
    product_count = models.IntegerField(default=0)
    post_count = models.IntegerField(default=0)

    class Meta:
        db_table = "search_lexicon"
        indexes = [
            GinIndex(
                OpClass(F("word"), name="gin_trgm_ops"), name="search_lexicon_trgm"
            ),
        ]

    def __str__(self) -> str:
        return self.word

    @property
    def document_count(self) -> int:
        return self.product_count + self.post_count


class Synonym(models.Model):
    """Staff's synonym: a query word ``term`` also finds ``synonym``; with
    ``is_two_way`` the other way round too (``sofa = couch``), otherwise one
    way only (``tee -> t-shirt``: "t-shirt" does not find "tee").

    Both sides are stored as search reads them (lower case, one word or
    phrase, no operators); search looks them up on every query, so a change
    applies at once.
    """

    term = models.TextField()
    synonym = models.TextField()
    is_two_way = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "search_synonym"
        constraints = [
            models.UniqueConstraint(
                fields=["term", "synonym"], name="search_synonym_term_synonym_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(term=F("synonym")),
                name="search_synonym_not_itself",
            ),
            models.CheckConstraint(
                condition=models.Q(term__regex=r"\S") & models.Q(synonym__regex=r"\S"),
                name="search_synonym_not_blank",
            ),
        ]
        indexes = [models.Index(fields=["synonym"], name="search_synonym_synonym")]

    def __str__(self) -> str:
        arrow = "=" if self.is_two_way else "→"
        return f"{self.term} {arrow} {self.synonym}"
