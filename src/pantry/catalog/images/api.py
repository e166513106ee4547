"""Staff endpoints of a product's images (docs/api.md "Product images").

Upload is multipart (``file``, ``alt``); the answer is the image's JSON,
whose ``renditions`` fill in once the background task has made them.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from pantry.catalog.errors import ProductNotFound
from pantry.catalog.images import services
from pantry.catalog.images.shapes import stored_image_json
from pantry.catalog.images.validation import ALT_MAX, read_limited
from pantry.catalog.models import Product, ProductImage
from pantry.core.auth import staff
from pantry.core.errors import Invalid, NotFound

router = Router(tags=["catalog"])


class RenditionOut(Schema):
    url: str
    width: int
    height: int


class ImageOut(Schema):
    id: int
    url: str
    alt: str
    width: int
    height: int
    position: int
    renditions: dict[str, dict[str, RenditionOut]]


class ImageList(Schema):
    items: list[ImageOut]


class ImagePatch(Schema):
    alt: str | None = Field(None, max_length=ALT_MAX)
    position: int | None = Field(None, ge=0, le=10_000)


def _slug(value: str) -> str:
    if "\x00" in value:
        raise NotFound()
    return value


def _images(slug: str) -> list[dict[str, Any]]:
    product = Product.objects.filter(slug=slug).first()
    if product is None:
        raise ProductNotFound()
    images = (
        ProductImage.objects.filter(product=product)
        .order_by("position")
        .prefetch_related("renditions")
    )
    return [stored_image_json(image) for image in images]


@router.get("/products/{slug}/images", response=ImageList, auth=staff)
def list_images(request: HttpRequest, slug: str) -> dict[str, Any]:
    return {"items": _images(_slug(slug))}


@router.post(
    "/products/{slug}/images",
    response={201: ImageOut},
    auth=staff,
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file", "alt"],
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "alt": {"type": "string", "maxLength": ALT_MAX},
                        },
                    }
                }
            }
        }
    },
)
def upload_image(request: HttpRequest, slug: str) -> Status[Any]:
    """Add an image (multipart ``file`` and ``alt``) after the others."""
    upload = request.FILES.get("file")
    if upload is None:
        raise Invalid(
            "Send the image as the multipart field `file`.",
            fields={"file": "required"},
        )
    data = read_limited(upload)
    image = services.add_image(
        product=_slug(slug), data=data, alt=request.POST.get("alt", "")
    )
    return Status(201, stored_image_json(image))


@router.patch("/products/{slug}/images/{image_id}", response=ImageOut, auth=staff)
def patch_image(
    request: HttpRequest, slug: str, image_id: int, payload: ImagePatch
) -> dict[str, Any]:
    image = services.update_image(
        product=_slug(slug),
        image_id=image_id,
        alt=payload.alt,
        position=payload.position,
    )
    return stored_image_json(image)


@router.delete("/products/{slug}/images/{image_id}", response={204: None}, auth=staff)
def delete_image(request: HttpRequest, slug: str, image_id: int) -> Status[None]:
    services.delete_image(product=_slug(slug), image_id=image_id)
    return Status(204, None)
