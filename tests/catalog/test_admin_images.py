"""The product admin's images inline: upload, previews, order, refusals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pantry.catalog.images import services
from pantry.catalog.images.validation import clean_image
from pantry.catalog.models import Product, ProductImage
from tests.catalog import imagefiles
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def change_form(product: Product, images: list[ProductImage], **extra: Any) -> dict:
    data: dict[str, Any] = {
        "name": product.name,
        "slug": product.slug,
        "description": "",
        "category": product.category_id,
        "tags": "",
        "specs": "{}",
        "attributes": "{}",
        "is_active": "on",
        "variants-TOTAL_FORMS": "0",
        "variants-INITIAL_FORMS": "0",
        "promotions-TOTAL_FORMS": "0",
        "promotions-INITIAL_FORMS": "0",
        "images-TOTAL_FORMS": str(len(images) + 1),
        "images-INITIAL_FORMS": str(len(images)),
    }
    for n, image in enumerate(images):
        data[f"images-{n}-id"] = image.pk
        data[f"images-{n}-product"] = product.pk
        data[f"images-{n}-alt"] = image.alt
        data[f"images-{n}-order"] = image.position
    data.update(extra)
    return data


def add(product: Product, colour: tuple[int, int, int], alt: str) -> ProductImage:
    return services.add_clean_image(
        product=product.slug,
        image=clean_image(imagefiles.picture(colour=colour)),
        alt=alt,
    )


def test_the_change_page_previews_images_in_order(admin_client: Any) -> None:
    product = ProductFactory(slug="mug")
    add(product, (1, 1, 1), "Back view")
    add(product, (2, 2, 2), "Side view")

    response = admin_client.get(f"/admin/catalog/product/{product.pk}/change/")

    content = response.content.decode()
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in content
    assert content.index('alt="Back view"') < content.index('alt="Side view"')
    assert 'width="120" height="90"' in content


def test_an_upload_through_the_admin_is_cleaned_and_stored(admin_client: Any) -> None:
    product = ProductFactory(slug="mug")

    response = admin_client.post(
        f"/admin/catalog/product/{product.pk}/change/",
        change_form(
            product,
            [],
            **{
                "images-0-upload": SimpleUploadedFile(
                    "photo.jpg", imagefiles.with_exif(), "image/jpeg"
                ),
                "images-0-alt": "Front view",
            },
        ),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    image = ProductImage.objects.get()
    assert (image.alt, image.width, image.height) == ("Front view", 480, 640)


def test_a_php_file_is_a_form_error_in_the_admin(
    admin_client: Any, media: Path
) -> None:
    product = ProductFactory(slug="mug")

    response = admin_client.post(
        f"/admin/catalog/product/{product.pk}/change/",
        change_form(
            product,
            [],
            **{
                "images-0-upload": SimpleUploadedFile(
                    "shell.jpg", imagefiles.php_as_jpg(), "image/jpeg"
                ),
                "images-0-alt": "Shell",
            },
        ),
    )

    assert response.status_code == 200
    assert "is not a JPEG, PNG, WebP or GIF image" in response.content.decode()
    assert not ProductImage.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]


def test_positions_entered_in_the_admin_reorder_the_images(admin_client: Any) -> None:
    product = ProductFactory(slug="mug")
    first = add(product, (1, 1, 1), "First")
    second = add(product, (2, 2, 2), "Second")
    form = change_form(product, [first, second])
    form["images-0-order"] = "5"
    form["images-1-order"] = "0"

    response = admin_client.post(f"/admin/catalog/product/{product.pk}/change/", form)

    assert response.status_code == 302, [
        f.errors for f in response.context["inline_admin_formsets"][2].formset
    ]
    assert list(
        ProductImage.objects.order_by("position").values_list("alt", "position")
    ) == [("Second", 0), ("First", 1)]


def test_deleting_in_the_admin_removes_the_image(admin_client: Any) -> None:
    product = ProductFactory(slug="mug")
    first = add(product, (1, 1, 1), "First")
    form = change_form(product, [first], **{"images-0-DELETE": "on"})

    response = admin_client.post(f"/admin/catalog/product/{product.pk}/change/", form)

    assert response.status_code == 302
    assert not ProductImage.objects.exists()
