"""Pictures for the seeded catalog: the demo's drawings, one per product.

A million products share a few dozen drawings (kind by colour), so each is
drawn and stored once and the image rows are written by two INSERT ...
SELECT statements, never a row at a time (docs/catalog-seed.md). The kind
follows the product's section (a spice jar for kitchen storage, a laptop
for computers, a parcel where pantry has no drawing), the colour its slug,
exactly as ``pictures.colour_of`` picks it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pantry.catalog import bulk
from pantry.catalog.images.renditions import original_path
from pantry.catalog.sample_data.pictures import (
    HEIGHT,
    PALETTE,
    WIDTH,
    kind_of,
    stored_pictures,
)
from pantry.catalog.sample_data.vocabulary import CategoryRow

# Seeded sections (the second part of a category path) and the drawing that
# shows what they sell; kind_of catches the rest (books) or gives a parcel.
SECTION_KINDS = {
    "electronics-computers": "laptops",
    "electronics-audio": "headphones",
    "electronics-gaming": "monitors",
    "kitchen-cookware": "pans",
    "kitchen-appliances": "espresso-machines",
    "kitchen-knives": "knives",
    "kitchen-storage": "spices",
    "kitchen-tableware": "pots",
    "outdoor-camping": "tents",
    "outdoor-cycling": "helmets",
    "outdoor-hiking": "sleeping-bags",
}
IMAGE_TABLES = ("catalog_productimage", "catalog_imagerendition")


def seeded_kind(path: str) -> str:
    for part in path.split("."):
        if part in SECTION_KINDS:
            return SECTION_KINDS[part]
    return kind_of(path)


_TEMP = """
CREATE TEMPORARY TABLE seed_category_kind (category_id bigint, kind text)
    ON COMMIT DROP;
CREATE TEMPORARY TABLE seed_picture (
    kind text, colour int, file text, format text, width int, height int,
    sha256 text) ON COMMIT DROP;
CREATE TEMPORARY TABLE seed_rendition (
    sha256 text, name text, format text, file text, width int, height int)
    ON COMMIT DROP;
"""

# The colour as colour_of picks it: the first byte of the slug's SHA-256.
_IMAGES = f"""
INSERT INTO catalog_productimage
    (product_id, position, alt, file, format, width, height, sha256, created_at)
SELECT p.id, 0, 'Drawing of ' || p.name, pic.file, pic.format, pic.width,
       pic.height, pic.sha256, now()
FROM catalog_product p
JOIN seed_category_kind k ON k.category_id = p.category_id
JOIN seed_picture pic ON pic.kind = k.kind
 AND pic.colour = get_byte(sha256(convert_to(p.slug, 'UTF8')), 0) % {len(PALETTE)}
"""  # noqa: S608  a constant

_RENDITIONS = """
INSERT INTO catalog_imagerendition (image_id, name, format, file, width, height)
SELECT i.id, r.name, r.format, r.file, r.width, r.height
FROM catalog_productimage i JOIN seed_rendition r USING (sha256)
"""


def seed_pictures(cursor: Any, categories: Sequence[CategoryRow]) -> int:
    """Give every seeded product its drawing; return how many images."""
    kinds = {row.id: seeded_kind(row.path) for row in categories}
    keys = [
        (kind, colour) for kind in sorted(set(kinds.values())) for colour in PALETTE
    ]
    drawn = stored_pictures(keys)
    cursor.execute(_TEMP)
    with cursor.copy("COPY seed_category_kind FROM STDIN") as copy:
        for category_id, kind in kinds.items():
            copy.write_row((category_id, kind))
    with cursor.copy("COPY seed_picture FROM STDIN") as copy:
        for (kind, colour), picture in drawn.items():
            clean = picture.clean
            path = original_path(clean.sha256, clean.extension)
            copy.write_row(
                (kind, PALETTE.index(colour), path, clean.format, WIDTH, HEIGHT,
                 clean.sha256)
            )  # fmt: skip
    with cursor.copy("COPY seed_rendition FROM STDIN") as copy:
        for picture in drawn.values():
            for item in picture.renditions:
                copy.write_row(
                    (picture.clean.sha256, item.name, item.format, item.path,
                     item.width, item.height)
                )  # fmt: skip
    with bulk.indexes_dropped(cursor, IMAGE_TABLES):
        cursor.execute(_IMAGES)
        images = int(cursor.rowcount)
        cursor.execute(_RENDITIONS)
    cursor.execute("DROP TABLE seed_category_kind, seed_picture, seed_rendition")
    return images
