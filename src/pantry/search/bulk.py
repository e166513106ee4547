"""Bulk loads of products with the lexicon counted on the side.

The lexicon's per-row insert trigger turns a bulk load of a million products
into a million small updates of ``search_lexicon``. A loader that inserts
into an empty catalog wraps the load in :func:`bulk_load` and hands the
products it inserted to the yielded :class:`ProductWords`: their words are
counted on a second connection, off the loading one's path, and added in
one statement at the end; the same words and counts the trigger would have
added, since both use ``search_words()``.
"""

from __future__ import annotations

import queue
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connection, connections

WORDS = """
SELECT word, count(*)::int
FROM unnest(%s::text[]) AS d(doc), LATERAL search_words(d.doc) AS word
GROUP BY word
"""
ADD_WORDS = """
INSERT INTO search_lexicon AS l (word, product_count, post_count)
SELECT word, n, 0 FROM unnest(%s::text[], %s::int[]) AS t(word, n) ORDER BY word
ON CONFLICT (word) DO UPDATE SET product_count = l.product_count + EXCLUDED.product_count
"""
TRIGGER_OFF = "ALTER TABLE catalog_product DISABLE TRIGGER search_lexicon_insert"
TRIGGER_ON = "ALTER TABLE catalog_product ENABLE TRIGGER search_lexicon_insert"


def product_text(name: str, tags: Sequence[str]) -> str:
    """A product's text as the lexicon's triggers read it."""
    return name + " " + " ".join(tags)


class ProductWords:
    """Counts the lexicon words of products a bulk load inserts.

    ``start()`` (in the loading transaction, before the inserts) switches
    the insert trigger off; ``add()`` counts the words of inserted products
    on a thread and connection of its own; ``finish()`` adds the counts and
    switches the trigger back on, in the loading transaction, so rows
    deleted afterwards are counted out by the triggers as usual.
    """

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.error: BaseException | None = None
        self.texts: queue.Queue[list[str] | None] = queue.Queue(maxsize=2)
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(TRIGGER_OFF)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def add(self, products: Iterable[tuple[str, Sequence[str], bool]]) -> None:
        """Count ``(name, tags, is_active)`` of inserted products."""
        texts = [product_text(name, tags) for name, tags, active in products if active]
        if texts and self.thread is not None:
            self.texts.put(texts)

    def finish(self) -> None:
        """Add every count to the lexicon and switch the trigger back on."""
        if self.thread is None:
            return
        self._join()
        if self.error is not None:
            raise self.error
        with connection.cursor() as cursor:
            cursor.execute(ADD_WORDS, [list(self.counts), list(self.counts.values())])
            cursor.execute(TRIGGER_ON)

    def close(self) -> None:
        """End the thread and its connection (counts unused unless finished)."""
        if self.thread is not None:
            self._join()

    def _join(self) -> None:
        assert self.thread is not None
        self.texts.put(None)
        self.thread.join()
        self.thread = None

    def _run(self) -> None:
        helper = connections.create_connection(DEFAULT_DB_ALIAS)
        try:
            while (texts := self.texts.get()) is not None:
                if self.error is not None:
                    continue  # keep taking texts, so that add() never blocks
                try:
                    with helper.cursor() as cursor:
                        cursor.execute(WORDS, [texts])
                        self.counts.update(dict(cursor.fetchall()))
                except BaseException as exc:  # raised by finish()
                    self.error = exc
        finally:
            helper.close()


@contextmanager
def bulk_load() -> Iterator[ProductWords]:
    """What a bulk product load hands its inserted products to; always
    ends the counting thread, whether the load finished or failed."""
    words = ProductWords()
    try:
        yield words
    finally:
        words.close()
