"""Pictures of demo products, drawn by pantry with Pillow.

One simple, recognisable drawing per kind of product (a jar with a label
for spices, a laptop, a knife, a tent, ...), in one of a few colours chosen
from the product's slug. Identical drawings have identical bytes, so they
are stored, and their renditions made, once: the whole demo costs a few
dozen small encodes.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw

from pantry.catalog.images.renditions import Planned, original_path, planned, render
from pantry.catalog.images.validation import CleanImage
from pantry.catalog.models import ImageRendition, Product, ProductImage

WIDTH, HEIGHT = 480, 360
BACKGROUND = (246, 244, 239)
INK = (60, 60, 66)
# Colours of the part that varies per product (a label, a body, a cover).
PALETTE = (
    (196, 68, 52),
    (46, 110, 168),
    (62, 142, 84),
    (222, 164, 40),
    (122, 78, 160),
    (40, 40, 46),
    (214, 112, 150),
    (120, 120, 128),
)
Draw = ImageDraw.ImageDraw
Colour = tuple[int, int, int]


def _shade(colour: Colour, factor: float) -> Colour:
    r, g, b = (max(0, min(255, round(c * factor))) for c in colour)
    return (r, g, b)


def _jar(d: Draw, c: Colour) -> None:
    d.rounded_rectangle((170, 70, 310, 110), 8, fill=_shade(c, 0.6))
    d.rounded_rectangle(
        (160, 105, 320, 310), 24, fill=(226, 232, 236), outline=INK, width=3
    )
    d.rectangle((160, 160, 320, 250), fill=c)
    d.rectangle((185, 190, 295, 218), fill=(250, 248, 240))


def _tin(d: Draw, c: Colour) -> None:
    d.rectangle((170, 90, 310, 300), fill=c, outline=INK, width=3)
    d.ellipse((170, 70, 310, 110), fill=_shade(c, 1.25), outline=INK, width=3)
    d.ellipse((205, 165, 275, 235), fill=(250, 248, 240))
    d.chord((215, 180, 265, 225), 200, 340, fill=(62, 142, 84))


def _pan(d: Draw, c: Colour) -> None:
    d.ellipse((70, 80, 290, 300), fill=INK)
    d.ellipse((88, 98, 272, 282), fill=_shade(c, 0.8))
    d.rounded_rectangle((280, 174, 440, 206), 14, fill=INK)


def _pot(d: Draw, c: Colour) -> None:
    d.rounded_rectangle((120, 140, 360, 300), 20, fill=c, outline=INK, width=3)
    d.rounded_rectangle((90, 160, 125, 185), 8, fill=INK)
    d.rounded_rectangle((355, 160, 390, 185), 8, fill=INK)
    d.chord((115, 95, 365, 175), 180, 360, fill=_shade(c, 0.75), outline=INK, width=3)
    d.rounded_rectangle((220, 88, 260, 104), 6, fill=INK)


def _knife(d: Draw, c: Colour) -> None:
    d.polygon([(60, 200), (300, 160), (300, 215), (80, 215)], fill=(205, 210, 216))
    d.line([(60, 200), (300, 160)], fill=INK, width=3)
    d.rounded_rectangle((295, 160, 430, 215), 14, fill=c, outline=INK, width=3)
    for x in (330, 365, 400):
        d.ellipse((x - 5, 183, x + 5, 193), fill=(230, 230, 230))


def _espresso(d: Draw, c: Colour) -> None:
    d.rounded_rectangle((130, 60, 350, 300), 16, fill=c, outline=INK, width=3)
    d.rectangle((160, 90, 320, 130), fill=_shade(c, 0.7))
    d.rounded_rectangle((190, 150, 290, 175), 6, fill=INK)
    d.rectangle((230, 175, 250, 195), fill=INK)
    d.rounded_rectangle(
        (205, 230, 275, 280), 8, fill=(250, 248, 240), outline=INK, width=2
    )


def _grinder(d: Draw, c: Colour) -> None:
    d.polygon(
        [(175, 60), (305, 60), (275, 150), (205, 150)],
        fill=(200, 220, 230),
        outline=INK,
    )
    d.rounded_rectangle((180, 150, 300, 310), 14, fill=c, outline=INK, width=3)
    d.ellipse((220, 190, 260, 230), fill=_shade(c, 0.6))


def _laptop(d: Draw, c: Colour) -> None:
    d.rounded_rectangle(
        (120, 70, 360, 230), 10, fill=_shade(c, 0.5), outline=INK, width=3
    )
    d.rectangle((135, 85, 345, 215), fill=(120, 170, 220))
    d.polygon(
        [(90, 240), (390, 240), (420, 285), (60, 285)], fill=_shade(c, 1.1), outline=INK
    )
    d.rectangle((200, 255, 280, 270), fill=_shade(c, 0.8))


def _monitor(d: Draw, c: Colour) -> None:
    d.rounded_rectangle((80, 50, 400, 250), 10, fill=INK)
    d.rectangle((95, 65, 385, 235), fill=_shade(c, 1.0))
    d.rectangle((225, 250, 255, 295), fill=INK)
    d.rounded_rectangle((170, 290, 310, 310), 6, fill=INK)


def _headphones(d: Draw, c: Colour) -> None:
    d.arc((130, 60, 350, 300), 180, 360, fill=INK, width=18)
    d.rounded_rectangle((110, 170, 175, 280), 24, fill=c, outline=INK, width=3)
    d.rounded_rectangle((305, 170, 370, 280), 24, fill=c, outline=INK, width=3)


def _speaker(d: Draw, c: Colour) -> None:
    d.rounded_rectangle((160, 50, 320, 310), 18, fill=c, outline=INK, width=3)
    d.ellipse((205, 80, 275, 150), fill=INK)
    d.ellipse((185, 170, 295, 280), fill=INK)
    d.ellipse((222, 207, 258, 243), fill=_shade(c, 0.7))


def _tent(d: Draw, c: Colour) -> None:
    d.polygon([(240, 70), (410, 300), (70, 300)], fill=c, outline=INK)
    d.polygon([(240, 150), (290, 300), (190, 300)], fill=_shade(c, 0.55))
    d.line([(40, 300), (440, 300)], fill=INK, width=4)


def _sleeping_bag(d: Draw, c: Colour) -> None:
    d.rounded_rectangle((60, 130, 420, 250), 60, fill=c, outline=INK, width=3)
    d.ellipse((70, 140, 170, 240), fill=_shade(c, 0.7))
    for x in (210, 270, 330):
        d.line([(x, 140), (x, 240)], fill=_shade(c, 0.75), width=4)


def _helmet(d: Draw, c: Colour) -> None:
    d.chord((100, 80, 380, 330), 180, 360, fill=c, outline=INK, width=3)
    for x in (170, 240, 310):
        d.rounded_rectangle((x - 14, 110, x + 14, 170), 10, fill=_shade(c, 0.6))
    d.rectangle((100, 200, 380, 215), fill=INK)


def _book(d: Draw, c: Colour) -> None:
    d.rectangle((160, 40, 330, 320), fill=c, outline=INK, width=3)
    d.rectangle((160, 40, 178, 320), fill=_shade(c, 0.7))
    d.rectangle((195, 90, 310, 130), fill=(250, 248, 240))
    d.rectangle((195, 250, 290, 262), fill=_shade(c, 1.3))


def _parcel(d: Draw, c: Colour) -> None:
    d.rectangle((130, 100, 350, 290), fill=c, outline=INK, width=3)
    d.rectangle((225, 100, 255, 290), fill=_shade(c, 0.7))


DRAWINGS: dict[str, Callable[[Draw, Colour], None]] = {
    "spices": _jar,
    "tea": _tin,
    "pans": _pan,
    "pots": _pot,
    "cookware": _pot,
    "knives": _knife,
    "espresso-machines": _espresso,
    "grinders": _grinder,
    "coffee-gear": _grinder,
    "laptops": _laptop,
    "computers": _laptop,
    "monitors": _monitor,
    "headphones": _headphones,
    "speakers": _speaker,
    "audio": _speaker,
    "tents": _tent,
    "camping": _tent,
    "sleeping-bags": _sleeping_bag,
    "helmets": _helmet,
    "cycling": _helmet,
    "books": _book,
}


def kind_of(category_path: str) -> str:
    """The drawing for a category: its own, else its nearest ancestor's."""
    for slug in reversed(category_path.replace("_", "-").split(".")):
        if slug in DRAWINGS:
            return slug
    return "parcel"


def colour_of(slug: str) -> Colour:
    digest = hashlib.sha256(slug.encode()).digest()
    return PALETTE[digest[0] % len(PALETTE)]


def draw(kind: str, colour: Colour) -> CleanImage:
    """A JPEG of the drawing of ``kind`` in ``colour``."""
    return _drawn(kind, colour)[0]


def _drawn(kind: str, colour: Colour) -> tuple[CleanImage, Image.Image]:
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    DRAWINGS.get(kind, _parcel)(ImageDraw.Draw(image), colour)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    clean = CleanImage(
        content=out.getvalue(), format="jpeg", width=WIDTH, height=HEIGHT
    )
    return clean, image


@dataclass(frozen=True)
class Picture:
    """A drawing as stored: the image, its planned renditions, their bytes."""

    clean: CleanImage
    renditions: list[Planned]
    # Path to bytes of the original and each rendition (sizes that come
    # out the same share a path).
    files: dict[str, bytes]


def _picture(key: tuple[str, Colour]) -> Picture:
    clean, image = _drawn(*key)
    items = planned(clean.sha256, clean.width, clean.height)
    files = {original_path(clean.sha256, clean.extension): clean.content}
    for item in items:
        if item.path not in files:
            files[item.path] = render(image, item)
    return Picture(clean, items, files)


def stored_pictures(
    keys: list[tuple[str, Colour]],
) -> dict[tuple[str, Colour], Picture]:
    """The drawing of each (kind, colour) with its renditions, in storage.

    Each drawing is made and encoded once, on two threads (Pillow releases
    the GIL while it encodes), and its files are written unless stored.
    """
    with ThreadPoolExecutor(max_workers=2) as pool:
        drawn = dict(zip(keys, pool.map(_picture, keys), strict=True))
    for picture in drawn.values():
        for path, data in picture.files.items():
            if not default_storage.exists(path):
                default_storage.save(path, ContentFile(data))
    return drawn


def add_pictures(products: Iterable[Product], alt: Callable[[Product], str]) -> int:
    """Give each product (saved, with its category loaded) one drawn image
    and its renditions; return how many images were added."""
    keyed = [
        (product, (kind_of(str(product.category.path)), colour_of(product.slug)))
        for product in products
    ]
    drawn = stored_pictures(list(dict.fromkeys(key for _, key in keyed)))
    images = ProductImage.objects.bulk_create(
        ProductImage(
            product=product,
            position=0,
            alt=alt(product),
            file=original_path(drawn[key].clean.sha256, drawn[key].clean.extension),
            format=drawn[key].clean.format,
            width=drawn[key].clean.width,
            height=drawn[key].clean.height,
            sha256=drawn[key].clean.sha256,
        )
        for product, key in keyed
    )
    ImageRendition.objects.bulk_create(
        ImageRendition(
            image=image,
            name=item.name,
            format=item.format,
            file=item.path,
            width=item.width,
            height=item.height,
        )
        for image, (_, key) in zip(images, keyed, strict=True)
        for item in drawn[key].renditions
    )
    return len(images)


def describe(product: Any) -> str:
    """Alt text of a demo picture: what it shows."""
    return f"Drawing of {product.name}"
