"""Generate a deterministic synthetic catalog of N products with COPY.

How and why: docs/catalog-seed.md.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack
from typing import Any, TextIO

from django.db import connection, transaction

from pantry.catalog import bulk
from pantry.catalog.sample_data.generator import Generator, SeedError
from pantry.catalog.sample_data.seed_pictures import IMAGE_TABLES, seed_pictures
from pantry.catalog.sample_data.vocabulary import (
    category_tree,
)
from pantry.core.bulk import triggers_disabled
from pantry.core.progress import Progress
from pantry.events.audit import record_bulk


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--products", type=int, required=True, help="how many products (N)"
    )
    parser.add_argument(
        "--seed", type=int, default=1, help="random seed; same seed, same rows"
    )
    parser.add_argument(
        "--replace",
        action="store_true",
        help="empty the catalog tables (and rows that reference them) first",
    )


def run(*, stdout: TextIO, **options: Any) -> None:
    from django.core.management.base import CommandError

    products = options["products"]
    if products < 0:
        raise CommandError(f"--products must be 0 or more, not {products}")
    try:
        progress = Progress(stdout, label="products", total=products)
        try:
            summary = seed_catalog(
                products=products,
                seed=options["seed"],
                replace=options["replace"],
                progress=progress,
            )
        finally:
            progress.close()
    except SeedError as exc:
        raise CommandError(str(exc)) from None
    stdout.write(summary)


# -- generation --------------------------------------------------------------


PRODUCT_COLUMNS = (
    "id, slug, name, description, category_id, tags, specs, attributes, "
    "is_active, created_at, updated_at"
)
VARIANT_COLUMNS = "id, sku, product_id, options, price, currency, stock"
PROMOTION_COLUMNS = "id, product_id, percent_off, during, created_at"
TABLES = (
    "catalog_productsummary",
    "catalog_promotion",
    "catalog_variant",
    "catalog_product",
    "catalog_category",
)
SEQUENCED_TABLES = TABLES[1:]
LOADED_TABLES = ("catalog_product", "catalog_variant", "catalog_productsummary")
# Off while loading (catalog_variant's summary triggers are off in
# summaries_deferred); the audit gets one entry per table instead.
BULK_TRIGGERS = {
    "catalog_product": ("catalog_facets_insert", "events_audit_insert"),
    "catalog_variant": ("events_audit_insert",),
    "catalog_productsummary": ("catalog_facets_insert",),
    "catalog_promotion": ("events_audit_insert",),
}
CHUNK = 1 << 20


class Spool:
    """COPY text lines kept in a temporary file, to be copied in later."""

    def __init__(self) -> None:
        # Closed by copy_into(); a disk file keeps memory flat at any N.
        self.file = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
        self.parts: list[str] = []
        self.size = 0

    def add(self, lines: list[str]) -> None:
        for line in lines:
            self.parts.append(line)
            self.size += len(line)
        if self.size > CHUNK:
            self.file.write("\n".join(self.parts) + "\n")
            self.parts, self.size = [], 0

    def copy_into(self, cursor: Any, table: str, columns: str) -> None:
        if self.parts:
            self.file.write("\n".join(self.parts) + "\n")
        self.file.seek(0)
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            while chunk := self.file.read(CHUNK):
                copy.write(chunk)
        self.file.close()


def copy_lines(cursor: Any, table: str, columns: str, lines: list[str]) -> None:
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        copy.write("".join(line + "\n" for line in lines))


def load_products(
    cursor: Any,
    generator: Generator,
    count: int,
    progress: Progress | None = None,
    hooks: Sequence[bulk.InsertHook] = (),
) -> None:
    """Stream ``count`` products in one COPY; then their variants, promotions.

    While PostgreSQL parses one chunk of products (and computes their search
    vectors) Python builds the next; variants and promotions wait in
    temporary files, since a connection runs one COPY at a time.
    """
    variants, promotions = Spool(), Spool()
    with cursor.copy(f"COPY catalog_product ({PRODUCT_COLUMNS}) FROM STDIN") as copy:
        parts: list[str] = []
        seen: list[tuple[str, list[str], bool]] = []
        size = 0
        for product_id in range(1, count + 1):
            product, product_variants, product_promotions, words = generator.product(
                product_id
            )
            parts.append(product)
            if hooks:
                seen.append(words)
            size += len(product)
            variants.add(product_variants)
            if product_promotions:
                promotions.add(product_promotions)
            if size > CHUNK:
                copy.write("\n".join(parts) + "\n")
                for hook in hooks:
                    hook.add(seen)
                if progress is not None:
                    progress.advance(len(parts))
                parts, seen, size = [], [], 0
        if parts:
            copy.write("\n".join(parts) + "\n")
            for hook in hooks:
                hook.add(seen)
            if progress is not None:
                progress.advance(len(parts))
    if progress is not None:
        progress.phase("variants and promotions")
    variants.copy_into(cursor, "catalog_variant", VARIANT_COLUMNS)
    promotions.copy_into(cursor, "catalog_promotion", PROMOTION_COLUMNS)


def seed_catalog(
    *, products: int, seed: int, replace: bool, progress: Progress | None = None
) -> str:
    """Fill the catalog with ``products`` synthetic products; return a summary.

    ``progress`` (a terminal's bar) advances as products are loaded.
    """
    started = time.monotonic()
    categories = category_tree()
    generator = Generator(seed, categories, products)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT FROM catalog_product) "
            "OR EXISTS (SELECT FROM catalog_category)"
        )
        if cursor.fetchone()[0] and not replace:
            raise SeedError(
                "the catalog is not empty; pass --replace to delete it and seed anew"
            )
        # Django's foreign keys are deferred; checked now, they leave no
        # pending trigger events that would forbid TRUNCATE and dropping
        # constraints.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute("SET LOCAL synchronous_commit = off")
        copy_lines(
            cursor,
            "catalog_category",
            "id, slug, name, parent_id, path",
            [
                "\t".join(
                    (
                        str(c.id),
                        c.slug,
                        c.name,
                        "\\N" if c.parent_id is None else str(c.parent_id),
                        c.path,
                    )
                )
                for c in categories
            ],
        )
        with ExitStack() as stack:
            # Statement-level triggers see each table's single COPY as one
            # transition table of every row: the lexicon is counted through
            # search's door, the facet counts rebuilt once, and the audit
            # log gets one summary entry per table (docs/catalog-seed.md).
            hooks = [stack.enter_context(factory()) for factory in bulk.INSERT_HOOKS]
            for hook in hooks:
                hook.start()
            for table, triggers in BULK_TRIGGERS.items():
                stack.enter_context(triggers_disabled(cursor, table, triggers))
            # The product summary triggers would recompute summaries per COPY
            # against unindexed variants; one aggregate at the end does it once.
            with (
                bulk.indexes_dropped(cursor, LOADED_TABLES),
                bulk.summaries_deferred(cursor),
            ):
                load_products(cursor, generator, products, progress, hooks)
                loaded = time.monotonic()
                if progress is not None:
                    progress.phase("indexes and summaries")
            for hook in hooks:
                hook.finish()
            if progress is not None:
                progress.phase("pictures")
            pictures = seed_pictures(cursor, categories)
        indexed = time.monotonic()
        cursor.execute("SELECT catalog_facets_rebuild()")
        for table, rows in (
            ("catalog_product", products),
            ("catalog_variant", generator.variant_id),
            ("catalog_promotion", generator.promotion_id),
        ):
            record_bulk(
                cursor, table, "insert", {"seed": seed, "rows": rows, "ids": [1, rows]}
            )
        for table in SEQUENCED_TABLES:
            bulk.reset_sequence(cursor, table)
    if progress is not None:
        progress.phase("analyze")
    with connection.cursor() as cursor:
        for table in (*TABLES, *IMAGE_TABLES):
            cursor.execute(f"ANALYZE {table}")
    done = time.monotonic()
    return (
        f"seeded {len(categories)} categories, {products} products, "
        f"{generator.variant_id} variants, {generator.promotion_id} promotions "
        f"and {pictures} pictures in {done - started:.1f} s (load {loaded - started:.1f} s, indexes, "
        f"summaries, lexicon and pictures {indexed - loaded:.1f} s, facets, audit and "
        f"analyze {done - indexed:.1f} s)\n"
    )
