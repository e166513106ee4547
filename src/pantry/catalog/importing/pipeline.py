"""Import products from JSON Lines or CSV: stage with COPY, check, upsert.

How and why: docs/catalog-import.md.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction

from pantry.catalog.importing.checks import check_product
from pantry.catalog.importing.formats import csv_products, jsonl_products
from pantry.catalog.importing.images import ImageLoad
from pantry.catalog.importing.load import (
    Chunk,
    InsertHook,
    Load,
    ProductLine,
    Rejected,
    bulk_load,
)
from pantry.catalog.importing.report import ImportResult, LineError
from pantry.catalog.importing.staging import (
    FRESH_TABLES,
    STAGING_SQL,
    STAGING_TABLES,
    product_rows,
)
from pantry.events.audit import acting_as
from pantry.events.outbox import emit

# Above this share of new rows, indexes are rebuilt rather than maintained.
REBUILD_RATIO = 1.0


_DONE = object()
CHUNK_LINES = 20_000
TEMP_BUFFERS = "256MB"


def _chunks(
    parsed: Iterable[tuple[int, Any]],
    raw: IO[bytes],
    result: ImportResult,
    progress: Callable[[int], None] | None,
    chunk_lines: int,
    gate: threading.Event,
    images: ImageLoad,
) -> Iterator[Chunk]:
    """Checked products as COPY rows, CHUNK_LINES products at a time.

    Waits at ``gate`` every few hundred lines: while the loading thread
    streams a COPY it needs the GIL all the time, and a parsing thread
    competing for it makes the COPY many times slower.
    """
    currency = settings.PANTRY_CURRENCY
    # A small first chunk sets the database to work sooner.
    limit = max(1, chunk_lines // 10)
    products: list[str] = []
    variants: list[str] = []
    seen: list[ProductLine] = []
    first = line = 0
    for line, doc in parsed:
        if line % 256 == 0:
            gate.wait()
            if progress and line % 1024 == 0:
                progress(raw.tell())
        if isinstance(doc, LineError):
            result.add_error(line, str(doc))
            continue
        try:
            product = check_product(doc, currency)
        except LineError as exc:
            result.add_error(line, str(exc))
            continue
        images.want(line, product)
        product_row, variant_rows = product_rows(line, product)
        if not products:
            first = line
        products.append(product_row)
        variants.extend(variant_rows)
        seen.append((line, product["name"], product["tags"], product["is_active"]))
        if len(products) >= limit:
            yield Chunk.of(products, variants, range(first, line + 1), raw.tell(), seen)
            products, variants, seen = [], [], []
            limit = chunk_lines
    if products:
        yield Chunk.of(products, variants, range(first, line + 1), raw.tell(), seen)


def _produce(
    source: Iterator[Chunk], out: queue.Queue[Any], stop: threading.Event
) -> None:
    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                out.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    try:
        for chunk in source:
            if not put(chunk):
                return
        put(_DONE)
    except BaseException as exc:  # handed to the loading thread to raise
        put(exc)


def import_products(
    raw: IO[bytes],
    *,
    file_format: str,
    skip_invalid: bool = False,
    progress: Callable[[int], None] | None = None,
    rebuild_indexes: bool | None = None,
    chunk_lines: int = CHUNK_LINES,
    insert_hook: InsertHook | None = None,
    image_base: Path | None = None,
) -> ImportResult:
    """Import products from ``raw``; return counts and the invalid lines.

    Without ``skip_invalid`` nothing is written when any line is invalid.
    ``rebuild_indexes`` drops secondary indexes for the load and builds them
    afterwards; by default that happens when the file holds more products
    than the catalog. Into an empty catalog, that load inserts instead of
    upserting (see FRESH_SQL), and ``insert_hook`` is told of the products
    inserted. Image paths are read relative to ``image_base`` (see
    importing.images). Raises ImportFileError when the file as a whole cannot be read.

    A reader thread parses and checks the next chunk of the file while
    PostgreSQL checks and upserts the current one (the database work
    releases the GIL), all in one transaction.
    """
    result = ImportResult()
    size = raw.seek(0, 2)
    raw.seek(0)
    parsed: Iterable[tuple[int, Any]] = (
        jsonl_products(raw, result)
        if file_format == "jsonl"
        else csv_products(raw, result)
    )
    chunks: queue.Queue[Any] = queue.Queue(maxsize=1)
    stop = threading.Event()
    gate = threading.Event()
    gate.set()
    images = ImageLoad(result, image_base)
    reader = threading.Thread(
        target=_produce,
        args=(
            _chunks(parsed, raw, result, progress, chunk_lines, gate, images),
            chunks,
            stop,
        ),
        daemon=True,
    )
    with acting_as("import"), transaction.atomic(), connection.cursor() as cursor:
        _more_temp_buffers(cursor)
        cursor.execute(STAGING_SQL)
        # Django's foreign keys are deferred; immediate checks keep no queue
        # of a million pending events and allow dropping constraints.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT count(*), EXISTS (SELECT FROM catalog_variant) FROM catalog_product"
        )
        existing, had_variants = cursor.fetchone()
        load = Load(cursor, result, skip_invalid, gate, had_variants=had_variants)
        reader.start()
        try:
            with ExitStack() as stack:
                first = True
                while (chunk := chunks.get()) is not _DONE:
                    if isinstance(chunk, BaseException):
                        raise chunk
                    if first:
                        first = False
                        if rebuild_indexes is None:
                            # Loading into an (almost) empty catalog: build
                            # indexes once afterwards instead of inserting
                            # every row into every GIN and btree index.
                            estimate = size * chunk.count / max(chunk.end, 1)
                            rebuild_indexes = (
                                estimate > max(existing, 1000) * REBUILD_RATIO
                            )
                        if rebuild_indexes:
                            fresh = existing == 0
                            stack.enter_context(bulk_load(cursor, fresh))
                            if fresh:
                                load.insert_only(insert_hook)
                    load.chunk(chunk)
                if load.fresh:
                    load.finish_fresh()
                images.run()
                load.tally()
                if result.error_count and not skip_invalid:
                    # Leaving by an exception skips the index rebuild.
                    raise Rejected
        except Rejected:
            transaction.set_rollback(True)
            images.forget()
            return result
        except BaseException:
            images.forget()
            raise
        finally:
            stop.set()
            reader.join()
        result.loaded = True
        # One summary event, not one per product (docs/events.md).
        emit("catalog.imported", result.counts())
        # ON COMMIT DROP covers the usual case; an outer transaction (tests,
        # callers importing twice) needs them gone now.
        cursor.execute(f"DROP TABLE {STAGING_TABLES}")
        if load.fresh:
            cursor.execute(f"DROP TABLE {FRESH_TABLES}")
    return result


def _more_temp_buffers(cursor: Any) -> None:
    # The staging and seen tables of a large file outgrow the default 8 MB of
    # temporary buffers many times over; PostgreSQL allows the change only
    # before a session's first temporary table.
    try:
        with transaction.atomic():
            cursor.execute(f"SET LOCAL temp_buffers = '{TEMP_BUFFERS}'")
    except DatabaseError:
        pass
