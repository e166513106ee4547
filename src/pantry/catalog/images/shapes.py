"""Product images as the API's JSON and as what pages show.

``image_rows`` is a subquery of a product's images with their renditions,
as one JSON array, so a list of products still costs one query; the shapes
below turn those rows into URLs through the storage API (filesystem or S3).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.core.files.storage import FileSystemStorage, default_storage
from django.db.models import OuterRef
from django.db.models.functions import JSONObject
from django.templatetags.static import static

from pantry.catalog.images.renditions import SIZES, fitted
from pantry.catalog.models import ImageRendition, ProductImage

# What a page shows while an image's renditions are being made, and for a
# product without images: a neutral static drawing at the image's own size,
# so nothing moves when the real image arrives.
PLACEHOLDER = "catalog/placeholder.svg"
PLACEHOLDER_SIZE = (480, 360)


def media_url(name: str) -> str:
    """``default_storage.url(name)``, remembered for filesystem storage.

    A page of 24 products asks for about 170 rendition URLs; on the
    filesystem the URL is a pure function of the storage's base URL and the
    name, so it is computed once per name (keyed by both: settings changes
    in tests give a new base URL). Other storages (S3, signed URLs) are asked
    every time.
    """
    storage = default_storage._wrapped  # type: ignore[attr-defined]
    if type(storage) is not FileSystemStorage:
        return default_storage.url(name)
    return _filesystem_url(storage, storage.base_url, name)


@lru_cache(maxsize=65536)
def _filesystem_url(storage: FileSystemStorage, base_url: str, name: str) -> str:
    return storage.url(name)


def image_rows(product_ref: Any = None, *, primary_only: bool = False) -> ArraySubquery:
    """A product's images in order, each with its renditions, as JSON rows."""
    renditions = ArraySubquery(
        ImageRendition.objects.filter(image_id=OuterRef("pk"))
        .order_by("name", "format")
        .values(
            json=JSONObject(
                name="name",
                format="format",
                file="file",
                width="width",
                height="height",
            )
        )
    )
    images = ProductImage.objects.filter(
        product_id=product_ref if product_ref is not None else OuterRef("pk")
    ).order_by("position")
    if primary_only:
        images = images[:1]
    return ArraySubquery(
        images.values(
            json=JSONObject(
                id="id",
                file="file",
                alt="alt",
                width="width",
                height="height",
                position="position",
                renditions=renditions,
            )
        )
    )


def image_json(row: dict[str, Any]) -> dict[str, Any]:
    """API.md's image JSON of one of ``image_rows``' rows."""
    renditions: dict[str, dict[str, Any]] = {}
    for rendition in row["renditions"] or []:
        renditions.setdefault(rendition["name"], {})[rendition["format"]] = {
            "url": media_url(rendition["file"]),
            "width": rendition["width"],
            "height": rendition["height"],
        }
    return {
        "id": row["id"],
        "url": media_url(row["file"]),
        "alt": row["alt"],
        "width": row["width"],
        "height": row["height"],
        "position": row["position"],
        "renditions": renditions,
    }


def stored_image_json(image: ProductImage) -> dict[str, Any]:
    """The JSON of one image read as a model instance."""
    return image_json(
        {
            "id": image.pk,
            "file": image.file.name,
            "alt": image.alt,
            "width": image.width,
            "height": image.height,
            "position": image.position,
            "renditions": [
                {
                    "name": r.name,
                    "format": r.format,
                    "file": r.file.name,
                    "width": r.width,
                    "height": r.height,
                }
                for r in image.renditions.all()
            ],
        }
    )


@dataclass(frozen=True)
class ShownImage:
    """An ``<img>`` (in a ``<picture>``): a JPEG src and srcset, a WebP srcset,
    its width and height at the chosen size, and alt text."""

    src: str
    alt: str
    width: int
    height: int
    srcset: str = ""
    webp_srcset: str = ""

    @property
    def is_placeholder(self) -> bool:
        return not self.srcset


def shown_image(row: dict[str, Any] | None, *, size: str) -> ShownImage:
    """The image of ``row`` at rendition ``size`` for a page, or the
    placeholder (alt text kept) until its renditions exist."""
    if row is None:
        width, height = PLACEHOLDER_SIZE
        return ShownImage(src=static(PLACEHOLDER), alt="", width=width, height=height)
    by_format: dict[str, list[dict[str, Any]]] = {}
    for rendition in row["renditions"] or []:
        by_format.setdefault(rendition["format"], []).append(rendition)
    jpegs = sorted(by_format.get("jpeg", []), key=lambda r: r["width"])
    chosen = next((r for r in jpegs if r["name"] == size), None)
    if chosen is None:
        width, height = fitted(row["width"], row["height"], SIZES[size])
        return ShownImage(
            src=static(PLACEHOLDER), alt=row["alt"], width=width, height=height
        )
    return ShownImage(
        src=media_url(chosen["file"]),
        alt=row["alt"],
        width=chosen["width"],
        height=chosen["height"],
        srcset=_srcset(jpegs),
        webp_srcset=_srcset(
            sorted(by_format.get("webp", []), key=lambda r: r["width"])
        ),
    )


def _srcset(renditions: list[dict[str, Any]]) -> str:
    seen: set[int] = set()
    parts = []
    for rendition in renditions:
        if rendition["width"] in seen:
            continue
        seen.add(rendition["width"])
        parts.append(f"{media_url(rendition['file'])} {rendition['width']}w")
    return ", ".join(parts)
