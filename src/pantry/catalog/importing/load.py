"""Writing an import: one chunk at a time, in one transaction."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from pantry.catalog import bulk
from pantry.catalog.importing.report import REPORT_LIMIT, ImportResult
from pantry.catalog.importing.staging import (
    COPY_PRODUCTS,
    COPY_VARIANTS,
    FRESH_CHECKS,
    FRESH_COUNTS,
    FRESH_IDS,
    FRESH_PRODUCTS,
    FRESH_REPEATS,
    FRESH_SQL,
    FRESH_SUMMARIES,
    FRESH_UNDO,
    FRESH_VARIANTS,
    OWNER_CHECK,
    SQL_CHECKS,
    UPSERT_PRODUCTS,
    UPSERT_VARIANTS,
)
from pantry.core.bulk import triggers_disabled
from pantry.events.audit import AUDIT_TRIGGERS, record_bulk

ProductLine = tuple[int, str, list[str], bool]


@dataclass
class Chunk:
    products: bytes
    variants: bytes
    count: int
    first_line: int
    last_line: int
    end: int
    # (line, name, tags, is_active) of the products, for an InsertHook.
    products_seen: list[ProductLine]

    @classmethod
    def of(
        cls,
        products: list[str],
        variants: list[str],
        lines: range,
        end: int,
        products_seen: list[ProductLine],
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
            products_seen,
        )


def _copy_data(rows: list[str]) -> bytes:
    return ("\n".join(rows) + "\n").encode() if rows else b""


def _copy_rows(cursor: Any, sql: str, data: bytes) -> None:
    if data:
        with cursor.copy(sql) as copy:
            copy.write(data)


# Audited one entry per table on a fresh load; the repeats it takes out
# again are part of that load.
FRESH_AUDITED = ("catalog_product", "catalog_variant")


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
    with ExitStack() as stack:
        if fresh:
            # Counted once at the very end (after the indexes are back and the
            # file's repeats are out) rather than per chunk: per chunk they
            # were a fifth of a fresh load's database time.
            stack.enter_context(bulk.facets_recounted(cursor))
        stack.enter_context(bulk.indexes_dropped(cursor, tables, keep_unique=not fresh))
        stack.enter_context(bulk.summaries_deferred(cursor, recompute=not fresh))
        if fresh:
            # Into an empty catalog nothing has a before: the audit gets one
            # entry per table (Load.finish_fresh), as the seed's, instead of
            # a row per product and variant.
            for table in FRESH_AUDITED:
                stack.enter_context(triggers_disabled(cursor, table, AUDIT_TRIGGERS))
        yield


class InsertHook(Protocol):
    """Told of the products a fresh load inserts (search's lexicon is one:
    ``pantry.search.bulk.ProductWords``); the import command passes it."""

    def start(self) -> None:
        """Called in the loading transaction before the first insert."""

    def add(self, products: Iterable[tuple[str, Sequence[str], bool]]) -> None:
        """``(name, tags, is_active)`` of products inserted."""

    def finish(self) -> None:
        """Called in the loading transaction once all rows are in, before
        the file's repeats are taken out again."""


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
        self.hook: InsertHook | None = None

    def insert_only(self, hook: InsertHook | None) -> None:
        """Load into an empty catalog with its unique indexes dropped."""
        self.fresh = True
        self.cursor.execute(FRESH_SQL)
        self.checks = FRESH_CHECKS
        if hook is not None:
            hook.start()
            self.hook = hook
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
        if self.hook is not None and chunk.products_seen:
            # Lines found invalid were not inserted. (Without --skip-invalid,
            # once any line is invalid all is rolled back: counts are moot.)
            cursor.execute(
                "SELECT line FROM import_invalid WHERE line BETWEEN %s AND %s",
                [chunk.first_line, chunk.last_line],
            )
            invalid = {line for (line,) in cursor.fetchall()}
            self.hook.add(
                (name, tags, active)
                for line, name, tags, active in chunk.products_seen
                if line not in invalid
            )

    def finish_fresh(self) -> None:
        """Report repeated slugs and SKUs (unloading them under --skip-invalid)."""
        cursor, result = self.cursor, self.result
        if self.hook is not None:
            # Products taken out below are counted out by the hook's owner.
            self.hook.finish()
            self.hook = None
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
        for table, rows in zip(
            FRESH_AUDITED,
            (result.products_created, result.variants_created),
            strict=True,
        ):
            record_bulk(cursor, table, "insert", {"import": "fresh", "rows": rows})

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
