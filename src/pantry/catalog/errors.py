"""Catalog refusals with the error codes of API.md."""

from __future__ import annotations

from pantry.core.errors import Conflict, Invalid, NotFound


class ProductNotFound(NotFound):
    default_detail = "No product has this slug."


class VariantNotFound(NotFound):
    default_detail = "No variant has this SKU."


class SlugTaken(Conflict):
    code = "slug_taken"
    default_detail = "This slug is already taken."


class SkuTaken(Conflict):
    code = "sku_taken"
    default_detail = "This SKU is already taken."


class PromotionOverlap(Conflict):
    code = "promotion_overlap"
    default_detail = "The product already has a promotion overlapping this time range."


class InUse(Conflict):
    code = "in_use"
    default_detail = "Other records (orders) still refer to this."


class UnknownCategory(Invalid):
    """A category slug that names no category: 422, in a body or a filter."""

    code = "unknown_category"
    default_detail = "No category has this slug."


class ImageNotFound(NotFound):
    default_detail = "The product has no image with this id."


class InvalidImage(Invalid):
    """An upload that is not an image pantry accepts (type, size, pixels)."""

    code = "invalid_image"
    default_detail = "The file is not an image pantry accepts."


class DuplicateImage(Conflict):
    code = "duplicate_image"
    default_detail = "The product already has this image."


class InsufficientStock(Conflict):
    code = "insufficient_stock"
    default_detail = "There is not enough stock for this order."


class UnknownSku(Invalid):
    code = "unknown_sku"
    default_detail = "Some SKUs are not for sale."
