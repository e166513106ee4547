"""Reads shaped for the storefront's catalog pages (home, cards).

Each function issues a fixed number of queries, whatever the number of rows
it returns: prices, promotions and stock come as subquery annotations, not
per-row lookups.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    DateTimeField,
    Exists,
    F,
    Func,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Now

from pantry.catalog.models import CENT, Category, Product, Promotion, Variant
from pantry.journal.models import Post
from pantry.journal.queries import post_list

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
    """The newest public journal posts, with their authors."""
    return list(post_list(limit=limit).rows)


RELATED_POSTS = 5


@dataclass(frozen=True)
class VariantRow:
    sku: str
    options: str
    price: Decimal
    effective_price: Decimal
    currency: str
    stock: int


@dataclass(frozen=True)
class ProductPage:
    product: Product
    percent_off: Decimal | None
    promotion_ends_at: Any
    variants: list[VariantRow]
    specs: list[tuple[str, str]]
    posts: list[Any]


def spec_rows(specs: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Flatten nested specs into (label, value) rows: "Screen / Size in"."""
    rows: list[tuple[str, str]] = []
    if not isinstance(specs, dict):
        return [(prefix or "Value", _spec_value(specs))]
    for key, value in specs.items():
        label = str(key).replace("_", " ").strip().capitalize()
        label = f"{prefix} / {label}" if prefix else label
        if isinstance(value, dict) and value:
            rows.extend(spec_rows(value, label))
        else:
            rows.append((label, _spec_value(value)))
    return rows


def _spec_value(value: Any) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(_spec_value(item) for item in value)
    if isinstance(value, dict):
        return "—"
    return str(value)


def option_text(options: Any) -> str:
    """A variant's options as "ram: 8GB, disk: 256GB"."""
    if not isinstance(options, dict) or not options:
        return ""
    return ", ".join(f"{key}: {_spec_value(value)}" for key, value in options.items())


def product_page(slug: str) -> ProductPage | None:
    """The product page's data in three queries, or None for an unknown slug."""
    running = Promotion.objects.filter(product=OuterRef("pk"), during__contains=Now())
    product = (
        Product.objects.filter(slug=slug, is_active=True)
        .select_related("category")
        .defer("search_vector")
        .annotate(
            percent_off=Subquery(running.values("percent_off")[:1]),
            promotion_ends_at=Subquery(
                running.annotate(
                    ends=Func(
                        F("during"), function="upper", output_field=DateTimeField()
                    )
                ).values("ends")[:1]
            ),
        )
        .first()
    )
    if product is None:
        return None
    percent_off = product.percent_off
    variants = [
        VariantRow(
            sku=variant.sku,
            options=option_text(variant.options),
            price=variant.price,
            effective_price=variant.effective_price(percent_off),
            currency=variant.currency,
            stock=variant.stock,
        )
        for variant in Variant.objects.filter(product=product).order_by("price", "sku")
    ]
    return ProductPage(
        product=product,
        percent_off=percent_off,
        promotion_ends_at=product.promotion_ends_at,
        variants=variants,
        specs=spec_rows(product.specs) if product.specs else [],
        posts=list(
            Post.objects.public()
            .filter(products=product)
            .select_related("author")
            .only("slug", "title", "excerpt", "published_at", "author__display_name")
            .order_by("-published_at", "-id")[:RELATED_POSTS]
        ),
    )
