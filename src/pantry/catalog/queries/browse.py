"""The category tree and the variants about to sell out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pantry.catalog.models import Category, LowStockVariant, variant_name


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


def low_stock_variants(*, limit: int) -> list[LowStock]:
    """Variants of active products with 1 to LOW_STOCK left, fewest first.

    Sold-out variants are left out: they are the product list's in-stock
    filter. One query, the head of the low-stock index whatever the size
    of the catalog.
    """
    rows = (
        LowStockVariant.objects.filter(variant__product__is_active=True)
        .select_related("variant__product")
        .only(
            "sku",
            "stock",
            "variant__options",
            "variant__product__name",
            "variant__product__is_active",
        )
        .order_by("stock", "sku")[:limit]
    )
    return [
        LowStock(
            sku=row.sku,
            name=variant_name(row.variant.product.name, row.variant.options),
            stock=row.stock,
            product_id=row.variant.product_id,
        )
        for row in rows
    ]
