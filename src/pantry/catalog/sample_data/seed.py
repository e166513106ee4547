"""Generate a deterministic synthetic catalog of N products with COPY.

How and why: docs/catalog-seed.md.
"""

from __future__ import annotations

import argparse
import bisect
import json
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO

from django.conf import settings
from django.db import connection, transaction

from pantry.catalog import bulk
from pantry.catalog.sample_data.vocabulary import (
    ADJECTIVES,
    BRANDS,
    COLOURS,
    MATERIALS,
    RESOLUTIONS,
    SENTENCES,
    SIZES,
    CategoryRow,
    category_tree,
    slugify,
    tag_vocabulary,
    title,
)
from pantry.core.progress import Progress

# Rows are stamped relative to a fixed moment so that the data is the same
# whenever it is generated; promotions run until 2030 so that some are active.
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
CREATED_SPAN = timedelta(days=730)


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


class SeedError(Exception):
    """The seed cannot run; the message is for the user."""


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


def zipf_weights(count: int, exponent: float = 1.07) -> list[float]:
    total = 0.0
    cumulative = []
    for rank in range(1, count + 1):
        total += 1 / rank**exponent
        cumulative.append(total)
    return cumulative


class Generator:
    """Builds product, variant and promotion rows as COPY text lines."""

    def __init__(self, seed: int, categories: list[CategoryRow], products: int):
        self.rng = random.Random(seed)
        # Products are created over CREATED_SPAN in id order, as in a shop
        # that adds them over time: newest first is also last stored first.
        self.created_step = CREATED_SPAN / max(products, 1)
        # Products go into the leaves (categories with no children).
        parents = {c.parent_id for c in categories}
        self.leaves = [c for c in categories if c.id not in parents]
        self.tags = tag_vocabulary()
        self.tag_cum = zipf_weights(len(self.tags))
        self.currency = settings.PANTRY_CURRENCY
        self.variant_id = 0
        self.promotion_id = 0

    def pick_tags(self, rng: random.Random, count: int) -> list[str]:
        total = self.tag_cum[-1]
        chosen: dict[str, None] = {}
        for _ in range(count):
            index = bisect.bisect_left(self.tag_cum, rng.random() * total)
            chosen.setdefault(self.tags[min(index, len(self.tags) - 1)], None)
        return list(chosen)

    def specs(self, rng: random.Random, department: str) -> dict[str, Any]:
        weight = round(rng.uniform(0.1, 25), 2)
        if department == "Electronics":
            return {
                "screen": {
                    "size_in": rng.choice((6.1, 10.9, 13.3, 14.0, 15.6, 17.3, 27.0)),
                    "resolution": rng.choice(RESOLUTIONS),
                },
                "weight_kg": weight,
                "battery": {
                    "hours": rng.randint(4, 30),
                    "replaceable": rng.random() < 0.3,
                },
            }
        if department == "Kitchen":
            return {
                "capacity_l": round(rng.uniform(0.2, 8), 1),
                "power_w": rng.choice((0, 800, 1200, 1500, 2000, 2200)),
                "dimensions": {
                    "height_cm": rng.randint(5, 60),
                    "width_cm": rng.randint(5, 60),
                    "depth_cm": rng.randint(5, 60),
                },
                "dishwasher_safe": rng.random() < 0.6,
            }
        if department == "Clothing":
            return {
                "fit": rng.choice(("slim", "regular", "relaxed", "oversized")),
                "care": {
                    "wash_c": rng.choice((30, 40, 60)),
                    "tumble_dry": rng.random() < 0.5,
                },
                "weight_kg": round(weight / 20, 2),
            }
        if department == "Books":
            return {
                "pages": rng.randint(24, 900),
                "format": rng.choice(("hardcover", "paperback", "spiral")),
                "language": rng.choice(("en", "de", "fr", "es", "nl")),
                "published": {"year": rng.randint(1950, 2025)},
            }
        return {
            "weight_kg": weight,
            "dimensions": {
                "height_cm": rng.randint(10, 250),
                "width_cm": rng.randint(10, 250),
            },
            "season": rng.choice(("all", "summer", "winter")),
        }

    def options(
        self, rng: random.Random, department: str, index: int
    ) -> dict[str, str]:
        if department == "Clothing":
            return {"size": SIZES[index % len(SIZES)], "colour": rng.choice(COLOURS)}
        if department == "Electronics":
            return {"storage": ("64GB", "128GB", "256GB", "512GB")[index % 4]}
        if department == "Books":
            return {
                "edition": ("first", "second", "anniversary", "collector")[index % 4]
            }
        return {
            "colour": COLOURS[(index * 5) % len(COLOURS)],
            "finish": rng.choice(("matte", "gloss", "natural")),
        }

    def product(self, product_id: int) -> tuple[str, list[str], list[str]]:
        """One product line and its variant and promotion lines (COPY text)."""
        rng = self.rng
        leaf = self.leaves[rng.randrange(len(self.leaves))]
        brand = rng.choice(BRANDS)
        adjective = rng.choice(ADJECTIVES)
        noun = rng.choice(leaf.nouns)
        model = f"{rng.choice('ABCDEFGHKLMNPRSTVXZ')}{rng.randint(1, 999)}"
        name = f"{brand} {title(adjective)} {title(noun)} {model}"
        slug = f"{slugify(name)}-{product_id}"
        count = rng.choice((0, 1, 1, 2, 2, 3, 3, 4, 5, 6, 8))
        description = " ".join(rng.choices(SENTENCES, k=count))
        if count:
            description = f"The {brand} {noun.replace('-', ' ')} in {adjective} style. {description}"
        tags = self.pick_tags(rng, rng.randint(1, 6))
        for tag in (noun, slugify(leaf.department)):
            if tag not in tags and rng.random() < 0.5:
                tags.append(tag)
        specs = json.dumps(self.specs(rng, leaf.department), ensure_ascii=False)
        colour = rng.choice(COLOURS)
        material = rng.choice(MATERIALS)
        attributes = (
            f'"brand"=>"{brand}", "colour"=>"{colour}", "material"=>"{material}"'
        )
        is_active = "f" if rng.random() < 0.03 else "t"
        created = EPOCH + self.created_step * (product_id - 1 + rng.random())
        updated = created + timedelta(seconds=rng.randrange(86_400 * 30))
        product_line = "\t".join(
            (
                str(product_id),
                slug,
                name,
                description,
                str(leaf.id),
                "{" + ",".join(tags) + "}",
                specs,
                attributes,
                is_active,
                created.isoformat(),
                updated.isoformat(),
            )
        )
        base = round(rng.lognormvariate(3.5, 1.0), 2) + 1
        code = f"{brand[:3].upper()}{product_id}"
        variants = []
        for index in range(rng.choices((1, 2, 3, 4), cum_weights=(20, 50, 80, 100))[0]):
            self.variant_id += 1
            price = f"{base * (1 + index * 0.15):.2f}"
            stock = 0 if rng.random() < 0.2 else rng.randint(1, 500)
            options = json.dumps(self.options(rng, leaf.department, index))
            variants.append(
                f"{self.variant_id}\t{code}-{index + 1}\t{product_id}\t{options}\t"
                f"{price}\t{self.currency}\t{stock}"
            )
        promotions = []
        if rng.random() < 0.08:
            # Back-to-back half-open ranges never overlap.
            start = EPOCH + timedelta(days=rng.randrange(700))
            for _ in range(rng.randint(1, 3)):
                end = start + timedelta(days=rng.randint(7, 400))
                self.promotion_id += 1
                percent = rng.choice((5, 10, 15, 20, 25, 30, 40, 50))
                promotions.append(
                    f"{self.promotion_id}\t{product_id}\t{percent}\t"
                    f"[{start.isoformat()},{end.isoformat()})\t{start.isoformat()}"
                )
                start = end + timedelta(days=rng.randint(0, 60))
        return product_line, variants, promotions


# -- loading -----------------------------------------------------------------

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
    cursor: Any, generator: Generator, count: int, progress: Progress | None = None
) -> None:
    """Stream ``count`` products in one COPY; then their variants, promotions.

    While PostgreSQL parses one chunk of products (and computes their search
    vectors) Python builds the next; variants and promotions wait in
    temporary files, since a connection runs one COPY at a time.
    """
    variants, promotions = Spool(), Spool()
    with cursor.copy(f"COPY catalog_product ({PRODUCT_COLUMNS}) FROM STDIN") as copy:
        parts: list[str] = []
        size = 0
        for product_id in range(1, count + 1):
            product, product_variants, product_promotions = generator.product(
                product_id
            )
            parts.append(product)
            size += len(product)
            variants.add(product_variants)
            if product_promotions:
                promotions.add(product_promotions)
            if size > CHUNK:
                copy.write("\n".join(parts) + "\n")
                if progress is not None:
                    progress.advance(len(parts))
                parts, size = [], 0
        if parts:
            copy.write("\n".join(parts) + "\n")
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
        # The product summary triggers would recompute summaries per COPY
        # against unindexed variants; one aggregate at the end does it once.
        with (
            bulk.indexes_dropped(cursor, LOADED_TABLES),
            bulk.summaries_deferred(cursor),
        ):
            load_products(cursor, generator, products, progress)
            loaded = time.monotonic()
            if progress is not None:
                progress.phase("indexes and summaries")
        indexed = time.monotonic()
        for table in SEQUENCED_TABLES:
            bulk.reset_sequence(cursor, table)
    if progress is not None:
        progress.phase("analyze")
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"ANALYZE {table}")
    done = time.monotonic()
    return (
        f"seeded {len(categories)} categories, {products} products, "
        f"{generator.variant_id} variants and {generator.promotion_id} promotions "
        f"in {done - started:.1f} s (load {loaded - started:.1f} s, indexes and "
        f"summaries {indexed - loaded:.1f} s, analyze {done - indexed:.1f} s)\n"
    )
