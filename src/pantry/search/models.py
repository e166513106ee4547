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
