"""Images of imported products: read each source, check it, attach it.

Runs after the products are loaded, in the import's transaction. A source
that cannot be read or is not an accepted image is an invalid line like any
other. Files written by an import that is then rolled back are deleted
again; an image a product already has (same content) is skipped, so
importing a file twice adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction

from pantry.catalog.errors import DuplicateImage, InvalidImage
from pantry.catalog.images.renditions import original_path
from pantry.catalog.images.services import add_clean_image
from pantry.catalog.images.sources import SourceError, read_source, stored_name
from pantry.catalog.images.validation import CleanImage, clean_image
from pantry.catalog.importing.report import ImportResult, LineError
from pantry.catalog.models import Product, ProductImage

IMAGES_MAX = 20
SRC_MAX = 2000
ALT_MAX = 300


def check_images(value: Any, name: str) -> list[dict[str, str]]:
    """Import's ``images``: sources (strings) or ``{"src", "alt"}`` objects;
    alt defaults to the product's name."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise LineError("images must be a list")
    if len(value) > IMAGES_MAX:
        raise LineError(f"a product has at most {IMAGES_MAX} images")
    images = []
    for number, item in enumerate(value, 1):
        entry = {"src": item} if isinstance(item, str) else item
        if not isinstance(entry, dict) or set(entry) - {"src", "alt"}:
            raise LineError(f"image {number}: a source or an object of src and alt")
        src, alt = entry.get("src"), entry.get("alt") or name
        if not isinstance(src, str) or not src.strip() or len(src) > SRC_MAX:
            raise LineError(f"image {number}: src is 1 to {SRC_MAX} characters")
        if not isinstance(alt, str) or not alt.strip() or len(alt) > ALT_MAX:
            raise LineError(f"image {number}: alt is 1 to {ALT_MAX} characters")
        if "\x00" in src or "\x00" in alt:
            raise LineError(f"image {number}: contains a NUL character")
        images.append({"src": src.strip(), "alt": alt.strip()})
    return images


@dataclass
class ImageLoad:
    """The images asked for by the lines of one import."""

    result: ImportResult
    base: Path | None
    wanted: list[tuple[int, str, list[dict[str, str]]]] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    added: int = 0

    def want(self, line: int, product: dict[str, Any]) -> None:
        if product.get("images"):
            self.wanted.append((line, product["slug"], product["images"]))

    def run(self) -> None:
        """Attach every wanted image of a product that was loaded."""
        for line, slug, images in self.wanted:
            if not Product.objects.filter(slug=slug).exists():
                continue  # its line was refused
            for number, image in enumerate(images, 1):
                try:
                    clean = self._clean(image["src"])
                except (SourceError, InvalidImage) as exc:
                    self.result.add_error(line, f"image {number}: {exc}")
                    continue
                name = original_path(clean.sha256, clean.extension)
                existed = default_storage.exists(name)
                try:
                    with transaction.atomic():
                        stored = add_clean_image(
                            product=slug, image=clean, alt=image["alt"]
                        )
                except DuplicateImage:
                    continue
                self.added += 1
                if not existed:
                    self.created.append(str(stored.file.name))

    def _clean(self, src: str) -> CleanImage:
        data = read_source(src, base=self.base)
        # A file of this shop (an export read back) is already clean; a
        # second re-encoding would change its bytes and so its hash.
        name = stored_name(src) if src.startswith(("http:", "https:")) else None
        known = ProductImage.objects.filter(file=name).first() if name else None
        if known is not None:
            return CleanImage(
                content=data,
                format=known.format,
                width=known.width,
                height=known.height,
            )
        return clean_image(data)

    def forget(self) -> None:
        """Delete the files this import wrote: it is being rolled back, so
        the rows that refer to them go too (and may no longer be queried)."""
        for name in self.created:
            default_storage.delete(name)
