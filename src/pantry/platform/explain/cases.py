"""pantry's key queries, each run through the real query function with
parameters drawn from the current data."""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from pantry.catalog import queries as catalog
from pantry.catalog.facets import facets
from pantry.catalog.queries import ProductFilters
from pantry.catalog.stock import take_stock
from pantry.core.errors import PantryError
from pantry.journal.queries import post_list
from pantry.orders import queries as orders
from pantry.search import queries as search

# Parameters come from the newest rows: cheap to read on any size of table,
# and what a shop's visitors look at most.
SAMPLE = 1000
PAGE = 20


def _one(sql: str, params: Any = None) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None


@dataclass(frozen=True)
class Case:
    """A named key query; ``build`` returns its action, or None without data."""

    name: str
    build: Callable[[Samples], Callable[[], Any] | None]


class Samples:
    """Representative parameters, each looked up once, None when no data has it."""

    def __init__(self) -> None:
        self._cache: dict[str, Any] = {}

    def get(self, key: str) -> Any:
        if key not in self._cache:
            self._cache[key] = getattr(self, f"_{key}")()
        return self._cache[key]

    def _tag(self) -> str | None:
        return _one(
            "SELECT tag FROM (SELECT tags FROM catalog_product WHERE is_active"
            " ORDER BY id DESC LIMIT %s) p, unnest(p.tags) AS tag"
            " GROUP BY tag ORDER BY count(*) DESC, tag LIMIT 1",
            [SAMPLE],
        )

    def _category(self) -> str | None:
        # The top-level category of a recent product: a large subtree.
        return _one(
            "SELECT top.slug FROM catalog_product p"
            " JOIN catalog_category c ON c.id = p.category_id"
            " JOIN catalog_category top ON top.path = subpath(c.path, 0, 1)"
            " WHERE p.is_active ORDER BY p.id DESC LIMIT 1"
        )

    def _attribute(self) -> tuple[str, str] | None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT e.key, e.value FROM (SELECT attributes FROM catalog_product"
                " WHERE is_active ORDER BY id DESC LIMIT %s) p, each(p.attributes) e"
                " GROUP BY 1, 2 ORDER BY count(*) DESC, 1, 2 LIMIT 1",
                [SAMPLE],
            )
            row = cursor.fetchone()
        return (row[0], row[1]) if row else None

    def _spec(self) -> tuple[list[str], str] | None:
        found: Counter[tuple[tuple[str, ...], str]] = Counter()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT specs FROM catalog_product WHERE is_active"
                " ORDER BY id DESC LIMIT %s",
                [SAMPLE],
            )
            for (specs,) in cursor.fetchall():
                # Django reads jsonb as text and decodes it in the field.
                decoded = json.loads(specs) if isinstance(specs, str) else specs
                for path, value in _leaves(decoded, ()):
                    found[(path, value)] += 1
        if not found:
            return None
        (path, value), _ = found.most_common(1)[0]
        return list(path), value

    def _price_range(self) -> tuple[Decimal, Decimal] | None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT percentile_disc(0.4) WITHIN GROUP (ORDER BY price),"
                " percentile_disc(0.6) WITHIN GROUP (ORDER BY price)"
                " FROM (SELECT price FROM catalog_variant ORDER BY id DESC LIMIT %s) v",
                [SAMPLE],
            )
            low, high = cursor.fetchone()
        return (low, high) if low is not None else None

    def _word(self) -> str | None:
        # A common word but not the commonest: what visitors type.
        return _one(
            "SELECT word FROM (SELECT word, product_count FROM search_lexicon"
            " WHERE product_count > 0 AND length(word) >= 4"
            " ORDER BY product_count DESC, word LIMIT 20) w"
            " ORDER BY product_count, word LIMIT 1"
        )

    def _post_word(self) -> str | None:
        return _one(
            "SELECT word FROM search_lexicon WHERE post_count > 0"
            " AND length(word) >= 4 ORDER BY post_count DESC, word LIMIT 1"
        )

    def _author(self) -> str | None:
        return _one(
            "SELECT u.username FROM journal_post p"
            " JOIN journal_author a ON a.id = p.author_id"
            " JOIN auth_user u ON u.id = a.user_id"
            " WHERE p.status = 'published' ORDER BY p.id DESC LIMIT 1"
        )

    def _post_tag(self) -> str | None:
        return _one(
            "SELECT tag FROM (SELECT tags FROM journal_post WHERE status = 'published'"
            " ORDER BY id DESC LIMIT %s) p, unnest(p.tags) AS tag"
            " GROUP BY tag ORDER BY count(*) DESC, tag LIMIT 1",
            [SAMPLE],
        )

    def _email(self) -> str | None:
        return _one("SELECT email FROM orders_order ORDER BY id DESC LIMIT 1")

    def _status(self) -> str | None:
        return _one(
            "SELECT status FROM (SELECT status FROM orders_order"
            " ORDER BY id DESC LIMIT %s) o GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1",
            [SAMPLE],
        )

    def _currency(self) -> str:
        found = _one("SELECT currency FROM orders_order ORDER BY id DESC LIMIT 1")
        return found or settings.PANTRY_CURRENCY

    def _skus(self) -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT sku FROM catalog_variant WHERE stock > 0"
                " ORDER BY id DESC LIMIT 3"
            )
            return [sku for (sku,) in cursor.fetchall()]


def _leaves(value: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], str]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _leaves(inner, (*path, key))
    elif path and isinstance(value, str):
        yield path, value
    elif path and isinstance(value, bool):
        yield path, "true" if value else "false"
    elif path and isinstance(value, int | float):
        yield path, str(value)


def _products(
    samples: Samples, need: str | None, sort: str | None = None, **make: Any
) -> Callable[[], Any] | None:
    if need is not None and samples.get(need) is None:
        return None
    filters = ProductFilters(**{k: v(samples) for k, v in make.items()})
    return lambda: catalog.product_list(filters, sort=sort, limit=PAGE)


def _facets(samples: Samples) -> Callable[[], Any] | None:
    category = samples.get("category")
    if category is None:
        return None
    return lambda: facets(ProductFilters(category=category))


def _search(samples: Samples) -> Callable[[], Any] | None:
    word = samples.get("word")
    return None if word is None else lambda: search.search(word)


def _suggest(samples: Samples) -> Callable[[], Any] | None:
    word = samples.get("word")
    return None if word is None else lambda: search.suggest(word[:4])


def _posts(need: str | None, **make: Callable[[Samples], Any]) -> Any:
    def build(samples: Samples) -> Callable[[], Any] | None:
        if need is not None and samples.get(need) is None:
            return None
        kwargs = {k: v(samples) for k, v in make.items()}
        return lambda: post_list(limit=PAGE, **kwargs)

    return build


def _orders(need: str | None, **make: Callable[[Samples], Any]) -> Any:
    def build(samples: Samples) -> Callable[[], Any] | None:
        if need is not None and samples.get(need) is None:
            return None
        filters = orders.OrderFilters(**{k: v(samples) for k, v in make.items()})
        return lambda: orders.order_list(filters=filters, limit=PAGE, cursor=None)

    return build


def _report(kind: str) -> Any:
    def build(samples: Samples) -> Callable[[], Any]:
        end = timezone.now().date()
        start = end - timedelta(days=29)
        currency = samples.get("currency")
        if kind == "sales":
            return lambda: orders.sales_report(
                start=start, end=end, bucket="day", currency=currency
            )
        return lambda: orders.top_products(
            start=start, end=end, limit=10, currency=currency
        )

    return build


def _take_stock(samples: Samples) -> Callable[[], Any] | None:
    skus = samples.get("skus")
    if not skus:
        return None

    def action() -> None:
        # Rolled back by the caller; a SKU short of stock still shows the plan.
        with contextlib.suppress(PantryError):
            take_stock(dict.fromkeys(skus, 1))

    return action


def _spec_filter(samples: Samples) -> Any:
    path, value = samples.get("spec")
    return [(path, value)]


CASES = [
    Case("products.newest", lambda s: _products(s, None)),
    Case("products.name", lambda s: _products(s, None, "name")),
    Case("products.price", lambda s: _products(s, None, "price")),
    Case("products.-price", lambda s: _products(s, None, "-price")),
    Case("products.in_stock", lambda s: _products(s, None, in_stock=lambda _: True)),
    Case("products.tag", lambda s: _products(s, "tag", tags=lambda x: [x.get("tag")])),
    Case(
        "products.any_tag",
        lambda s: _products(s, "tag", any_tags=lambda x: [x.get("tag")]),
    ),
    Case(
        "products.category",
        lambda s: _products(s, "category", category=lambda x: x.get("category")),
    ),
    Case(
        "products.category_price",
        lambda s: _products(
            s,
            "category",
            "price",
            category=lambda x: x.get("category"),
            in_stock=lambda _: True,
        ),
    ),
    Case("products.spec", lambda s: _products(s, "spec", specs=_spec_filter)),
    Case(
        "products.attr",
        lambda s: _products(s, "attribute", attributes=lambda x: [x.get("attribute")]),
    ),
    Case(
        "products.price_range",
        lambda s: _products(
            s,
            "price_range",
            min_price=lambda x: x.get("price_range")[0],
            max_price=lambda x: x.get("price_range")[1],
        ),
    ),
    Case("products.q", lambda s: _products(s, "word", q=lambda x: x.get("word"))),
    Case("products.facets", _facets),
    Case("search", _search),
    Case("search.suggest", _suggest),
    Case("posts.newest", _posts(None)),
    Case("posts.author", _posts("author", author=lambda x: x.get("author"))),
    Case("posts.tag", _posts("post_tag", tag=lambda x: x.get("post_tag"))),
    Case("posts.q", _posts("post_word", q=lambda x: x.get("post_word"))),
    Case("orders.list", _orders(None)),
    Case("orders.status", _orders("status", status=lambda x: x.get("status"))),
    Case("orders.email", _orders("email", email=lambda x: x.get("email"))),
    Case("reports.sales", _report("sales")),
    Case("reports.top_products", _report("top")),
    Case("checkout.take_stock", _take_stock),
]
NAMES = [case.name for case in CASES]
