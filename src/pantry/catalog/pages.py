"""Reads shaped for the storefront's catalog pages (home, cards).

Each function issues a fixed number of queries, whatever the number of rows
it returns: prices, promotions and stock come as subquery annotations, not
per-row lookups.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import Now

from pantry.catalog.models import CENT, Category, Product, Promotion, Variant

HOME_CATEGORIES = 8
HOME_PRODUCTS = 8
HOME_POSTS = 3


@dataclass(frozen=True)
class ProductCard:
    slug: str
    name: str
    category: str
    tags: list[str]
    price: Decimal | None
    effective_price: Decimal | None
    currency: str
    percent_off: Decimal | None
    in_stock: bool

    @property
    def on_sale(self) -> bool:
        return bool(self.percent_off)


def discounted(price: Decimal | None, percent_off: Decimal | None) -> Decimal | None:
    """The price after ``percent_off``, rounded to cents like Variant's."""
    if price is None or not percent_off:
        return price
    value = price * (Decimal(100) - percent_off) / Decimal(100)
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def active_promotion() -> Subquery:
    """Subquery: the percent off of the product's promotion running now."""
    return Subquery(
        Promotion.objects.filter(product=OuterRef("pk"), during__contains=Now()).values(
            "percent_off"
        )[:1]
    )


def with_card_fields(products: QuerySet[Product]) -> QuerySet[Product]:
    """Annotate what a product card shows, in the same query."""
    variants = Variant.objects.filter(product=OuterRef("pk"))
    return products.select_related("category").annotate(
        # The (product, price) index serves both: the cheapest variant first.
        min_price=Subquery(variants.order_by("price").values("price")[:1]),
        card_currency=Subquery(variants.order_by("price").values("currency")[:1]),
        percent_off=active_promotion(),
        has_stock=Exists(variants.filter(stock__gt=0)),
    )


def card(product: Any) -> ProductCard:
    """A ProductCard from a product annotated by ``with_card_fields``."""
    return ProductCard(
        slug=product.slug,
        name=product.name,
        category=product.category.name,
        tags=list(product.tags),
        price=product.min_price,
        effective_price=discounted(product.min_price, product.percent_off),
        currency=product.card_currency or "",
        percent_off=product.percent_off,
        in_stock=product.has_stock,
    )


def featured_categories(limit: int = HOME_CATEGORIES) -> list[Category]:
    """The top of the category tree, by name."""
    return list(Category.objects.filter(parent__isnull=True).order_by("name")[:limit])


def newest_products(limit: int = HOME_PRODUCTS) -> list[ProductCard]:
    """The newest active products as cards, newest first."""
    rows = with_card_fields(
        Product.objects.filter(is_active=True).order_by("-created_at", "-id")
    )[:limit]
    return [card(product) for product in rows]


def latest_posts(limit: int = HOME_POSTS) -> list[Any]:
    """The newest public journal posts with their authors; empty until the
    journal app has posts."""
    # TODO(#7): read through the journal's queries once they land.
    return []
