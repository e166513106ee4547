"""Small catalog rows for page tests, written straight to the tables."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone

from pantry.catalog.models import Category, Product, Promotion, Variant


def category(slug: str = "kitchen", name: str = "Kitchen", parent: Any = None) -> Any:
    path = f"{parent.path}.{slug}" if parent else slug
    return Category.objects.create(
        slug=slug, name=name, parent=parent, path=path.replace("-", "_")
    )


def product(
    slug: str,
    *,
    in_category: Any,
    prices: tuple[str, ...] = ("10.00",),
    stock: int = 5,
    tags: list[str] | None = None,
    specs: dict[str, Any] | None = None,
    **fields: Any,
) -> Product:
    item = Product.objects.create(
        slug=slug,
        name=fields.pop("name", slug.replace("-", " ").title()),
        category=in_category,
        tags=tags or [],
        specs=specs or {},
        **fields,
    )
    Variant.objects.bulk_create(
        Variant(
            sku=f"{slug.upper()}-{index}",
            product=item,
            price=Decimal(price),
            currency="EUR",
            stock=stock,
            options={"size": f"S{index}"},
        )
        for index, price in enumerate(prices, start=1)
    )
    return item


def promotion(item: Product, percent_off: str) -> Promotion:
    now = timezone.now()
    return Promotion.objects.create(
        product=item,
        percent_off=Decimal(percent_off),
        during=DateTimeTZRange(now - timedelta(days=1), now + timedelta(days=6)),
    )
