"""The product list's filters as one queryset (every filter AND-ed).

Every filter is a parameterised expression over an indexed column: tags
(GIN ``@>``/``&&``), specs (jsonb_path_ops ``@>`` of a nested object
built from the dotted path) and attributes (the same, of their jsonb form)
in one GIN index, category (GiST ltree ``<@``), text (GIN tsvector ``@@``).
User text is only ever a value.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from django.db import connection
from django.db.models import BooleanField, F, Q, QuerySet, Subquery
from django.db.models.expressions import Expression

from pantry.catalog.filters import ProductFilters, nested, spec_values, subtree_ids
from pantry.catalog.models import Product, Promotion
from pantry.core.textsearch import clean_query, web_query

CENT = Decimal("0.01")
HALF_CENT = Decimal("0.005")


def active_promotions(product_ref: Any, now: datetime) -> QuerySet[Promotion]:
    """The promotion of ``product_ref`` active at ``now`` (at most one)."""
    return Promotion.objects.filter(product_id=product_ref, during__contains=now)


def active_percent(product_ref: Any, now: datetime) -> Subquery:
    """The percent off of the promotion active at ``now`` (at most one)."""
    return Subquery(active_promotions(product_ref, now).values("percent_off")[:1])


# Per wanted tag, the active products of the category's subtree carrying it
# (in stock only, with %(stock)s), from the counts the triggers keep. The
# least count of the tags all wanted bounds the matches, and so does the sum
# of the counts of the tags any of which will do. No row for an unknown
# category.
_TAG_BOUND = """
WITH per_tag AS (
    SELECT t.all_wanted,
           coalesce(sum(CASE WHEN %(stock)s THEN f.in_stock ELSE f.products END), 0)
               AS n
    FROM (SELECT tag, true FROM unnest(%(tags)s::text[]) AS wanted(tag)
          UNION
          SELECT tag, false FROM unnest(%(any_tags)s::text[]) AS offered(tag))
         AS t(tag, all_wanted)
    LEFT JOIN catalog_facetcount f ON f.tag = t.tag AND f.category_id IN (
        SELECT c.id FROM catalog_category c, catalog_category top
        WHERE top.slug = %(slug)s AND c.path <@ top.path)
    GROUP BY t.tag, t.all_wanted
)
SELECT least(min(n) FILTER (WHERE all_wanted), sum(n) FILTER (WHERE NOT all_wanted))
FROM per_tag
WHERE EXISTS (SELECT 1 FROM catalog_category WHERE slug = %(slug)s)
"""


def tag_bound(filters: ProductFilters) -> int | None:
    """At most how many products match ``filters``, when they name tags
    (all of them or any of them) and a category (None otherwise, and for an
    unknown category).

    PostgreSQL takes a tag and a category as independent, so for a tag
    that few products of the category carry it walks the newest index
    across the whole catalog (1 s at a million products for a pair that
    matches nothing). The kept facet counts know the pair's number.
    """
    if not (filters.tags or filters.any_tags) or filters.category is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            _TAG_BOUND,
            {
                "tags": list(filters.tags),
                "any_tags": list(filters.any_tags),
                "slug": filters.category,
                "stock": filters.in_stock is True,
            },
        )
        (bound,) = cursor.fetchone()
    return None if bound is None else int(bound)


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
