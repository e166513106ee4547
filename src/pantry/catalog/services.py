"""Catalog writes: products with their variants, categories, promotions.

The database enforces every rule (UNIQUE, CHECK, EXCLUDE); these functions
own the transaction and turn violations into the errors of API.md, so a
refusal writes nothing.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from psycopg import errors as pg_errors

from pantry.catalog import rules
from pantry.catalog.errors import (
    InUse,
    ProductNotFound,
    PromotionOverlap,
    SkuTaken,
    SlugTaken,
    UnknownCategory,
    VariantNotFound,
)
from pantry.catalog.images.services import images_leaving
from pantry.catalog.models import (
    TAG_MAX_LENGTH,
    Category,
    Product,
    Promotion,
    Variant,
)
from pantry.core.errors import Invalid
from pantry.events.outbox import emit

_KEY_DETAIL = re.compile(r"Key \((?P<column>[^)]*)\)=\((?P<value>.*)\) already exists")
_UNSET: Any = object()


@dataclass(frozen=True)
class VariantInput:
    sku: str
    price: Decimal
    stock: int = 0
    currency: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)


def normalise_tags(tags: Sequence[str]) -> list[str]:
    """Trim and lower-case tags, drop repeats; raise Invalid on bad ones."""
    result: list[str] = []
    for raw in tags:
        tag = raw.strip().lower()
        if not tag:
            raise Invalid("Tags may not be blank.", fields={"tags": "blank tag"})
        if len(tag) > TAG_MAX_LENGTH:
            raise Invalid(
                f"Tags are at most {TAG_MAX_LENGTH} characters.",
                fields={"tags": f"longer than {TAG_MAX_LENGTH} characters"},
            )
        if tag not in result:
            result.append(tag)
    return result


@contextlib.contextmanager
def _friendly_integrity_errors() -> Iterator[None]:
    """Turn constraint violations into the catalog's domain errors."""
    try:
        yield
    except ProtectedError:
        raise InUse() from None
    except IntegrityError as exc:
        cause = exc.__cause__
        diag = getattr(cause, "diag", None)
        constraint = (getattr(diag, "constraint_name", None) or "").lower()
        detail = getattr(diag, "message_detail", None) or ""
        match = _KEY_DETAIL.search(detail)
        if isinstance(cause, pg_errors.ExclusionViolation):
            raise PromotionOverlap() from None
        if isinstance(cause, pg_errors.UniqueViolation):
            if "sku" in constraint:
                sku = match.group("value") if match else None
                raise SkuTaken(
                    f"SKU {sku} is already taken." if sku else None, sku=sku
                ) from None
            if "slug" in constraint:
                raise SlugTaken() from None
        if isinstance(cause, pg_errors.ForeignKeyViolation):
            raise InUse() from None
        if isinstance(cause, pg_errors.CheckViolation):
            raise Invalid(f"A value breaks the rule {constraint}.") from None
        raise


def _product_event(product: Product) -> dict[str, Any]:
    """The data of product.* events: enough to find the product again."""
    return {
        "id": product.pk,
        "slug": product.slug,
        "name": product.name,
        "is_active": product.is_active,
    }


def _category(slug: str) -> Category:
    category = Category.objects.filter(slug=slug).first()
    if category is None:
        raise UnknownCategory(fields={"category": f"no category {slug!r}"})
    return category


def _slug_for(name: str) -> str:
    slug = rules.derive_slug(name)
    if not slug:
        raise Invalid(
            "A slug cannot be derived from this name; give one.",
            fields={"slug": "required for this name"},
        )
    return slug


def _check_skus_unique(variants: Sequence[VariantInput]) -> None:
    seen: set[str] = set()
    for variant in variants:
        if variant.sku in seen:
            raise Invalid(
                f"SKU {variant.sku} appears twice.",
                fields={"variants": f"duplicate SKU {variant.sku}"},
            )
        seen.add(variant.sku)


def _new_variant(product: Product, data: VariantInput) -> Variant:
    return Variant(
        product=product,
        sku=data.sku,
        price=data.price,
        stock=data.stock,
        currency=data.currency or settings.PANTRY_CURRENCY,
        options=dict(data.options),
    )


def create_product(
    *,
    name: str,
    category: str,
    slug: str | None = None,
    description: str = "",
    tags: Sequence[str] = (),
    specs: Mapping[str, Any] | None = None,
    attributes: Mapping[str, str] | None = None,
    is_active: bool = True,
    variants: Sequence[VariantInput] = (),
) -> Product:
    """Create a product with its variants, or raise and create nothing.

    Raises UnknownCategory, SlugTaken, SkuTaken or Invalid.
    """
    _check_skus_unique(variants)
    product = Product(
        name=name,
        slug=slug or _slug_for(name),
        description=description,
        category=_category(category),
        tags=normalise_tags(tags),
        specs=dict(specs or {}),
        attributes=dict(attributes or {}),
        is_active=is_active,
    )
    with _friendly_integrity_errors(), transaction.atomic():
        product.save(force_insert=True)
        Variant.objects.bulk_create([_new_variant(product, v) for v in variants])
        emit("product.created", _product_event(product))
    return product


def update_product(
    *,
    slug: str,
    name: str = _UNSET,
    new_slug: str = _UNSET,
    description: str = _UNSET,
    category: str = _UNSET,
    tags: Sequence[str] = _UNSET,
    specs: Mapping[str, Any] = _UNSET,
    attributes: Mapping[str, str] = _UNSET,
    is_active: bool = _UNSET,
    variants: Sequence[VariantInput] = _UNSET,
) -> Product:
    """Change the given fields of a product; ``variants`` replaces the set.

    Variants are matched by SKU: listed ones are created or updated, the
    others deleted. Raises ProductNotFound, UnknownCategory, SlugTaken,
    SkuTaken, InUse or Invalid, and then changes nothing.
    """
    if variants is not _UNSET:
        _check_skus_unique(variants)
    with _friendly_integrity_errors(), transaction.atomic():
        product = Product.objects.select_for_update().filter(slug=slug).first()
        if product is None:
            raise ProductNotFound()
        if name is not _UNSET:
            product.name = name
        if new_slug is not _UNSET:
            product.slug = new_slug
        if description is not _UNSET:
            product.description = description
        if category is not _UNSET:
            product.category = _category(category)
        if tags is not _UNSET:
            product.tags = normalise_tags(tags)
        if specs is not _UNSET:
            product.specs = dict(specs)
        if attributes is not _UNSET:
            product.attributes = dict(attributes)
        if is_active is not _UNSET:
            product.is_active = is_active
        product.save()
        if variants is not _UNSET:
            _replace_variants(product, variants)
        emit("product.updated", _product_event(product))
    return product


def _replace_variants(product: Product, variants: Sequence[VariantInput]) -> None:
    wanted = {v.sku: v for v in variants}
    product.variants.exclude(sku__in=list(wanted)).delete()
    existing = {
        v.sku: v
        for v in Variant.objects.select_for_update().filter(
            product=product, sku__in=list(wanted)
        )
    }
    changed = []
    for sku, data in wanted.items():
        if sku in existing:
            variant = existing[sku]
            variant.price = data.price
            variant.stock = data.stock
            variant.currency = data.currency or variant.currency
            variant.options = dict(data.options)
            changed.append(variant)
    Variant.objects.bulk_update(changed, ["price", "stock", "currency", "options"])
    Variant.objects.bulk_create(
        [_new_variant(product, d) for sku, d in wanted.items() if sku not in existing]
    )


def delete_product(*, slug: str) -> None:
    """Delete a product with its variants, promotions and images (their
    files go once no other product shares them).

    Raises ProductNotFound, or InUse when orders still refer to a variant.
    """
    with _friendly_integrity_errors(), transaction.atomic():
        product = Product.objects.select_for_update().filter(slug=slug).first()
        if product is None:
            raise ProductNotFound()
        emit("product.deleted", {"id": product.pk, "slug": product.slug})
        forget_files = images_leaving(product)
        product.delete()
        transaction.on_commit(forget_files)


def patch_variant(
    *,
    sku: str,
    price: Decimal = _UNSET,
    stock: int = _UNSET,
    options: Mapping[str, Any] = _UNSET,
) -> Variant:
    """Change a variant's price, stock or options; raise VariantNotFound."""
    with _friendly_integrity_errors(), transaction.atomic():
        variant = Variant.objects.select_for_update().filter(sku=sku).first()
        if variant is None:
            raise VariantNotFound()
        if price is not _UNSET:
            variant.price = price
        if stock is not _UNSET:
            variant.stock = stock
        if options is not _UNSET:
            variant.options = dict(options)
        variant.save(update_fields=["price", "stock", "options"])
        if stock is not _UNSET:
            emit("stock.changed", {"sku": variant.sku, "stock": variant.stock})
    return variant


def create_category(*, slug: str, name: str, parent: str | None = None) -> Category:
    """Create a category under ``parent`` (a slug), its path computed from it.

    Raises UnknownCategory for an unknown parent, SlugTaken for a taken slug.
    """
    with _friendly_integrity_errors(), transaction.atomic():
        above = None
        if parent is not None:
            above = Category.objects.filter(slug=parent).first()
            if above is None:
                raise UnknownCategory(fields={"parent": f"no category {parent!r}"})
        # ltree labels take letters, digits, "_" and "-": a slug fits as is.
        path = f"{above.path}.{slug}" if above else slug
        return Category.objects.create(slug=slug, name=name, parent=above, path=path)


def add_promotion(
    *, product: str, percent_off: Decimal, starts_at: datetime, ends_at: datetime
) -> Promotion:
    """Add a promotion to the product with slug ``product``.

    Raises ProductNotFound, Invalid (empty range or percent out of range) or
    PromotionOverlap when the product already has one in that time.
    """
    if starts_at >= ends_at:
        raise Invalid(
            "starts_at must be before ends_at.",
            fields={"ends_at": "not after starts_at"},
        )
    if not Decimal(0) < percent_off <= Decimal(100):
        raise Invalid(
            "percent_off must be above 0 and at most 100.",
            fields={"percent_off": "out of range"},
        )
    from django.db.backends.postgresql.psycopg_any import DateTimeTZRange

    with _friendly_integrity_errors(), transaction.atomic():
        target = Product.objects.filter(slug=product).first()
        if target is None:
            raise ProductNotFound()
        return Promotion.objects.create(
            product=target,
            percent_off=percent_off,
            during=DateTimeTZRange(starts_at, ends_at, "[)"),
        )
