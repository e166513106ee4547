"""The demo's drawn product pictures."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from pantry.catalog.models import ImageRendition, Product, ProductImage
from pantry.catalog.sample_data import demo, pictures

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_every_demo_product_has_a_picture_with_renditions_quickly(media: Path) -> None:
    started = time.monotonic()
    demo.load()
    elapsed = time.monotonic() - started

    products = Product.objects.count()
    assert ProductImage.objects.filter(position=0).count() == products
    assert ImageRendition.objects.count() == 6 * products
    assert not ProductImage.objects.filter(alt="").exists()
    # Shared drawings are stored once: far fewer files than images.
    originals = ProductImage.objects.values("sha256").distinct().count()
    assert originals < products / 2
    # A budget generous for a loaded 2-core machine; typically a few seconds.
    assert elapsed < 20


def test_a_spice_is_a_jar_and_a_laptop_is_not() -> None:
    assert pictures.kind_of("pantry_food.spices") == "spices"
    assert pictures.kind_of("electronics.computers.laptops") == "laptops"
    assert pictures.kind_of("garden.tools") == "parcel"
    jar = pictures.draw("spices", pictures.PALETTE[0])
    laptop = pictures.draw("laptops", pictures.PALETTE[0])

    assert jar.sha256 != laptop.sha256
    assert pictures.draw("spices", pictures.PALETTE[0]).sha256 == jar.sha256


def test_each_kind_draws_a_distinct_picture() -> None:
    drawn = {
        kind: pictures.draw(kind, pictures.PALETTE[1])
        for kind in {*pictures.DRAWINGS, "parcel"}
    }
    functions = {pictures.DRAWINGS.get(kind) for kind in drawn}

    assert len({image.sha256 for image in drawn.values()}) == len(functions)
    with Image.open(io.BytesIO(drawn["tents"].content)) as image:
        assert (image.format, image.size) == ("JPEG", (480, 360))


def test_every_seeded_product_has_the_drawing_of_its_section(media: Path) -> None:
    from pantry.catalog.images.renditions import original_path
    from pantry.catalog.sample_data.seed import seed_catalog
    from pantry.catalog.sample_data.seed_pictures import seeded_kind

    assert seeded_kind("kitchen.kitchen-storage.kitchen-storage-essentials") == (
        "spices"
    )
    assert seeded_kind("books.books-fiction") == "books"
    assert seeded_kind("home.home-decor") == "parcel"
    seed_catalog(products=400, seed=5, replace=False)

    products = list(Product.objects.select_related("category"))
    images = {image.product_id: image for image in ProductImage.objects.all()}
    assert len(images) == len(products) == ProductImage.objects.count()
    for product in products:
        image = images[product.pk]
        drawn = pictures.draw(
            seeded_kind(str(product.category.path)), pictures.colour_of(product.slug)
        )
        assert (image.position, image.alt, image.sha256) == (
            0, f"Drawing of {product.name}", drawn.sha256
        )  # fmt: skip
        assert image.file.name == original_path(drawn.sha256, drawn.extension)
    assert ImageRendition.objects.count() == 6 * len(products)
    assert {images[p.pk].sha256 for p in products} != {drawn.sha256}
    for name in {r.file.name for r in ImageRendition.objects.all()[:50]}:
        assert (media / name).is_file()
    assert (media / image.file.name).is_file()
