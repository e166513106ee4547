"""Storefront product cards, from rows annotated by ``with_json_fields``."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from pantry.catalog.images.shapes import ShownImage, shown_image
from pantry.catalog.models import Product, discounted
from pantry.catalog.queries.rows import with_json_fields


@dataclass(frozen=True)
class ProductCard:
    """What a storefront product card shows."""

    slug: str
    name: str
    category: str
    tags: list[str]
    price: Decimal | None
    effective_price: Decimal | None
    currency: str
    percent_off: Decimal | None
    in_stock: bool
    # The primary image at card size (a placeholder until it has renditions).
    image: ShownImage | None = None

    @property
    def on_sale(self) -> bool:
        return bool(self.percent_off)


def product_card(product: Any) -> ProductCard:
    """The card of a row annotated by ``with_json_fields``.

    One promotion discounts all of a product's variants and rounding keeps
    their order, so the cheapest variant also has the lowest effective price.
    """
    percent_off: Decimal | None = product.percent_now
    cheapest = product.variant_rows[0] if product.variant_rows else None
    price = Decimal(cheapest["price"]) if cheapest else None
    return ProductCard(
        slug=product.slug,
        name=product.name,
        category=product.category_name,
        tags=list(product.tags),
        price=price,
        effective_price=discounted(price, percent_off) if price is not None else None,
        currency=cheapest["currency"] if cheapest else settings.PANTRY_CURRENCY,
        percent_off=percent_off,
        in_stock=any(row["stock"] > 0 for row in product.variant_rows),
        image=shown_image(
            product.image_rows[0] if product.image_rows else None, size="card"
        ),
    )


def newest_cards(limit: int) -> list[ProductCard]:
    """Cards of the newest active products, newest first, in one query."""
    qs = Product.objects.filter(is_active=True).order_by("-created_at", "-id")
    return [product_card(p) for p in with_json_fields(qs, now=timezone.now())[:limit]]
