"""Reads shaped for the storefront's catalog pages (home, cards).

Each function issues a fixed number of queries, whatever the number of rows
it returns: prices, promotions and stock come as subquery annotations, not
per-row lookups.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.cache import cache
from django.db import connection
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
from pantry.catalog.queries import (
    ProductFilters,
    facets,
    filtered_products,
    price_filter_value,
    product_list,
)
from pantry.journal.queries import post_list, posts_about_product

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
        posts=posts_about_product(product.pk, limit=RELATED_POSTS),
    )


# -- the product list page ---------------------------------------------------

LIST_SIZE = 24
SORT_CHOICES = (
    ("newest", "Newest"),
    ("price", "Price, low to high"),
    ("-price", "Price, high to low"),
    ("name", "Name"),
)
SPEC_FACET_VALUES = 10
SPEC_FACET_KEYS = 8
FACETS_TTL = 60
MENU_DEPTH = 2


@dataclass(frozen=True)
class ListRequest:
    """The product list's GET parameters, checked; bad ones are dropped and
    reported in ``errors`` instead of failing the page."""

    filters: ProductFilters
    sort: str
    cursor: str | None
    errors: list[str]


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    count: int
    selected: bool
    # Categories only: the slugs from the root of the tree.
    path: tuple[str, ...] = ()

    @property
    def indent(self) -> str:
        """Em spaces showing a category's depth in a flat menu."""
        return "\u2003" * max(len(self.path) - 1, 0)


@dataclass(frozen=True)
class SpecFacet:
    param: str
    label: str
    choices: list[Choice]


@dataclass(frozen=True)
class ListPage:
    cards: list[ProductCard]
    next_cursor: str | None
    tags: list[Choice]
    categories: list[Choice]
    specs: list[SpecFacet]
    price_min: str | None
    price_max: str | None

    @property
    def category_menu(self) -> list[Choice]:
        """Categories for the menu: two levels (a big tree would swamp it)
        and the chosen one; category pages list their own subcategories."""
        return [
            choice
            for choice in self.categories
            if len(choice.path) <= MENU_DEPTH or choice.selected
        ]


def _price(params: Any, name: str, errors: list[str]) -> Decimal | None:
    try:
        return price_filter_value(params.get(name, "").strip())
    except ValueError:
        label = "Lowest" if name == "min_price" else "Highest"
        errors.append(f"{label} price must be a number of 0 or more; it was ignored.")
        return None


def _text(value: str) -> str:
    # PostgreSQL text cannot hold NUL; such input matches nothing anyway.
    return value.replace("\x00", "").strip()[:200]


def list_request(params: Any, *, category: str | None = None) -> ListRequest:
    """Read the list filters from a page's GET parameters (the API's names)."""
    errors: list[str] = []
    specs = [
        (key.removeprefix("spec.").split("."), _text(value))
        for key, values in params.lists()
        if key.startswith("spec.") and key != "spec."
        for value in values
        if _text(value)
    ][:20]
    attributes = [
        (key.removeprefix("attr."), _text(value))
        for key, values in params.lists()
        if key.startswith("attr.") and key != "attr."
        for value in values
        if _text(value)
    ][:20]
    tags = [_text(tag).lower() for tag in params.getlist("tag") if _text(tag)][:20]
    any_tags = [_text(t).lower() for t in params.getlist("any_tag") if _text(t)][:20]
    low = _price(params, "min_price", errors)
    high = _price(params, "max_price", errors)
    if low is not None and high is not None and low > high:
        errors.append("The lowest price was above the highest; both were ignored.")
        low = high = None
    sort = params.get("sort", "")
    q = _text(params.get("q", ""))
    if sort not in {value for value, _ in SORT_CHOICES} | {"relevance"}:
        sort = "relevance" if q else "newest"
    if sort == "relevance" and not q:
        sort = "newest"
    chosen_category = category or (_text(params.get("category", "")) or None)
    filters = ProductFilters(
        q=q,
        tags=tags,
        any_tags=any_tags,
        category=chosen_category,
        specs=specs,
        attributes=attributes,
        min_price=low,
        max_price=high,
        in_stock=True if params.get("in_stock") in ("true", "1", "on") else None,
    )
    return ListRequest(
        filters=filters,
        sort=sort,
        cursor=params.get("cursor") or None,
        errors=errors,
    )


def _facets_key(request: ListRequest, extra: str) -> str:
    filters = request.filters
    raw = repr(
        (
            filters.q,
            sorted(filters.tags),
            sorted(filters.any_tags),
            filters.category,
            sorted((tuple(p), v) for p, v in filters.specs),
            sorted(filters.attributes),
            filters.min_price,
            filters.max_price,
            filters.in_stock,
            extra,
        )
    )
    return "storefront:facets:" + hashlib.sha256(raw.encode()).hexdigest()


def _spec_facets(filters: ProductFilters) -> list[tuple[str, str, int]]:
    """(dotted path, value, count) of the scalar specs of matching products,
    two levels deep, for keys with few distinct values.

    Spec filters themselves are left out of the count, so a chosen value's
    alternatives stay on offer.
    """
    matched = filtered_products(replace(filters, specs=())).values("specs")
    inner, params = matched.query.sql_with_params()
    sql = f"""
        WITH matched AS MATERIALIZED ({inner}),
        leaves AS (
            SELECT e.key AS path, e.value
            FROM matched m, jsonb_each(m.specs) e
            WHERE jsonb_typeof(e.value) IN ('string', 'number', 'boolean')
            UNION ALL
            SELECT e.key || '.' || inner_e.key, inner_e.value
            FROM matched m, jsonb_each(m.specs) e, jsonb_each(e.value) inner_e
            WHERE jsonb_typeof(e.value) = 'object'
              AND jsonb_typeof(inner_e.value) IN ('string', 'number', 'boolean')
        ),
        counted AS (
            SELECT path, value #>> '{{}}' AS value, count(*) AS n
            FROM leaves GROUP BY path, value #>> '{{}}'
        ),
        small AS (
            SELECT path FROM counted GROUP BY path
            HAVING count(*) BETWEEN 2 AND {SPEC_FACET_VALUES}
            ORDER BY sum(n) DESC, path LIMIT {SPEC_FACET_KEYS}
        )
        SELECT c.path, c.value, c.n FROM counted c JOIN small USING (path)
        ORDER BY c.path, c.value
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(path, value, int(n)) for path, value, n in cursor.fetchall()]


def _is_leaf(slug: str | None, categories: list[dict[str, Any]]) -> bool:
    """Whether ``slug`` is a category with no subcategory among the matches."""
    if slug is None:
        return False
    path = next((row["path"] for row in categories if row["slug"] == slug), None)
    if path is None:
        return False
    return not any(
        len(row["path"]) > len(path) and row["path"][: len(path)] == path
        for row in categories
    )


def _cached_facets(request: ListRequest) -> dict[str, Any]:
    """Facet counts for the matching set, cached for a minute.

    Counting is a pass over every matching product (seconds on a million
    products); the counts may lag a minute behind, the products never. Spec
    values are counted in a category without subcategories only: wider
    categories mix kinds of products whose specs share little, and counting
    them costs as much again.
    """
    key = _facets_key(request, "v2")
    found = cache.get(key)
    if found is not None:
        return dict(found)
    result = dict(facets(request.filters))
    leaf = _is_leaf(request.filters.category, result["categories"])
    result["specs"] = _spec_facets(request.filters) if leaf else []
    cache.set(key, result, FACETS_TTL)
    return result


def _spec_label(path: str) -> str:
    return " / ".join(part.replace("_", " ").capitalize() for part in path.split("."))


def card_from_json(item: dict[str, Any]) -> ProductCard:
    """A ProductCard from the catalog's product JSON."""
    variants = item["variants"]
    cheapest = min(variants, key=lambda v: Decimal(v["price"]), default=None)
    lowest = min((Decimal(v["effective_price"]) for v in variants), default=None)
    promotion = item.get("promotion")
    return ProductCard(
        slug=item["slug"],
        name=item["name"],
        category=item["category"]["name"],
        tags=item["tags"],
        price=Decimal(cheapest["price"]) if cheapest else None,
        effective_price=lowest,
        currency=item["price"]["currency"],
        percent_off=Decimal(promotion["percent_off"]) if promotion else None,
        in_stock=any(v["stock"] > 0 for v in variants),
    )


def list_page(request: ListRequest, *, limit: int | None = None) -> ListPage:
    """One page of product cards and the facets of the whole matching set.

    Raises the catalog's UnknownCategory, and BadRequest for a bad cursor.
    """
    filters = request.filters
    items, next_cursor = product_list(
        filters, sort=request.sort, limit=limit or LIST_SIZE, cursor=request.cursor
    )
    counted = _cached_facets(request)
    tags_chosen = set(filters.tags)
    tags = [
        Choice(row["value"], row["value"], row["count"], row["value"] in tags_chosen)
        for row in counted["tags"]
    ]
    # Chosen tags stay on the form even when the facets would not list them.
    listed = {choice.value for choice in tags}
    tags += [Choice(tag, tag, 0, True) for tag in filters.tags if tag not in listed]
    categories = [
        Choice(
            row["slug"],
            row["name"],
            row["count"],
            row["slug"] == filters.category,
            tuple(row["path"]),
        )
        for row in counted["categories"]
    ]
    chosen_specs = {".".join(path): value for path, value in filters.specs}
    by_path: dict[str, list[Choice]] = {}
    for path, value, count in counted["specs"]:
        by_path.setdefault(path, []).append(
            Choice(value, value, count, chosen_specs.get(path) == value)
        )
    specs = [
        SpecFacet(f"spec.{path}", _spec_label(path), choices)
        for path, choices in by_path.items()
    ]
    return ListPage(
        cards=[card_from_json(item) for item in items],
        next_cursor=next_cursor,
        tags=tags,
        categories=categories,
        specs=specs,
        price_min=counted["price"]["min"],
        price_max=counted["price"]["max"],
    )
