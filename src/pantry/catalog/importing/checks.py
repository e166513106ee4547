"""Shape checks of one product and its variants, before staging."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from pantry.catalog.importing.formats import json_text
from pantry.catalog.importing.images import check_images
from pantry.catalog.importing.report import LineError
from pantry.catalog.rules import (
    NAME_MAX,
    SKU_MAX,
    SLUG_MAX,
    TAG_MAX,
    derive_slug,
    normal_tag,
)

PRICE_MAX = Decimal("9999999999.99")
STOCK_MAX = 2**31 - 1
SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]+\Z")
CURRENCY_RE = re.compile(r"^[A-Z]{3}\Z")
PRODUCT_FIELDS = {
    "slug",
    "name",
    "description",
    "category",
    "tags",
    "specs",
    "attributes",
    "is_active",
    "variants",
    "images",
}
VARIANT_FIELDS = {"sku", "price", "currency", "stock", "options"}
# CSV: one row per variant; the product columns repeat on each row of a


def _string(
    value: Any, name: str, *, required: bool = False, max_length: int = 0
) -> str:
    if value is None:
        if required:
            raise LineError(f"{name} is required")
        return ""
    if not isinstance(value, str):
        raise LineError(f"{name} must be a string")
    if required and not value.strip():
        raise LineError(f"{name} is required")
    if max_length and len(value) > max_length:
        raise LineError(f"{name} is longer than {max_length} characters")
    if "\x00" in value:
        raise LineError(f"{name} contains a NUL character")
    return value


def _object(value: Any, name: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise LineError(f"{name} must be a JSON object")
    return value


def _price(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise LineError("price must be a number or a decimal string")
    try:
        price = Decimal(str(value).strip())
    except InvalidOperation:
        raise LineError(f"price {value!r} is not a number") from None
    if not price.is_finite():
        raise LineError(f"price {value!r} is not a number")
    if price < 0:
        raise LineError("price must not be negative")
    if price > PRICE_MAX:
        raise LineError(f"price must be at most {PRICE_MAX}")
    if price != price.quantize(Decimal("0.01")):
        raise LineError("price has more than two decimal places")
    return f"{price:.2f}"


def _stock(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise LineError("stock must be a whole number")
    if value < 0:
        raise LineError("stock must not be negative")
    if value > STOCK_MAX:
        raise LineError(f"stock must be at most {STOCK_MAX}")
    return value


def check_product(doc: Any, currency: str) -> dict[str, Any]:
    """The product with defaults filled in and tags normalised, or LineError."""
    if not isinstance(doc, dict):
        raise LineError("a line must be a JSON object")
    if unknown := sorted(set(doc) - PRODUCT_FIELDS):
        raise LineError(f"unknown field {unknown[0]!r}")
    name = _string(doc.get("name"), "name", required=True, max_length=NAME_MAX)
    slug = doc.get("slug")
    if slug is None or slug == "":
        slug = derive_slug(name)
        if not slug:
            raise LineError("slug cannot be derived from the name; give one")
    else:
        slug = _string(slug, "slug", max_length=SLUG_MAX)
        if not SLUG_RE.match(slug):
            raise LineError(f"slug {slug!r} may hold only letters, digits, '-' and '_'")
    description = _string(doc.get("description"), "description")
    category = _string(doc.get("category"), "category", required=True, max_length=100)
    tags_in = doc.get("tags")
    if tags_in is None:
        tags_in = []
    if not isinstance(tags_in, list):
        raise LineError("tags must be a list of strings")
    tags = []
    for tag in tags_in:
        if not isinstance(tag, str):
            raise LineError("tags must be a list of strings")
        tag = normal_tag(tag)
        if not tag:
            raise LineError("tags must not be empty")
        if len(tag) > TAG_MAX:
            raise LineError(f"tag {tag[:20]!r}... is longer than {TAG_MAX} characters")
        if "\x00" in tag:
            raise LineError("tags contain a NUL character")
        if tag not in tags:
            tags.append(tag)
    specs = json_text(_object(doc.get("specs"), "specs"))
    if "\\u0000" in specs:
        raise LineError("specs contain a NUL character")
    attributes = _object(doc.get("attributes"), "attributes")
    for key, value in attributes.items():
        if not isinstance(value, str):
            raise LineError(f"attributes must be flat: {key!r} is not a string")
        if "\x00" in key or "\x00" in value:
            raise LineError("attributes contain a NUL character")
    is_active = doc.get("is_active", True)
    if not isinstance(is_active, bool):
        raise LineError("is_active must be true or false")
    variants_in = doc.get("variants")
    if variants_in is None:
        variants_in = []
    if not isinstance(variants_in, list):
        raise LineError("variants must be a list")
    variants = []
    skus: set[str] = set()
    for position, variant in enumerate(variants_in, 1):
        try:
            variants.append(check_variant(variant, currency))
        except LineError as exc:
            raise LineError(f"variant {position}: {exc}") from None
        sku = variants[-1]["sku"]
        if sku in skus:
            raise LineError(f"variant {position}: SKU {sku!r} repeats in this product")
        skus.add(sku)
    return {
        "slug": slug,
        "name": name,
        "description": description,
        "category": category,
        "tags": tags,
        "specs": specs,
        "attributes": attributes,
        "is_active": is_active,
        "variants": variants,
        "images": check_images(doc.get("images"), name),
    }


def check_variant(doc: Any, currency: str) -> dict[str, Any]:
    if not isinstance(doc, dict):
        raise LineError("must be a JSON object")
    if unknown := sorted(set(doc) - VARIANT_FIELDS):
        raise LineError(f"unknown field {unknown[0]!r}")
    sku = _string(doc.get("sku"), "sku", required=True, max_length=SKU_MAX)
    if "price" not in doc or doc["price"] is None:
        raise LineError("price is required")
    price = _price(doc["price"])
    variant_currency = doc.get("currency")
    if variant_currency is None:
        variant_currency = currency
    if not isinstance(variant_currency, str) or not CURRENCY_RE.match(variant_currency):
        raise LineError("currency must be three capital letters (ISO 4217)")
    stock = _stock(doc.get("stock"))
    options = json_text(_object(doc.get("options"), "options"))
    if "\\u0000" in options:
        raise LineError("options contain a NUL character")
    return {
        "sku": sku,
        "price": price,
        "currency": variant_currency,
        "stock": stock,
        "options": options,
    }
