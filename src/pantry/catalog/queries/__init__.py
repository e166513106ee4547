"""Catalog reads: the product list with its filters, detail, cards, tree.

``matching`` turns filters into one queryset, ``rows`` shapes a page of
product JSON in one query, ``cards`` the storefront's cards, ``browse``
the category tree and low stock, ``freshness`` what cached values depend
on besides writes. Other apps import from here.
"""

from pantry.catalog.filters import ProductFilters
from pantry.catalog.models import variant_name
from pantry.catalog.queries.browse import LowStock, category_tree, low_stock_variants
from pantry.catalog.queries.cards import ProductCard, newest_cards, product_card
from pantry.catalog.queries.freshness import (
    WATCH_WITH_STOCK,
    next_price_change,
    stock_of,
)
from pantry.catalog.queries.matching import (
    active_percent,
    active_promotions,
    filtered_products,
    tag_bound,
)
from pantry.catalog.queries.rows import (
    listed_products,
    product_detail,
    product_json,
    product_list,
    with_json_fields,
)

__all__ = [
    "WATCH_WITH_STOCK",
    "LowStock",
    "ProductCard",
    "ProductFilters",
    "active_percent",
    "active_promotions",
    "category_tree",
    "filtered_products",
    "listed_products",
    "low_stock_variants",
    "newest_cards",
    "next_price_change",
    "product_card",
    "product_detail",
    "product_json",
    "product_list",
    "stock_of",
    "tag_bound",
    "variant_name",
    "with_json_fields",
]
