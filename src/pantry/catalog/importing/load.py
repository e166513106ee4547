"""Writing an import: one chunk at a time, in one transaction."""

from __future__ import annotations

import queue
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

from pantry.catalog import bulk
from pantry.catalog.importing.report import REPORT_LIMIT, ImportResult
from pantry.catalog.importing.staging import (
    COPY_PRODUCTS,
    COPY_VARIANTS,
    FRESH_ADD_WORDS,
    FRESH_CHECKS,
    FRESH_COUNTS,
    FRESH_IDS,
    FRESH_PRODUCTS,
    FRESH_REPEATS,
    FRESH_SQL,
    FRESH_SUMMARIES,
    FRESH_UNDO,
    FRESH_VARIANTS,
    FRESH_WORDS,
    OWNER_CHECK,
    SQL_CHECKS,
    UPSERT_PRODUCTS,
    UPSERT_VARIANTS,
)


@dataclass
class Chunk:
    products: bytes
    variants: bytes
    count: int
    first_line: int
    last_line: int
    end: int
    # (line, text) of the active products: what the lexicon counts.
    words: list[tuple[int, str]]

    @classmethod
    def of(
        cls,
        products: list[str],
        variants: list[str],
        lines: range,
        end: int,
        words: list[tuple[int, str]],
    ) -> Chunk:
        # Encoded here, in the reader thread, so that the loading thread
        # hands PostgreSQL one buffer per table and hardly needs the GIL.
        return cls(
            _copy_data(products),
            _copy_data(variants),
            len(products),
            lines.start,
            lines.stop - 1,
            end,
            words,
        )


def _copy_data(rows: list[str]) -> bytes:
    return ("\n".join(rows) + "\n").encode() if rows else b""


def _copy_rows(cursor: Any, sql: str, data: bytes) -> None:
    if data:
        with cursor.copy(sql) as copy:
            copy.write(data)


class Rejected(Exception):
    """Invalid lines and no --skip-invalid: roll everything back."""


@contextmanager
def bulk_load(cursor: Any, fresh: bool) -> Iterator[None]:
    # Memory for the sorts of the index builds and the whole-file
    # aggregates at the end.
    cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
    cursor.execute("SET LOCAL work_mem = '256MB'")
    tables = ["catalog_product", "catalog_variant", "catalog_productsummary"]
    # Fresh loads need no unique index: nothing stored can conflict, and
    # repeats in the file are found before the unique indexes come back.
    # A fresh load writes each chunk's summaries itself (FRESH_SUMMARIES).
    with (
        bulk.indexes_dropped(cursor, tables, keep_unique=not fresh),
        bulk.summaries_deferred(cursor, recompute=not fresh),
    ):
        yield


class _WordCounter:
    """Counts lexicon words of texts on a connection and thread of its own."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.error: BaseException | None = None
        self.texts: queue.Queue[list[str] | None] = queue.Queue(maxsize=2)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def add(self, texts: list[str]) -> None:
        if texts:
            self.texts.put(texts)

    def total(self) -> Counter[str]:
        """Every count so far, once all added texts are counted."""
        self.texts.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error
        return self.counts

    def _run(self) -> None:
        helper = connections.create_connection(DEFAULT_DB_ALIAS)
        try:
            while (texts := self.texts.get()) is not None:
                if self.error is not None:
                    continue  # keep taking texts, so that add() never blocks
                try:
                    with helper.cursor() as cursor:
                        cursor.execute(FRESH_WORDS, [texts])
                        self.counts.update(dict(cursor.fetchall()))
                except BaseException as exc:  # raised by total()
                    self.error = exc
        finally:
            helper.close()

    def stop(self) -> None:
        """End the thread and its connection, counts unused."""
        self.texts.put(None)
        self.thread.join()


class Load:
    """Stage, check and write chunk after chunk; one import's state."""

    def __init__(
        self,
        cursor: Any,
        result: ImportResult,
        skip_invalid: bool,
        gate: threading.Event,
        *,
        had_variants: bool,
    ) -> None:
        self.cursor = cursor
        self.result = result
        self.skip_invalid = skip_invalid
        self.gate = gate
        self.checks: tuple[str, ...] = (
            SQL_CHECKS + OWNER_CHECK if had_variants else SQL_CHECKS
        )
        self.fresh = False
        self.last_id = 0
        self.words: _WordCounter | None = None

    def insert_only(self) -> None:
        """Load into an empty catalog with its unique indexes dropped."""
        self.fresh = True
        self.cursor.execute(FRESH_SQL)
        self.checks = FRESH_CHECKS
        self.cursor.execute(
            "ALTER TABLE catalog_product DISABLE TRIGGER search_lexicon_insert"
        )
        self.words = _WordCounter()
        self.cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('catalog_product', 'id')) - 1"
        )
        self.last_id = int(self.cursor.fetchone()[0])

    def chunk(self, chunk: Chunk) -> None:
        cursor = self.cursor
        cursor.execute("TRUNCATE import_product, import_variant")
        self.gate.clear()
        try:
            _copy_rows(cursor, COPY_PRODUCTS, chunk.products)
            _copy_rows(cursor, COPY_VARIANTS, chunk.variants)
        finally:
            self.gate.set()
        self.result.staged += chunk.count
        if self.fresh:
            self._insert(chunk)
            return
        # No ANALYZE: it would cost more per chunk than the checks; without
        # statistics the planner sizes the staging tables from their pages.
        for check in self.checks:
            cursor.execute(check)
        if not self.skip_invalid:
            if self.result.error_count:
                return
            cursor.execute("SELECT EXISTS (SELECT FROM import_invalid)")
            if cursor.fetchone()[0]:
                # All will be rolled back: only check the rest of the file.
                return
        self._upsert()

    def _upsert(self) -> None:
        cursor, result = self.cursor, self.result
        cursor.execute(UPSERT_PRODUCTS)
        created, updated = cursor.fetchone()
        result.products_created += created
        result.products_updated += updated
        cursor.execute(UPSERT_VARIANTS)
        created, updated = cursor.fetchone()
        result.variants_created += created
        result.variants_updated += updated

    def _insert(self, chunk: Chunk) -> None:
        # One round trip for the chunk: each statement's result would wait
        # for the GIL that the parsing thread holds.
        statements = list(self.checks)
        if self.skip_invalid or not self.result.error_count:
            ids = FRESH_IDS.format(
                offset=self.last_id - chunk.first_line + 1,
                skip_invalid="true" if self.skip_invalid else "false",
            )
            statements += [ids, FRESH_PRODUCTS, FRESH_VARIANTS, FRESH_SUMMARIES]
            self.last_id += chunk.last_line - chunk.first_line + 1
        cursor = self.cursor
        cursor.execute(";\n".join(s.strip().rstrip(";") for s in statements))
        if self.words is not None and chunk.words:
            # Lines found invalid were not inserted. (Without --skip-invalid,
            # once any line is invalid all is rolled back: counts are moot.)
            cursor.execute(
                "SELECT line FROM import_invalid WHERE line BETWEEN %s AND %s",
                [chunk.first_line, chunk.last_line],
            )
            invalid = {line for (line,) in cursor.fetchall()}
            self.words.add([text for line, text in chunk.words if line not in invalid])

    def close(self) -> None:
        if self.words is not None:
            self.words.stop()
            self.words = None

    def finish_fresh(self) -> None:
        """Report repeated slugs and SKUs (unloading them under --skip-invalid)."""
        cursor, result = self.cursor, self.result
        if self.words is not None:
            counts = self.words.total()
            self.words = None
            cursor.execute(FRESH_ADD_WORDS, [list(counts), list(counts.values())])
            # Products taken out below are counted out by the triggers.
            cursor.execute(
                "ALTER TABLE catalog_product ENABLE TRIGGER search_lexicon_insert"
            )
        cursor.execute("ANALYZE import_slug_line, import_sku_line")
        found = 0
        for sql in FRESH_REPEATS:
            cursor.execute(sql)
            found += cursor.rowcount
        if found and self.skip_invalid:
            for sql in FRESH_UNDO:
                cursor.execute(sql)
        # The catalog was empty: what it holds now is what was created.
        cursor.execute(FRESH_COUNTS)
        result.products_created, result.variants_created = cursor.fetchone()
        bulk.reset_sequence(cursor, "catalog_product")

    def tally(self) -> None:
        """Add the lines found invalid in SQL to the result."""
        cursor, result = self.cursor, self.result
        cursor.execute("SELECT count(DISTINCT line), count(*) FROM import_invalid")
        sql_invalid, sql_errors = cursor.fetchone()
        cursor.execute(
            "SELECT line, reason FROM import_invalid ORDER BY line, reason LIMIT %s",
            [REPORT_LIMIT],
        )
        reported = cursor.fetchall()
        for line, reason in reported:
            result.add_error(line, reason)
        result.error_count += sql_errors - len(reported)
        result.valid = result.staged - sql_invalid
