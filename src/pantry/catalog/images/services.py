"""Writes of product images: add, change alt text or order, delete.

An upload is checked and re-encoded (``validation.clean_image``) before any
row is locked. Files are stored under their content hash, so an identical
picture is written once however many products show it, and a file is
deleted only when no image refers to its hash any more. Each write touches
the product's ``updated_at``, so anything cached by it is refreshed.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from pantry.catalog.errors import DuplicateImage, ImageNotFound, ProductNotFound
from pantry.catalog.images.renditions import original_path
from pantry.catalog.images.validation import CleanImage, clean_alt, clean_image
from pantry.catalog.models import ImageRendition, Product, ProductImage


def _locked_product(slug: str) -> Product:
    product = Product.objects.select_for_update().filter(slug=slug).first()
    if product is None:
        raise ProductNotFound()
    return product


def _touch(product: Product) -> None:
    Product.objects.filter(pk=product.pk).update(updated_at=timezone.now())


def add_image(*, product: str, data: bytes, alt: str) -> ProductImage:
    """Add the image in ``data`` after product ``product``'s other images.

    Raises InvalidImage (not an accepted image), Invalid (blank alt),
    ProductNotFound or DuplicateImage, and then stores nothing.
    """
    text = clean_alt(alt)
    clean = clean_image(data)
    return add_clean_image(product=product, image=clean, alt=text)


def add_clean_image(*, product: str, image: CleanImage, alt: str) -> ProductImage:
    """Store an already cleaned image; see add_image."""
    sha = image.sha256
    created_file: str | None = None
    try:
        with transaction.atomic():
            owner = _locked_product(product)
            if ProductImage.objects.filter(product=owner, sha256=sha).exists():
                raise DuplicateImage()
            name = original_path(sha, image.extension)
            if not default_storage.exists(name):
                name = created_file = default_storage.save(
                    name, ContentFile(image.content)
                )
            row = ProductImage.objects.create(
                product=owner,
                position=ProductImage.objects.filter(product=owner).count(),
                alt=alt,
                file=name,
                format=image.format,
                width=image.width,
                height=image.height,
                sha256=sha,
            )
            _touch(owner)
            transaction.on_commit(lambda: _queue_renditions(row.pk))
    except IntegrityError:
        _forget(created_file)
        # Two uploads of one picture at once: the unique key decided.
        raise DuplicateImage() from None
    except BaseException:
        _forget(created_file)
        raise
    return row


def _queue_renditions(image_id: int) -> None:
    from pantry.catalog.tasks import make_image_renditions

    make_image_renditions.enqueue(image_id=image_id)


def _forget(name: str | None) -> None:
    """Delete a file this request stored, if nothing came to refer to it."""
    if name and not ProductImage.objects.filter(file=name).exists():
        default_storage.delete(name)


def update_image(
    *, product: str, image_id: int, alt: str | None = None, position: int | None = None
) -> ProductImage:
    """Change an image's alt text and/or move it to ``position`` (0 first).

    A position past the end moves it last; the others close up around it.
    Raises ProductNotFound, ImageNotFound or Invalid.
    """
    text = clean_alt(alt) if alt is not None else None
    with transaction.atomic():
        owner = _locked_product(product)
        images = list(ProductImage.objects.filter(product=owner).order_by("position"))
        moved = next((i for i in images if i.pk == image_id), None)
        if moved is None:
            raise ImageNotFound()
        if text is not None:
            moved.alt = text
            moved.save(update_fields=["alt"])
        if position is not None:
            images.remove(moved)
            images.insert(max(0, min(position, len(images))), moved)
            _renumber(images)
        _touch(owner)
    moved.refresh_from_db()
    return moved


def reorder_images(*, product: str, image_ids: list[int]) -> None:
    """Put product ``product``'s images in the order of ``image_ids`` (any
    left out keep their relative order after them)."""
    with transaction.atomic():
        owner = _locked_product(product)
        images = list(ProductImage.objects.filter(product=owner).order_by("position"))
        rank = {pk: n for n, pk in enumerate(image_ids)}
        images.sort(key=lambda i: (rank.get(i.pk, len(rank)), i.position))
        _renumber(images)
        _touch(owner)


def _renumber(images: list[ProductImage]) -> None:
    # The position key is deferred: rows may pass through duplicates until
    # the commit checks the final order.
    for number, image in enumerate(images):
        image.position = number
    ProductImage.objects.bulk_update(images, ["position"])


def delete_image(*, product: str, image_id: int) -> None:
    """Delete an image; its files go once no image shares its content.

    Raises ProductNotFound or ImageNotFound.
    """
    with transaction.atomic():
        owner = _locked_product(product)
        image = ProductImage.objects.filter(product=owner, pk=image_id).first()
        if image is None:
            raise ImageNotFound()
        names = [image.file.name, *image.renditions.values_list("file", flat=True)]
        sha = image.sha256
        image.delete()
        ProductImage.objects.filter(product=owner, position__gt=image.position).update(
            position=F("position") - 1
        )
        _touch(owner)
        transaction.on_commit(lambda: _delete_unshared(sha, names))


def images_leaving(product: Product) -> Callable[[], None]:
    """What to run after ``product`` is deleted and committed: delete the
    files of its images that no other image shares."""
    shared = [
        (
            image.sha256,
            [str(image.file), *(str(r.file) for r in image.renditions.all())],
        )
        for image in product.images.prefetch_related("renditions")
    ]

    def forget() -> None:
        for sha256, names in shared:
            _delete_unshared(sha256, names)

    return forget


def _delete_unshared(sha256: str, names: list[str]) -> None:
    if ProductImage.objects.filter(sha256=sha256).exists():
        return
    for name in names:
        if not ImageRendition.objects.filter(file=name).exists():
            default_storage.delete(name)
