"""Product rows shaped for API.md's product JSON: one query per page."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import (
    DateTimeField,
    ExpressionWrapper,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Concat, JSONObject, Lower
from django.utils import timezone

from pantry.catalog.errors import ProductNotFound
from pantry.catalog.filters import ProductFilters
from pantry.catalog.images.shapes import image_json, image_rows
from pantry.catalog.models import Product, ProductSummary, Variant, discounted
from pantry.catalog.queries.matching import (
    active_percent,
    filtered_products,
    tag_bound,
)
from pantry.core.pagination import Page, keyset_page
from pantry.core.textsearch import clean_query, web_query

# How many matches of ``q`` the relevance order ranks: the newest ones.
RANKED_MATCHES = 10_000
# Up to this many matches a page is found faster through the filters'
# indexes (a bitmap, then a sort of the matches) than by walking an index
# in the page's order.
FEW_MATCHES = 2_000


def _newest(qs: QuerySet[Product], *, few: bool) -> tuple[QuerySet[Product], list[str]]:
    """``qs`` and its newest-first keyset order; with ``few``, by a key no
    index serves (see ``_ordered``)."""
    if not few:
        return qs, ["-created_at", "-id"]
    key = ExpressionWrapper(
        F("created_at") + Value(timedelta(0)), output_field=DateTimeField()
    )
    return qs.annotate(newest_key=key), ["-newest_key", "-id"]


def _ordered(
    qs: QuerySet[Product],
    sort: str,
    query: SearchQuery | None,
    *,
    few: bool = False,
) -> tuple[QuerySet[Product], list[str]]:
    """``qs`` and its keyset order. ``few``: the filters match few rows, so
    the keys are expressions no index serves (the same values, so cursors
    stay valid): PostgreSQL then finds the matches by their filters' indexes
    and sorts them, instead of walking an ordered index past rows that fail
    the filters."""
    if sort == "relevance" and query is not None:
        # Ranking every match of a common word read every one (seconds at a
        # million products); the newest RANKED_MATCHES are ranked, as a
        # search engine's result window is bounded (docs/api.md).
        # The outer query reads those rows by key, not the filters again.
        newest, keys = _newest(qs, few=few)
        window = newest.order_by(*keys).values("pk")[:RANKED_MATCHES]
        qs = Product.objects.filter(pk__in=Subquery(window))
        qs = qs.annotate(rank=SearchRank(F("search_vector"), query))
        return qs, ["-rank", "-id"]
    if sort == "name":
        name = Concat("name", Value("")) if few else F("name")
        return qs.annotate(name_key=Lower(name)), ["name_key", "id"]
    if sort in ("price", "-price"):
        # Products without variants have no price, so no place in this order.
        qs = qs.filter(summary__isnull=False).annotate(
            price_key=F("summary__price_min"), summary_key=F("summary__product_id")
        )
        keys = ["price_key", "summary_key"]
        return qs, keys if sort == "price" else [f"-{key}" for key in keys]
    return _newest(qs, few=few)


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
    bound = tag_bound(filters)
    qs = filtered_products(filters, by_price=sort in ("price", "-price"))
    if bound == 0:
        qs = qs.none()
    qs, order = _ordered(
        qs, sort, query, few=bound is not None and bound <= FEW_MATCHES
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


_OUTER = '("catalog_product"."id")'


class Precompiled(RawSQL):
    """A row subquery's SQL, compiled once for the product table's own
    alias. Resolving and compiling the nested JSON subqueries anew was
    most of a list request's Python time; raw SQL costs nothing to
    resolve. Only for top-level product queries: relabelled (nested in
    another query) it refuses rather than point at the wrong table."""

    def __init__(self, subquery: ArraySubquery) -> None:
        query = Product.objects.annotate(row_subquery=subquery).values("row_subquery")
        sql, params = query.query.sql_with_params()
        head, tail = "SELECT ", ' AS "row_subquery" FROM "catalog_product"'
        if not (sql.startswith(head) and sql.endswith(tail) and _OUTER in sql):
            raise ValueError(f"unexpected subquery SQL: {sql}")
        super().__init__(sql[len(head) : -len(tail)], params, subquery.output_field)

    def relabeled_clone(self, change_map: Mapping[str, str]) -> Precompiled:
        if "catalog_product" in change_map:
            raise NotImplementedError("row subqueries are for top-level queries")
        return self


@cache
def _row_subqueries() -> tuple[Precompiled, Precompiled]:
    """The variant and image subqueries of ``with_json_fields``, built and
    compiled once."""
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
    return Precompiled(variants), Precompiled(image_rows())


def with_json_fields(qs: QuerySet[Product], *, now: datetime) -> QuerySet[Product]:
    """``qs`` with what product JSON needs beyond the product's own columns:
    category, price summary, active promotion, variants and images (as
    arrays of JSON objects), all in the same query, so a page costs one
    query."""
    # The subqueries' SQL names the product table by its own name.
    assert qs.query.base_table in (None, Product._meta.db_table)
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
