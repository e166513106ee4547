"""Reads of the pages composed from several apps: home and product pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pantry.catalog.models import Category
from pantry.catalog.pages import ProductView, featured_categories, product_view
from pantry.catalog.queries import ProductCard, newest_cards, next_price_change
from pantry.journal.queries import next_publication, post_list, posts_about_product

HOME_CATEGORIES = 8
HOME_PRODUCTS = 8
HOME_POSTS = 3
RELATED_POSTS = 5


@dataclass(frozen=True)
class HomePage:
    categories: list[Category]
    products: list[ProductCard]
    posts: list[Any]


@dataclass(frozen=True)
class ProductPage:
    """A product's page: the catalog's view of it and posts about it."""

    view: ProductView
    posts: list[Any]


def home_page() -> HomePage:
    """Top categories, the newest products and the latest public posts."""
    return HomePage(
        categories=featured_categories(HOME_CATEGORIES),
        products=newest_cards(HOME_PRODUCTS),
        posts=list(post_list(limit=HOME_POSTS).rows),
    )


def product_page(slug: str) -> ProductPage | None:
    """The product page's data in three queries, or None for an unknown slug."""
    view = product_view(slug)
    if view is None:
        return None
    return ProductPage(
        view=view, posts=posts_about_product(view.product.pk, limit=RELATED_POSTS)
    )


def next_change() -> datetime | None:
    """When a product page next changes without a write: a promotion starting
    or ending, or a post about it going public."""
    moments = [m for m in (next_price_change(), next_publication()) if m]
    return min(moments, default=None)
