"""Product images through the API: upload checks, storage, renditions, order."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from pantry.catalog import queries
from pantry.catalog.models import ImageRendition, ProductImage
from tests.catalog import imagefiles
from tests.factories import ProductFactory, VariantFactory
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media: Path) -> list[str]:
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


def upload(
    client: Any,
    token: str,
    slug: str,
    data: bytes,
    *,
    name: str = "photo.jpg",
    alt: str | None = "A red box",
    content_type: str = "image/jpeg",
) -> Any:
    form: dict[str, Any] = {"file": SimpleUploadedFile(name, data, content_type)}
    if alt is not None:
        form["alt"] = alt
    return client.post(
        f"/api/v1/products/{slug}/images",
        form,
        headers={"Authorization": f"Bearer {token}"},
    )


def test_upload_stores_a_clean_image_and_its_renditions(
    client: Any, staff_token: str, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    ProductFactory(slug="mug")

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, staff_token, "mug", imagefiles.picture())

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["alt"] == "A red box"
    assert (body["width"], body["height"], body["position"]) == (640, 480, 0)
    assert body["url"].startswith("/media/images/")
    image = ProductImage.objects.get()
    assert image.format == "jpeg"
    assert len(image.sha256) == 64
    assert set(image.renditions.values_list("name", "format")) == {
        (name, fmt)
        for name in ("thumbnail", "card", "detail")
        for fmt in ("webp", "jpeg")
    }
    card = image.renditions.get(name="card", format="webp")
    assert (card.width, card.height) == (480, 360)
    detail = image.renditions.get(name="detail", format="jpeg")
    # Never enlarged past the original.
    assert (detail.width, detail.height) == (640, 480)
    with Image.open(media / card.file.name) as stored:
        assert stored.format == "WEBP"
        assert stored.size == (480, 360)
    assert len(stored_files(media)) == 7


def test_the_product_json_carries_its_images_and_primary(
    client: Any, staff_token: str, django_capture_on_commit_callbacks: Any
) -> None:
    product = ProductFactory(slug="mug")
    VariantFactory(product=product)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, staff_token, "mug", imagefiles.picture(), alt="Front")
        upload(
            client,
            staff_token,
            "mug",
            imagefiles.picture(colour=(0, 90, 0)),
            alt="Back",
        )

    body = client.get("/api/v1/products/mug").json()
    listed = client.get("/api/v1/products").json()["items"][0]

    assert [i["alt"] for i in body["images"]] == ["Front", "Back"]
    assert body["image"] == body["images"][0]
    assert listed["image"] == body["image"]
    renditions = body["image"]["renditions"]
    assert set(renditions) == {"thumbnail", "card", "detail"}
    assert renditions["thumbnail"]["webp"]["width"] == 160
    assert renditions["card"]["jpeg"]["url"].endswith("-480x360.jpg")


def test_a_product_without_images_has_an_empty_list_and_no_primary(
    client: Any,
) -> None:
    ProductFactory(slug="bare")

    body = client.get("/api/v1/products/bare").json()

    assert (body["images"], body["image"]) == ([], None)


def test_exif_is_stripped_and_orientation_applied(
    client: Any, staff_token: str, media: Path
) -> None:
    ProductFactory(slug="mug")

    response = upload(client, staff_token, "mug", imagefiles.with_exif(orientation=6))

    assert response.status_code == 201, response.content
    # Orientation 6 means "turn 90 degrees clockwise": 640x480 stands up.
    assert (response.json()["width"], response.json()["height"]) == (480, 640)
    image = ProductImage.objects.get()
    data = (media / image.file.name).read_bytes()
    assert b"SecretCam" not in data
    with Image.open(io.BytesIO(data)) as stored:
        assert not stored.getexif()
        assert stored.size == (480, 640)


def test_a_php_script_after_real_jpeg_bytes_is_not_stored(
    client: Any, staff_token: str, media: Path
) -> None:
    ProductFactory(slug="mug")
    polyglot = imagefiles.picture() + imagefiles.php_as_jpg()

    response = upload(client, staff_token, "mug", polyglot)

    assert response.status_code == 201
    stored = (media / ProductImage.objects.get().file.name).read_bytes()
    assert b"<?php" not in stored


@pytest.mark.parametrize(
    ("name", "data", "content_type", "message"),
    [
        ("shell.jpg", imagefiles.php_as_jpg(), "image/jpeg", "not a JPEG, PNG"),
        ("logo.svg", imagefiles.svg_with_script(), "image/svg+xml", "SVG images"),
        (
            "logo.png",
            imagefiles.svg_with_script().replace(b'<?xml version="1.0"?>\n', b""),
            "image/png",
            "SVG images",
        ),
        ("scan.tiff", imagefiles.picture("TIFF"), "image/jpeg", "not a JPEG, PNG"),
        ("cut.jpg", imagefiles.picture()[:2000], "image/jpeg", "damaged"),
        ("empty.jpg", b"", "image/jpeg", "not a JPEG, PNG"),
    ],
)
def test_files_that_are_not_accepted_images_are_refused_and_nothing_stored(
    client: Any,
    staff_token: str,
    media: Path,
    name: str,
    data: bytes,
    content_type: str,
    message: str,
) -> None:
    ProductFactory(slug="mug")

    response = upload(
        client, staff_token, "mug", data, name=name, content_type=content_type
    )

    assert response.status_code == 422, response.content
    body = response.json()
    assert body["error"] == "invalid_image"
    assert message in body["detail"]
    assert "file" in body["fields"]
    assert not ProductImage.objects.exists()
    assert stored_files(media) == []


@pytest.fixture(scope="module")
def bomb() -> bytes:
    # 40,000 x 40,000 one-bit pixels in about 200 kB.
    return imagefiles.png_declaring(40_000, 40_000)


@pytest.fixture(scope="module")
def huge_png() -> bytes:
    return imagefiles.png_declaring(20_000, 20_000, bit_depth=8)


def test_a_decompression_bomb_is_refused_before_decoding(
    client: Any, staff_token: str, media: Path, bomb: bytes
) -> None:
    ProductFactory(slug="mug")

    response = upload(client, staff_token, "mug", bomb, name="bomb.png")

    body = assert_error(_api(response), 422, "invalid_image")
    # Pillow's own guard or pantry's, from the header, before decoding.
    assert "40000000 pixels" in body["detail"]
    assert stored_files(media) == []


def test_a_20000_by_20000_png_is_refused(
    client: Any, staff_token: str, media: Path, huge_png: bytes
) -> None:
    ProductFactory(slug="mug")

    response = upload(client, staff_token, "mug", huge_png, name="big.png")

    body = assert_error(_api(response), 422, "invalid_image")
    assert "40000000 pixels" in body["detail"]
    assert not ProductImage.objects.exists()
    assert stored_files(media) == []


def test_a_file_over_the_byte_limit_is_refused(
    client: Any, staff_token: str, settings: Any, media: Path
) -> None:
    settings.PANTRY_IMAGE_MAX_BYTES = 1000
    ProductFactory(slug="mug")

    response = upload(client, staff_token, "mug", imagefiles.picture())

    body = assert_error(_api(response), 422, "invalid_image")
    assert body["detail"] == "The file is larger than 1000 bytes."
    assert stored_files(media) == []


@pytest.mark.parametrize("alt", [None, "", "   "])
def test_alt_text_is_required(
    client: Any, staff_token: str, media: Path, alt: str | None
) -> None:
    ProductFactory(slug="mug")

    response = upload(client, staff_token, "mug", imagefiles.picture(), alt=alt)

    body = assert_error(_api(response), 422, "validation_error")
    assert body["fields"] == {"alt": "required"}
    assert stored_files(media) == []


def test_a_missing_file_is_a_422_naming_the_field(
    client: Any, staff_token: str
) -> None:
    ProductFactory(slug="mug")

    response = client.post(
        "/api/v1/products/mug/images",
        {"alt": "x"},
        headers={"Authorization": f"Bearer {staff_token}"},
    )

    assert response.status_code == 422
    assert response.json()["fields"] == {"file": "required"}


def test_uploading_needs_a_staff_token(client: Any) -> None:
    ProductFactory(slug="mug")

    response = client.post(
        "/api/v1/products/mug/images",
        {"file": SimpleUploadedFile("a.jpg", imagefiles.picture()), "alt": "x"},
    )

    assert response.status_code == 401
    assert not ProductImage.objects.exists()


def test_an_unknown_product_is_404(client: Any, staff_token: str, media: Path) -> None:
    response = upload(client, staff_token, "nothing", imagefiles.picture())

    assert_error(_api(response), 404, "not_found")
    assert stored_files(media) == []


def test_the_same_picture_twice_on_one_product_is_a_conflict(
    client: Any, staff_token: str
) -> None:
    ProductFactory(slug="mug")
    upload(client, staff_token, "mug", imagefiles.picture())

    response = upload(client, staff_token, "mug", imagefiles.picture())

    assert_error(_api(response), 409, "duplicate_image")
    assert ProductImage.objects.count() == 1


def test_products_sharing_a_picture_share_its_files(
    client: Any, staff_token: str, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    ProductFactory(slug="mug")
    ProductFactory(slug="cup")
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, staff_token, "mug", imagefiles.picture())
        upload(client, staff_token, "cup", imagefiles.picture())

    first, second = ProductImage.objects.order_by("pk")

    assert first.file.name == second.file.name
    # The original, and WebP and JPEG at 160x120 and 480x360 (the detail
    # size would enlarge it, so it is the 640x480 original's size: a file
    # of its own).
    assert len(stored_files(media)) == 7
    assert ImageRendition.objects.count() == 12

    headers = {"Authorization": f"Bearer {staff_token}"}
    client.delete(f"/api/v1/products/mug/images/{first.pk}", headers=headers)
    assert len(stored_files(media)) == 7
    with django_capture_on_commit_callbacks(execute=True):
        client.delete(f"/api/v1/products/cup/images/{second.pk}", headers=headers)
    assert stored_files(media) == []


def test_patch_moves_an_image_and_changes_its_alt(
    client: Any, staff_token: str
) -> None:
    ProductFactory(slug="mug")
    ids = [
        upload(
            client,
            staff_token,
            "mug",
            imagefiles.picture(colour=(n * 40, 0, 0)),
            alt=f"n{n}",
        ).json()["id"]
        for n in range(3)
    ]
    headers = {"Authorization": f"Bearer {staff_token}"}

    response = client.patch(
        f"/api/v1/products/mug/images/{ids[2]}",
        {"position": 0, "alt": "Now first"},
        content_type="application/json",
        headers=headers,
    )

    assert response.status_code == 200, response.content
    assert response.json()["position"] == 0
    listed = client.get("/api/v1/products/mug/images", headers=headers).json()["items"]
    assert [(i["id"], i["position"]) for i in listed] == [
        (ids[2], 0),
        (ids[0], 1),
        (ids[1], 2),
    ]
    assert listed[0]["alt"] == "Now first"


def test_deleting_an_image_closes_the_gap(client: Any, staff_token: str) -> None:
    ProductFactory(slug="mug")
    ids = [
        upload(
            client, staff_token, "mug", imagefiles.picture(colour=(0, n * 40, 0))
        ).json()["id"]
        for n in range(3)
    ]
    headers = {"Authorization": f"Bearer {staff_token}"}

    response = client.delete(f"/api/v1/products/mug/images/{ids[0]}", headers=headers)

    assert response.status_code == 204
    assert list(
        ProductImage.objects.order_by("position").values_list("id", "position")
    ) == [(ids[1], 0), (ids[2], 1)]


def test_a_blank_alt_is_refused_by_postgresql_too() -> None:
    from django.db import IntegrityError, transaction

    product = ProductFactory()
    with (
        pytest.raises(IntegrityError, match="catalog_productimage_alt_nonblank"),
        transaction.atomic(),
    ):
        ProductImage.objects.create(
            product=product,
            position=0,
            alt="  ",
            file="images/x.jpg",
            format="jpeg",
            width=1,
            height=1,
            sha256="0" * 64,
        )


def test_cards_show_the_placeholder_until_renditions_exist(
    client: Any, staff_token: str
) -> None:
    product = ProductFactory(slug="mug")
    VariantFactory(product=product)
    upload(client, staff_token, "mug", imagefiles.picture(), alt="A red box")

    (card,) = queries.newest_cards(4)

    assert card.image is not None
    assert card.image.is_placeholder
    assert card.image.alt == "A red box"
    assert (card.image.width, card.image.height) == (480, 360)


def _api(response: Any) -> Any:
    from tests.helpers import Response

    return Response(response.status_code, response.json(), response.headers)


def test_making_renditions_twice_adds_nothing_and_a_deleted_image_has_none() -> None:
    from pantry.catalog.images.renditions import make_renditions
    from pantry.catalog.images.services import add_image

    product = ProductFactory(slug="mug")
    image = add_image(product="mug", data=imagefiles.picture(), alt="Mug")

    assert make_renditions(image.pk) == 6
    assert make_renditions(image.pk) == 0
    assert make_renditions(image.pk + 1000) == 0
    assert product.images.get().renditions.count() == 6


def test_patching_an_unknown_image_or_blank_alt_is_refused(
    client: Any, staff_token: str
) -> None:
    ProductFactory(slug="mug")
    ProductFactory(slug="cup")
    image_id = upload(client, staff_token, "mug", imagefiles.picture()).json()["id"]
    headers = {"Authorization": f"Bearer {staff_token}"}

    other = client.patch(
        f"/api/v1/products/cup/images/{image_id}",
        {"alt": "x"},
        content_type="application/json",
        headers=headers,
    )
    blank = client.patch(
        f"/api/v1/products/mug/images/{image_id}",
        {"alt": "  "},
        content_type="application/json",
        headers=headers,
    )

    assert_error(_api(other), 404, "not_found")
    assert_error(_api(blank), 422, "validation_error")
    assert ProductImage.objects.get().alt == "A red box"


def test_listing_images_needs_a_staff_token(client: Any) -> None:
    ProductFactory(slug="mug")

    assert client.get("/api/v1/products/mug/images").status_code == 401


def test_product_lists_with_images_cost_the_same_queries_for_any_page_size() -> None:
    from pantry.catalog.filters import ProductFilters
    from pantry.catalog.images.renditions import make_renditions
    from pantry.catalog.images.services import add_image
    from tests.helpers import assert_constant_queries

    for n in range(5):
        product = ProductFactory(slug=f"p-{n}")
        VariantFactory(product=product)
        for k in range(2):
            image = add_image(
                product=product.slug,
                data=imagefiles.picture(size=(64, 48), colour=(n * 40, k * 90, 0)),
                alt=f"p{n} image {k}",
            )
            make_renditions(image.pk)

    count = assert_constant_queries(
        lambda size: queries.product_list(ProductFilters(), limit=size), sizes=(1, 5)
    )
    assert count == 1
    items, _ = queries.product_list(ProductFilters(), limit=5)
    assert all(len(item["images"]) == 2 for item in items)


def test_deleting_a_product_deletes_its_unshared_files(
    client: Any, staff_token: str, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    from pantry.catalog.services import delete_product

    ProductFactory(slug="mug")
    ProductFactory(slug="cup")
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, staff_token, "mug", imagefiles.picture())
        upload(client, staff_token, "mug", imagefiles.picture(colour=(9, 9, 9)))
        upload(client, staff_token, "cup", imagefiles.picture())
    shared = ProductImage.objects.get(product__slug="cup")

    with django_capture_on_commit_callbacks(execute=True):
        delete_product(slug="mug")

    kept = {shared.file.name, *shared.renditions.values_list("file", flat=True)}
    assert set(stored_files(media)) == kept
