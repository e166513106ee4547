"""Catalog reads: the product list with its filters, facets, detail, tree.

Every filter is a parameterised expression over an indexed column: tags
(GIN ``@>``/``&&``), specs (jsonb_path_ops ``@>`` of a nested object
built from the dotted path) and attributes (the same, of their jsonb form)
in one GIN index, category (GiST ltree ``<@``), text (GIN tsvector ``@@``).
User text is only ever a value.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import (
    BooleanField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
)
from django.db.models.expressions import Expression
from django.db.models.functions import Cast, JSONObject, Lower
from django.utils import timezone

from pantry.catalog.errors import ProductNotFound
from pantry.catalog.filters import ProductFilters, nested, spec_values, subtree_ids
from pantry.catalog.images.shapes import ShownImage, image_json, image_rows, shown_image
from pantry.catalog.models import (
    Category,
    Product,
    ProductSummary,
    Promotion,
    Variant,
    discounted,
)
from pantry.catalog.models import variant_name as variant_name  # for other apps
from pantry.core.pagination import Page, keyset_page
from pantry.core.textsearch import clean_query, web_query

CENT = Decimal("0.01")
HALF_CENT = Decimal("0.005")


def active_promotions(product_ref: Any, now: datetime) -> QuerySet[Promotion]:
    """The promotion of ``product_ref`` active at ``now`` (at most one)."""
    return Promotion.objects.filter(product_id=product_ref, during__contains=now)


def active_percent(product_ref: Any, now: datetime) -> Subquery:
    """The percent off of the promotion active at ``now`` (at most one)."""
    return Subquery(active_promotions(product_ref, now).values("percent_off")[:1])


def filtered_products(
    filters: ProductFilters,
    *,
    by_price: bool = False,
    subtree: list[int] | None = None,
) -> QuerySet[Product]:
    """Active products matching every filter (AND), unordered.

    ``by_price``: the caller orders by the summary's price, so the category
    filter is put on the summary's copy of the category, which the index
    catalog_summary_cat_price keeps in price order (products without
    variants, having no summary, drop out; they have no price to sort by).
    ``subtree``: the category filter's ids, when the caller has them.
    """
    qs = Product.objects.filter(is_active=True)
    if filters.tags:
        qs = qs.filter(tags__contains=list(filters.tags))
    if filters.any_tags:
        qs = qs.filter(tags__overlap=list(filters.any_tags))
    if filters.category is not None:
        # The subtree's ids as constants (a GiST lookup): PostgreSQL then
        # knows from its statistics how many products they hold and picks
        # an ordered scan of catalog_product_category_cover, of the newest
        # index, or a bitmap, where a subquery would leave it guessing.
        ids = subtree if subtree is not None else subtree_ids(filters.category)
        if by_price:
            qs = qs.filter(summary__category_id__in=ids)
        else:
            qs = qs.filter(category_id__in=ids)
    for path, raw in filters.specs:
        condition = Q()
        for value in spec_values(raw):
            condition |= Q(specs__contains=nested(path, value))
        qs = qs.filter(condition)
    if filters.attributes:
        wanted: dict[str, str] = {}
        for key, value in filters.attributes:
            if wanted.get(key, value) != value:
                return qs.none()
            wanted[key] = value
        qs = qs.filter(attributes__json__contains=wanted)
    if filters.q and clean_query(filters.q):
        qs = qs.filter(search_vector=web_query(filters.q))
    if filters.in_stock is True:
        qs = qs.filter(summary__has_stock=True)
    elif filters.in_stock is False:
        qs = qs.filter(Q(summary__isnull=True) | Q(summary__has_stock=False))
    if filters.min_price is not None or filters.max_price is not None:
        qs = _price_filter(qs, filters)
    return qs


def _price_filter(qs: QuerySet[Product], filters: ProductFilters) -> QuerySet[Product]:
    """Some variant's effective price (now) lies in [min_price, max_price].

    The exact test needs the active promotion; first narrow by base price:
    an effective price is at most the base price and at least the base price
    less the largest discount active now, so variants outside that widened
    range (an indexed range on catalog_variant and catalog_productsummary)
    cannot match. Every value is a query parameter.
    """
    low, high = filters.min_price, filters.max_price
    # Candidates: base price in [low - 1 cent, high widened by the deepest
    # discount active now]; rounding half up moves a price by half a cent.
    candidate_low = low - CENT if low is not None else Decimal(0)
    candidate_high: Decimal | None = None
    if high is not None:
        deepest = (
            Promotion.objects.filter(during__contains=filters.now)
            .order_by("-percent_off")
            .values_list("percent_off", flat=True)
            .first()
        ) or Decimal(0)
        if deepest < 100:
            candidate_high = (high + CENT) * 100 / (100 - deepest)
    qs = qs.filter(summary__price_max__gte=candidate_low)
    if candidate_high is not None:
        qs = qs.filter(summary__price_min__lte=candidate_high)
    # The exact test, for x = price * (100 - percent) / 100 rounded half up
    # to cents: x >= low  <=>  price * (100 - percent) >= (low - 0.005) * 100
    # (low taken up to whole cents), and x <= high  <=>  (100 - percent) *
    # price < (high + 0.005) * 100. Multiplying keeps it exact; writing the
    # two products in different orders keeps PostgreSQL from reading them
    # as one range on one expression (which it guesses matches 0.5% of rows).
    conditions = ["v.price >= %s"]
    params: list[Any] = [filters.now, candidate_low]
    if candidate_high is not None:
        conditions.append("v.price <= %s")
        params.append(candidate_high)
    if low is not None:
        conditions.append("v.price * (100 - coalesce(pr.percent_off, 0)) >= %s")
        params.append((low.quantize(CENT, rounding=ROUND_CEILING) - HALF_CENT) * 100)
    if high is not None:
        conditions.append("(100 - coalesce(pr.percent_off, 0)) * v.price < %s")
        params.append((high.quantize(CENT, rounding=ROUND_FLOOR) + HALF_CENT) * 100)
    return qs.filter(_VariantExists(F("pk"), " AND ".join(conditions), params))


class _VariantExists(Expression):
    """``EXISTS`` a variant of the product matching ``conditions`` (fixed SQL
    over ``v``, the variant, and ``pr``, its product's promotion active at
    the first parameter). Written by hand for the LEFT JOIN: one hash or
    index join with promotions instead of a subquery per variant."""

    output_field = BooleanField()

    def __init__(self, product: Any, conditions: str, params: list[Any]):
        super().__init__()
        self.product, self.conditions, self.params = product, conditions, params

    def get_source_expressions(self) -> list[Any]:
        return [self.product]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.product,) = exprs

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        product_sql, product_params = compiler.compile(self.product)
        sql = (
            "EXISTS (SELECT 1 FROM catalog_variant v"  # noqa: S608  fixed SQL around a compiled column; values are parameters
            " LEFT JOIN catalog_promotion pr"
            " ON pr.product_id = v.product_id AND pr.during @> %s"
            f" WHERE v.product_id = {product_sql} AND {self.conditions})"
        )
        return sql, [self.params[0], *product_params, *self.params[1:]]


def _ordered(
    qs: QuerySet[Product], sort: str, query: SearchQuery | None
) -> tuple[QuerySet[Product], list[str]]:
    if sort == "relevance" and query is not None:
        qs = qs.annotate(rank=SearchRank(F("search_vector"), query))
        return qs, ["-rank", "-id"]
    if sort == "name":
        return qs.annotate(name_key=Lower("name")), ["name_key", "id"]
    if sort in ("price", "-price"):
        # Products without variants have no price, so no place in this order.
        qs = qs.filter(summary__isnull=False).annotate(
            price_key=F("summary__price_min"), summary_key=F("summary__product_id")
        )
        keys = ["price_key", "summary_key"]
        return qs, keys if sort == "price" else [f"-{key}" for key in keys]
    return qs, ["-created_at", "-id"]


def listed_products(
    filters: ProductFilters,
    *,
    sort: str | None = None,
    limit: int,
    cursor: str | None = None,
) -> Page:
    """One page of products annotated by ``with_json_fields``, in one query.

    ``sort`` relevance without search words falls back to newest.
    """
    query = web_query(filters.q) if filters.q and clean_query(filters.q) else None
    sort = sort or ("relevance" if query is not None else "newest")
    if sort == "relevance" and query is None:
        sort = "newest"
    qs, order = _ordered(
        filtered_products(filters, by_price=sort in ("price", "-price")), sort, query
    )
    return keyset_page(
        with_json_fields(qs, now=filters.now),
        order=order,
        limit=limit,
        cursor=cursor,
        scope=f"products:{sort}",
    )


def product_list(
    filters: ProductFilters,
    *,
    sort: str | None = None,
    limit: int,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of product JSON (API.md) and the next cursor, in one query."""
    page = listed_products(filters, sort=sort, limit=limit, cursor=cursor)
    return [product_json(p) for p in page.rows], page.next


def product_detail(slug: str, *, include_inactive: bool = False) -> dict[str, Any]:
    """One product's JSON; raise ProductNotFound."""
    qs = Product.objects.filter(slug=slug)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    product = with_json_fields(qs, now=timezone.now()).first()
    if product is None:
        raise ProductNotFound()
    return product_json(product)


@cache
def _row_subqueries() -> tuple[ArraySubquery, ArraySubquery]:
    """The variant and image subqueries of ``with_json_fields``, built once:
    annotate() resolves a copy each time, and building them anew was a
    tenth of a product request's Python time."""
    variants = ArraySubquery(
        Variant.objects.filter(product_id=OuterRef("pk"))
        .order_by("price", "sku")
        .values(
            json=JSONObject(
                sku="sku",
                # Text keeps money exact (a JSON number would become a float).
                price=Cast("price", TextField()),
                currency="currency",
                stock="stock",
                options="options",
            )
        )
    )
    return variants, image_rows()


def with_json_fields(qs: QuerySet[Product], *, now: datetime) -> QuerySet[Product]:
    """``qs`` with what product JSON needs beyond the product's own columns:
    category, price summary, active promotion, variants and images (as
    arrays of JSON objects), all in the same query, so a page costs one
    query."""
    variants, images = _row_subqueries()
    summary = ProductSummary.objects.filter(product_id=OuterRef("pk"))
    # The search vector is for filtering only: rows carried through a sort
    # are narrower without it.
    return qs.defer("search_vector").annotate(
        variant_rows=variants,
        image_rows=images,
        percent_now=active_percent(OuterRef("pk"), now),
        category_slug=F("category__slug"),
        category_name=F("category__name"),
        category_path=Cast("category__path", TextField()),
        # Subqueries, not a join: they run for the page's rows only, after
        # the sort and limit, so a filter matching thousands of rows is not
        # joined to their summaries first.
        price_min=Subquery(summary.values("price_min")),
        price_max=Subquery(summary.values("price_max")),
    )


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def product_json(product: Any) -> dict[str, Any]:
    """API.md's product JSON of a row annotated by ``with_json_fields``."""
    percent_off: Decimal | None = product.percent_now
    variants = []
    for row in product.variant_rows:
        price = Decimal(row["price"])
        variants.append(
            {
                "sku": row["sku"],
                "price": _money(price),
                "effective_price": _money(discounted(price, percent_off)),
                "currency": row["currency"],
                "stock": row["stock"],
                "options": row["options"],
            }
        )
    images = [image_json(row) for row in product.image_rows]
    return {
        "id": product.pk,
        "slug": product.slug,
        "name": product.name,
        "description": product.description,
        "tags": list(product.tags),
        "specs": product.specs,
        "attributes": dict(product.attributes),
        "is_active": product.is_active,
        "category": {
            "slug": product.category_slug,
            "name": product.category_name,
            "path": product.category_path.split("."),
        },
        "price": {
            "min": _money(product.price_min),
            "max": _money(product.price_max),
            "currency": variants[0]["currency"]
            if variants
            else settings.PANTRY_CURRENCY,
        },
        "promotion": (
            {"percent_off": _money(percent_off)} if percent_off is not None else None
        ),
        "variants": variants,
        "images": images,
        "image": images[0] if images else None,
        "created_at": product.created_at,
        "updated_at": product.updated_at,
    }


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


def category_tree() -> list[dict[str, Any]]:
    """Every category as nested ``{"slug", "name", "children"}``, by name."""
    nodes: dict[int, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    rows: Iterable[Category] = Category.objects.order_by("path")
    pending: list[tuple[int | None, dict[str, Any]]] = []
    for category in rows:
        node = {"slug": category.slug, "name": category.name, "children": []}
        nodes[category.pk] = node
        pending.append((category.parent_id, node))
    for parent_id, node in pending:
        if parent_id is None or parent_id not in nodes:
            roots.append(node)
        else:
            nodes[parent_id]["children"].append(node)
    _sort_tree(roots)
    return roots


def _sort_tree(nodes: list[dict[str, Any]]) -> None:
    nodes.sort(key=lambda n: (n["name"].lower(), n["slug"]))
    for node in nodes:
        _sort_tree(node["children"])


@dataclass(frozen=True)
class LowStock:
    """A variant that is about to sell out, for the staff dashboard."""

    sku: str
    name: str  # the display name: product name plus options
    stock: int
    product_id: int


def low_stock_variants(*, threshold: int, limit: int) -> list[LowStock]:
    """Variants of active products with 1 to ``threshold`` left, fewest first.

    Sold-out variants are left out: they are the product list's in-stock
    filter. One query.
    """
    rows = (
        Variant.objects.filter(
            stock__gte=1, stock__lte=threshold, product__is_active=True
        )
        .select_related("product")
        .only("sku", "stock", "options", "product__name", "product__is_active")
        .order_by("stock", "sku")[:limit]
    )
    return [
        LowStock(
            sku=row.sku,
            name=variant_name(row.product.name, row.options),
            stock=row.stock,
            product_id=row.product_id,
        )
        for row in rows
    ]
