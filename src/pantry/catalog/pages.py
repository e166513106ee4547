"""Reads shaped for the catalog's storefront pages: the product list with
its facets, a product's own part of its page.

Each function issues a fixed number of queries, whatever the number of rows
it returns: prices, promotions and stock come as subquery annotations, not
per-row lookups.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db.models import DateTimeField, F, Func, OuterRef, Subquery
from django.utils import timezone

from pantry.catalog.facets import SpecCounts, about, facets, spec_counts
from pantry.catalog.filters import ListRequest, ProductFilters, parse_filters
from pantry.catalog.images.shapes import ShownImage, image_rows, shown_image
from pantry.catalog.models import Category, Product, Variant, option_label
from pantry.catalog.queries import (
    ProductCard,
    active_promotions,
    listed_products,
    next_price_change,
    product_card,
)
from pantry.core import pagecache


@dataclass(frozen=True)
class VariantRow:
    sku: str
    options: str
    price: Decimal
    effective_price: Decimal
    currency: str
    stock: int


@dataclass(frozen=True)
class ProductView:
    """The catalog's part of a product page."""

    product: Product
    percent_off: Decimal | None
    promotion_ends_at: Any
    variants: list[VariantRow]
    specs: list[tuple[str, str]]
    # Every image at detail size, primary first (a placeholder when none).
    images: list[ShownImage] = field(default_factory=list)


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
    """A variant's options as a shopper reads them: "16 GB RAM, 512 GB SSD"."""
    return option_label(options)


def product_view(slug: str) -> ProductView | None:
    """An active product for its page in two queries, or None."""
    running = active_promotions(OuterRef("pk"), timezone.now())
    product = (
        Product.objects.filter(slug=slug, is_active=True)
        .select_related("category")
        .defer("search_vector")
        .annotate(
            percent_off=Subquery(running.values("percent_off")[:1]),
            image_rows=image_rows(),
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
    return ProductView(
        product=product,
        percent_off=percent_off,
        promotion_ends_at=product.promotion_ends_at,
        variants=variants,
        specs=spec_rows(product.specs) if product.specs else [],
        images=[shown_image(row, size="detail") for row in product.image_rows]
        or [shown_image(None, size="detail")],
    )


def featured_categories(limit: int) -> list[Category]:
    """The top of the category tree, by name."""
    return list(Category.objects.filter(parent__isnull=True).order_by("name")[:limit])


# -- the product list page ---------------------------------------------------

LIST_SIZE = 24
SORT_CHOICES = (
    ("newest", "Newest"),
    ("price", "Price, low to high"),
    ("-price", "Price, high to low"),
    ("name", "Name"),
)
MENU_DEPTH = 2


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    count: int
    selected: bool
    # Categories only: the slugs from the root of the tree.
    path: tuple[str, ...] = ()
    # The count is an estimate (docs/facets.md).
    estimated: bool = False

    @property
    def count_label(self) -> str:
        """The count as shown: "about 12,000" when it is an estimate."""
        return count_label(self.count, self.estimated)

    @property
    def indent(self) -> str:
        """Em spaces showing a category's depth in a flat menu."""
        return "\u2003" * max(len(self.path) - 1, 0)


def count_label(count: int, estimated: bool) -> str:
    return f"about {count:,}" if estimated else f"{count:,}"


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
    # How many products match, and how many of them are in stock; estimates
    # (rounded, shown as "about") when ``counts_estimated``.
    total: int = 0
    in_stock_count: int = 0
    counts_estimated: bool = False

    @property
    def total_label(self) -> str:
        return count_label(self.total, self.counts_estimated)

    @property
    def in_stock_label(self) -> str:
        return count_label(self.in_stock_count, self.counts_estimated)

    @property
    def category_menu(self) -> list[Choice]:
        """Categories for the menu: two levels (a big tree would swamp it)
        and the chosen one; category pages list their own subcategories."""
        return [
            choice
            for choice in self.categories
            if len(choice.path) <= MENU_DEPTH or choice.selected
        ]


def list_request(params: Any, *, category: str | None = None) -> ListRequest:
    """The list filters of a page's GET parameters (the API's names); a bad
    filter is dropped, and ``notes`` says so."""
    return parse_filters(
        params, strict=False, category=category, default_limit=LIST_SIZE
    )


def _facets_key(filters: ProductFilters) -> str:
    """The filters that decide facet counts (not the sort, page or limit)."""
    return repr(
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
        )
    )


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
    """Facet counts for the matching set, cached under the content
    generation (pantry.core.pagecache: never stale), shared by every page
    and sort order of one filter set.

    The counts are fast uncached (docs/facets.md). Spec values are counted
    in a category without subcategories only: wider categories mix kinds
    of products whose specs share little, and counting them costs as much
    again.
    """
    return pagecache.cached(
        "catalog-facets",
        _facets_key(request.filters),
        lambda: _counted_facets(request.filters),
        model=Product,
        until=next_price_change,
    )


def _counted_facets(filters: ProductFilters) -> dict[str, Any]:
    # In a category with no subcategory at all, the facets' exact pass
    # counts the spec values of the matches it finds anyway.
    result = dict(facets(filters, leaf_specs=not filters.specs))
    leaf = _is_leaf(filters.category, result["categories"])
    counts: SpecCounts | None = result.pop("spec_counts", None)
    if not leaf:
        counts = SpecCounts([], 0)
    elif counts is None:
        counts = spec_counts(filters)
    specs = counts.rows
    result["specs_estimated"] = counts.estimated
    if result["specs_estimated"]:
        # Scale the first matches read to the whole set without spec filters.
        base = result if not filters.specs else facets(replace(filters, specs=()))
        scale = base["total"] / counts.read
        specs = [(path, value, about(n * scale)) for path, value, n in specs]
    result["specs"] = specs
    return result


def _spec_label(path: str) -> str:
    return " / ".join(part.replace("_", " ").capitalize() for part in path.split("."))


def list_page(request: ListRequest, *, limit: int | None = None) -> ListPage:
    """One page of product cards and the facets of the whole matching set.

    Raises the catalog's UnknownCategory, and BadRequest for a bad cursor.
    """
    filters = request.filters
    found = listed_products(
        filters, sort=request.sort, limit=limit or request.limit, cursor=request.cursor
    )
    counted = _cached_facets(request)
    estimated = bool(counted.get("count_is_estimate"))
    tags_chosen = set(filters.tags)
    tags = [
        Choice(
            row["value"],
            row["value"],
            row["count"],
            row["value"] in tags_chosen,
            estimated=estimated,
        )
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
            estimated=estimated,
        )
        for row in counted["categories"]
    ]
    chosen_specs = {".".join(path): value for path, value in filters.specs}
    by_path: dict[str, list[Choice]] = {}
    for path, value, count in counted["specs"]:
        by_path.setdefault(path, []).append(
            Choice(
                value,
                value,
                count,
                chosen_specs.get(path) == value,
                estimated=estimated or bool(counted.get("specs_estimated")),
            )
        )
    specs = [
        SpecFacet(f"spec.{path}", _spec_label(path), choices)
        for path, choices in by_path.items()
    ]
    return ListPage(
        cards=[product_card(row) for row in found.rows],
        next_cursor=found.next,
        tags=tags,
        categories=categories,
        specs=specs,
        price_min=counted["price"]["min"],
        price_max=counted["price"]["max"],
        total=counted["total"],
        in_stock_count=counted["in_stock"]["count"],
        counts_estimated=estimated,
    )
