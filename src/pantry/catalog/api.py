"""Catalog endpoints of API.md: products, facets, variants, categories,
promotions. Handlers parse, call one query or service, and shape output.

Choices API.md leaves open:
- An unknown category slug is 422 ``unknown_category``, whether it comes in
  a body (product, category parent) or as the ``category`` filter: the
  request is well-formed but names nothing.
- ``sort=price``/``-price`` order by the lowest base variant price (the
  product's ``price.min``); products without variants have no price and are
  not listed in those orders. ``min_price``/``max_price`` and the facets'
  price range use the effective price (the promotion active now applied).
- ``in_stock=false`` lists products with no variant in stock.
- ``sort=relevance`` without ``q`` falls back to ``newest``.
- ``PATCH /products/{slug}`` with ``variants`` makes them the product's
  whole set, matched by SKU (listed ones created or updated, others
  deleted).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from ninja.responses import Status
from pydantic import AfterValidator, field_validator, model_validator

from pantry.catalog import facets, filters, queries, rules, services
from pantry.catalog.images.api import ImageOut
from pantry.catalog.images.api import router as images_router
from pantry.catalog.models import Product
from pantry.core import pagecache
from pantry.core.auth import staff
from pantry.core.errors import NotFound
from pantry.core.openapi import error_response
from pantry.core.renderers import dumps
from pantry.core.times import AwareMoment

router = Router(tags=["catalog"])
router.add_router("", images_router)

SLUG = rules.SLUG_PATTERN


def _clean_text(value: Any) -> Any:
    """Refuse text PostgreSQL cannot store (NUL, lone surrogates), anywhere."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("text may not contain NUL characters")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("text is not valid Unicode") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _clean_text(key)
            _clean_text(item)
    elif isinstance(value, list):
        for item in value:
            _clean_text(item)
    return value


Text = Annotated[str, AfterValidator(_clean_text)]
JsonObject = Annotated[dict[str, Any], AfterValidator(_clean_text)]
StringMap = Annotated[dict[str, str], AfterValidator(_clean_text)]
Price = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]
Stock = Annotated[int, Field(ge=0, le=2**31 - 1)]
Sku = Annotated[
    str,
    Field(min_length=1, max_length=rules.SKU_MAX, pattern=r"^[^\s]+$"),
    AfterValidator(_clean_text),
]


# -- schemas -------------------------------------------------------------


class VariantIn(Schema):
    sku: Sku
    price: Price
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")
    stock: Stock = 0
    options: JsonObject = {}

    def as_input(self) -> services.VariantInput:
        return services.VariantInput(
            sku=self.sku,
            price=self.price,
            stock=self.stock,
            currency=self.currency or "",
            options=self.options,
        )


class ProductIn(Schema):
    name: Text = Field(min_length=1, max_length=rules.NAME_MAX)
    slug: str | None = Field(None, max_length=rules.SLUG_MAX, pattern=SLUG)
    description: Text = Field("", max_length=20_000)
    category: Text = Field(max_length=100)
    tags: list[Text] = Field([], max_length=50)
    specs: JsonObject = {}
    attributes: StringMap = {}
    is_active: bool = True
    variants: list[VariantIn] = Field([], max_length=200)

    @field_validator("tags")
    @classmethod
    def _tags(cls, tags: list[str]) -> list[str]:
        return _normalised_tags(tags)


class ProductPatch(Schema):
    name: Text | None = Field(None, min_length=1, max_length=rules.NAME_MAX)
    slug: str | None = Field(None, max_length=rules.SLUG_MAX, pattern=SLUG)
    description: Text | None = Field(None, max_length=20_000)
    category: Text | None = Field(None, max_length=100)
    tags: list[Text] | None = Field(None, max_length=50)
    specs: JsonObject | None = None
    attributes: StringMap | None = None
    is_active: bool | None = None
    variants: list[VariantIn] | None = Field(None, max_length=200)

    @field_validator("tags")
    @classmethod
    def _tags(cls, tags: list[str] | None) -> list[str] | None:
        return None if tags is None else _normalised_tags(tags)

    @model_validator(mode="after")
    def _no_nulls(self) -> ProductPatch:
        nulls = [k for k in self.model_fields_set if getattr(self, k) is None]
        if nulls:
            raise ValueError(f"may not be null: {', '.join(sorted(nulls))}")
        return self


class VariantPatch(Schema):
    price: Price | None = None
    stock: Stock | None = None
    options: JsonObject | None = None

    @model_validator(mode="after")
    def _no_nulls(self) -> VariantPatch:
        nulls = [k for k in self.model_fields_set if getattr(self, k) is None]
        if nulls:
            raise ValueError(f"may not be null: {', '.join(sorted(nulls))}")
        return self


class CategoryIn(Schema):
    slug: str = Field(min_length=1, max_length=rules.CATEGORY_SLUG_MAX, pattern=SLUG)
    name: Text = Field(min_length=1, max_length=rules.NAME_MAX)
    parent: Text | None = Field(None, max_length=100)


class PromotionIn(Schema):
    percent_off: Decimal = Field(gt=0, le=100, max_digits=5, decimal_places=2)
    starts_at: AwareMoment
    ends_at: AwareMoment


class CategoryRef(Schema):
    slug: str
    name: str
    path: list[str]


class PriceRange(Schema):
    min: str | None
    max: str | None
    currency: str


class VariantOut(Schema):
    sku: str
    price: str
    effective_price: str
    currency: str
    stock: int
    options: dict[str, Any]


class ProductOut(Schema):
    id: int
    slug: str
    name: str
    description: str
    tags: list[str]
    specs: dict[str, Any]
    attributes: dict[str, str]
    is_active: bool
    category: CategoryRef
    price: PriceRange
    promotion: dict[str, str] | None
    variants: list[VariantOut]
    images: list[ImageOut] = []
    image: ImageOut | None = None
    created_at: datetime
    updated_at: datetime


class ProductPage(Schema):
    items: list[ProductOut]
    next: str | None


class TagCount(Schema):
    value: str
    count: int


class CategoryCount(Schema):
    slug: str
    name: str
    path: list[str]
    count: int


class FacetPrice(Schema):
    min: str | None
    max: str | None


class Facets(Schema):
    tags: list[TagCount]
    categories: list[CategoryCount]
    price: FacetPrice


class CategoryNode(Schema):
    slug: str
    name: str
    children: list[CategoryNode]


class CategoryOut(Schema):
    slug: str
    name: str
    path: list[str]


class PromotionOut(Schema):
    id: int
    product: str
    percent_off: str
    starts_at: datetime
    ends_at: datetime


def _normalised_tags(tags: list[str]) -> list[str]:
    cleaned = rules.normal_tags(tags)
    for tag in cleaned:
        if not tag:
            raise ValueError("tags may not be blank")
        if len(tag) > rules.TAG_MAX:
            raise ValueError(f"tags are at most {rules.TAG_MAX} characters")
    return cleaned


# -- endpoints -----------------------------------------------------------


def _key(value: str) -> str:
    """A slug or SKU from the path; one PostgreSQL cannot hold names nothing."""
    try:
        _clean_text(value)
    except ValueError:
        raise NotFound() from None
    return value


def _json(body: Any) -> HttpResponse:
    """Already-shaped JSON, sent as is: validating a page of products against
    the response schema (kept for the OpenAPI document) would cost more than
    the query that built it. Same encoder as ninja's renderer."""
    return HttpResponse(dumps(body), content_type="application/json")


def _cached_json(
    name: str,
    key: str,
    build: Callable[[], bytes],
    *,
    watch: tuple[str, ...] = pagecache.CONTENT,
    vary: tuple[str, list[str]] | None = None,
) -> HttpResponse:
    """A public read's JSON, cached under the catalog's generations (never
    stale; pantry.core.pagecache); errors are raised, not cached."""
    body = pagecache.cached(
        name,
        key,
        build,
        model=Product,
        until=queries.next_price_change,
        watch=watch,
        vary=vary,
    )
    return HttpResponse(body, content_type="application/json")


@router.get(
    "/products",
    response=ProductPage,
    openapi_extra={
        "parameters": filters.openapi_parameters(filters.LIST_PARAMETERS),
        "responses": {422: error_response("Unknown category")},
    },
    description=filters.PATTERN_HELP,
)
def list_products(request: HttpRequest) -> HttpResponse:
    """Products matching every filter; ``spec.<path>``/``attr.<key>`` too."""

    def build() -> bytes:
        wanted = filters.parse_filters(request.GET, strict=True)
        items, next_cursor = queries.product_list(
            wanted.filters, sort=wanted.sort, limit=wanted.limit, cursor=wanted.cursor
        )
        return dumps({"items": items, "next": next_cursor})

    # Every listed product's stock shows: any stock change ends the value.
    return _cached_json(
        "api-products",
        request.META.get("QUERY_STRING", ""),
        build,
        watch=queries.WATCH_WITH_STOCK,
    )


@router.get(
    "/products/facets",
    response=Facets,
    openapi_extra={
        "parameters": filters.openapi_parameters(filters.FACET_PARAMETERS),
        "responses": {422: error_response("Unknown category")},
    },
    description=filters.PATTERN_HELP,
)
def product_facets(request: HttpRequest) -> HttpResponse:
    """Tag, category and price facets of the products the filters match."""
    wanted = filters.parse_filters(
        request.GET, strict=True, allowed=filters.FACET_PARAMETERS
    )
    return _json(facets.facets(wanted.filters))


@router.get("/products/{slug}", response=ProductOut)
def get_product(request: HttpRequest, slug: str) -> HttpResponse:
    slug = _key(slug)
    return _cached_json(
        "api-product",
        slug,
        lambda: dumps(queries.product_detail(slug)),
        # Its own stock shows: an order of another product leaves it.
        vary=queries.stock_of(slug),
    )


@router.post("/products", response={201: ProductOut}, auth=staff)
def create_product(request: HttpRequest, payload: ProductIn) -> Status[Any]:
    product = services.create_product(
        name=payload.name,
        slug=payload.slug,
        description=payload.description,
        category=payload.category,
        tags=payload.tags,
        specs=payload.specs,
        attributes=payload.attributes,
        is_active=payload.is_active,
        variants=[v.as_input() for v in payload.variants],
    )
    return Status(201, queries.product_detail(product.slug, include_inactive=True))


@router.patch("/products/{slug}", response=ProductOut, auth=staff)
def update_product(
    request: HttpRequest, slug: str, payload: ProductPatch
) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in payload.model_fields_set:
        value = getattr(payload, name)
        if name == "slug":
            changes["new_slug"] = value
        elif name == "variants":
            changes["variants"] = [v.as_input() for v in value]
        else:
            changes[name] = value
    product = services.update_product(slug=_key(slug), **changes)
    return queries.product_detail(product.slug, include_inactive=True)


@router.delete("/products/{slug}", response={204: None}, auth=staff)
def delete_product(request: HttpRequest, slug: str) -> Status[None]:
    services.delete_product(slug=_key(slug))
    return Status(204, None)


@router.patch("/variants/{sku}", response=VariantOut, auth=staff)
def patch_variant(request: HttpRequest, sku: str, payload: VariantPatch) -> Any:
    changes = {name: getattr(payload, name) for name in payload.model_fields_set}
    variant = services.patch_variant(sku=_key(sku), **changes)
    product = queries.product_detail(variant.product.slug, include_inactive=True)
    return next(v for v in product["variants"] if v["sku"] == variant.sku)


@router.get("/categories", response=list[CategoryNode])
def list_categories(request: HttpRequest) -> list[dict[str, Any]]:
    return queries.category_tree()


@router.post("/categories", response={201: CategoryOut}, auth=staff)
def create_category(request: HttpRequest, payload: CategoryIn) -> Status[Any]:
    category = services.create_category(
        slug=payload.slug, name=payload.name, parent=payload.parent
    )
    return Status(
        201, {"slug": category.slug, "name": category.name, "path": category.path_slugs}
    )


@router.post("/products/{slug}/promotions", response={201: PromotionOut}, auth=staff)
def add_promotion(request: HttpRequest, slug: str, payload: PromotionIn) -> Status[Any]:
    promotion = services.add_promotion(
        product=_key(slug),
        percent_off=payload.percent_off,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
    )
    return Status(
        201,
        {
            "id": promotion.pk,
            "product": slug,
            "percent_off": f"{promotion.percent_off:.2f}",
            "starts_at": promotion.during.lower,
            "ends_at": promotion.during.upper,
        },
    )
