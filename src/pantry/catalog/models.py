# Long on purpose: Django's home for an app's models; one class a table.
"""Catalog tables: categories (a tree), products, variants, promotions.

Every rule that protects data is a PostgreSQL constraint, so no code path
(admin, API, import, raw SQL) can break it; services turn violations into
friendly errors.
"""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import (
    ArrayField,
    DateTimeRangeField,
    HStoreField,
    RangeOperators,
)
from django.contrib.postgres.indexes import GinIndex, GistIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Lower
from django.db.models.lookups import Exact

from pantry.core.fields import HStoreAsJSON, LtreeField
from pantry.core.textsearch import weighted_vector

TAG_MAX_LENGTH = 50
DEFAULT_TAX_CLASS = "standard"
CENT = Decimal("0.01")


def discounted(price: Decimal, percent_off: Decimal | None) -> Decimal:
    """``price`` less ``percent_off`` per cent, rounded half up to cents."""
    if not percent_off:
        return price
    value = price * (Decimal(100) - percent_off) / Decimal(100)
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def option_label(options: Any) -> str:
    """A variant's options as a shopper reads them: "16 GB RAM, 512 GB SSD".

    The values in the order the options are stored (jsonb's key order, which
    SQL reading ``jsonb_each_text`` sees too); keys are left out, since the
    values say what they are ("5 g", "Navy", "EU 42").
    """
    if not isinstance(options, dict):
        return ""
    return ", ".join(
        value if isinstance(value, str) else json.dumps(value)
        for value in options.values()
        if value is not None and value != ""
    )


def variant_name(product_name: str, options: Any) -> str:
    """A variant's display name: the product name plus its options.

    "Spice Route La Mancha Saffron, 5 g"; just the product name when the
    variant has no options. The SKU is never part of it.
    """
    label = option_label(options)
    return f"{product_name}, {label}" if label else product_name


def json_is_object(field: str) -> Exact:
    return Exact(
        Func(F(field), function="jsonb_typeof", output_field=models.TextField()),
        Value("object"),
    )


class Category(models.Model):
    """A node of the category tree; ``path`` holds the slugs from the root."""

    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Materialised path of slugs ("electronics.computers.laptops"); a subtree
    # is one GiST-indexed `path <@ 'electronics'` query.
    path = LtreeField(unique=True, editable=False)

    class Meta:
        verbose_name_plural = "categories"
        indexes = [GistIndex(fields=["path"], name="catalog_category_path_gist")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=F("id")), name="catalog_category_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def path_slugs(self) -> list[str]:
        return str(self.path).split(".")


class Product(models.Model):
    # Unique by a constraint, not unique=True: that would add a second,
    # pattern-ops index that no query uses and every write pays for.
    slug = models.SlugField(max_length=200, db_index=False)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    # Indexed by catalog_product_category_cover, which leads with category.
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="products", db_index=False
    )
    tags = ArrayField(
        models.CharField(max_length=TAG_MAX_LENGTH), default=list, blank=True
    )
    specs = models.JSONField(default=dict, blank=True)
    attributes = HStoreField(default=dict, blank=True)
    is_active = models.BooleanField(default=True)
    # The code of a tax class of pantry.tax; a code, not a foreign key, so
    # the catalog does not depend on the tax app (which reads the catalog).
    tax_class = models.CharField(
        max_length=32, default=DEFAULT_TAX_CLASS, db_default=DEFAULT_TAX_CLASS
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=False)
    updated_at = models.DateTimeField(auto_now=True)
    search_vector = models.GeneratedField(
        expression=weighted_vector(a="name", b_words="tags", c="description"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        indexes = [
            GinIndex(fields=["tags"], name="catalog_product_tags_gin"),
            # Specs and attributes in one index: a filter on both is one
            # scan that steps through the longer posting list by the shorter
            # one, where two indexes would each read theirs whole.
            # Attributes as jsonb: hstore's own GIN opclass holds keys and
            # values apart, so `brand=>X` also reads the entry of the key
            # `brand`, which nearly every product has.
            GinIndex(
                OpClass(F("specs"), name="jsonb_path_ops"),
                OpClass(HStoreAsJSON("attributes"), name="jsonb_path_ops"),
                name="catalog_product_props_gin",
            ),
            GinIndex(fields=["search_vector"], name="catalog_product_search_gin"),
            models.Index(fields=["-created_at", "-id"], name="catalog_product_newest"),
            # A category's newest products in order, without reading the
            # rest of the category (the bulk of a filtered list's cost);
            # with is_active and tags, a category's facets read no rows.
            models.Index(
                fields=["category", "-created_at", "-id"],
                include=["is_active", "tags"],
                name="catalog_product_category_cover",
            ),
            models.Index(Lower("name"), "id", name="catalog_product_name"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="catalog_product_slug_key"),
            models.CheckConstraint(
                condition=json_is_object("specs"), name="catalog_product_specs_object"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def for_sale(cls) -> models.QuerySet[Product]:
        """Products the shop offers: active ones. Search reads this rule too."""
        return cls.objects.filter(is_active=True)


class Variant(models.Model):
    """A purchasable SKU of a product, with its own price and stock."""

    sku = models.CharField(max_length=64)  # unique: see Meta.constraints
    # Indexed by catalog_variant_product_price, which leads with product.
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="variants", db_index=False
    )
    options = models.JSONField(default=dict, blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    stock = models.IntegerField(default=0)
    # Shipping weight in grams; shipping rate tiers are by weight.
    weight_g = models.IntegerField(default=0, db_default=0)
    # False for what is never shipped (gift cards, downloads).
    requires_shipping = models.BooleanField(default=True, db_default=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["product", "price"], name="catalog_variant_product_price"
            ),
            # Price-range filters start from the variants in the range.
            models.Index(
                fields=["price", "product"], name="catalog_variant_price_product"
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["sku"], name="catalog_variant_sku_key"),
            models.CheckConstraint(
                condition=Q(price__gte=0), name="catalog_variant_price_nonnegative"
            ),
            models.CheckConstraint(
                condition=Q(stock__gte=0), name="catalog_variant_stock_nonnegative"
            ),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"),
                name="catalog_variant_currency_iso",
            ),
            models.CheckConstraint(
                condition=json_is_object("options"),
                name="catalog_variant_options_object",
            ),
            models.CheckConstraint(
                condition=Q(weight_g__gte=0) & Q(weight_g__lte=10_000_000),
                name="catalog_variant_weight_range",
            ),
        ]

    def __str__(self) -> str:
        # The display name when the product is at hand (select_related), so
        # that printing a variant never costs a query; else the SKU.
        if not Variant.product.is_cached(self):
            return self.sku
        return f"{variant_name(self.product.name, self.options)} ({self.sku})"

    @property
    def option_label(self) -> str:
        return option_label(self.options)

    def effective_price(self, percent_off: Decimal | None) -> Decimal:
        """The price after ``percent_off`` (the product's active promotion)."""
        return discounted(self.price, percent_off)


class Promotion(models.Model):
    """Percent off a product over a time range; ranges of one product never overlap."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="promotions"
    )
    percent_off = models.DecimalField(max_digits=5, decimal_places=2)
    during = DateTimeRangeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            # "Promotions active now" across all products.
            GistIndex(fields=["during"], name="catalog_promotion_during_gist"),
            # The largest discount active now (it widens price-range
            # filters): the deepest promotions first, each checked for being
            # active without reading the table.
            models.Index(
                fields=["-percent_off"],
                include=["during"],
                name="catalog_promotion_deepest",
            ),
            # When the next promotion starts or ends: the moment cached
            # pages expire (queries.next_price_change), one index probe each.
            models.Index(F("during__startswith"), name="catalog_promotion_starts"),
            models.Index(F("during__endswith"), name="catalog_promotion_ends"),
        ]
        constraints = [
            ExclusionConstraint(
                name="catalog_promotion_no_overlap",
                expressions=[
                    ("product", RangeOperators.EQUAL),
                    ("during", RangeOperators.OVERLAPS),
                ],
            ),
            models.CheckConstraint(
                condition=Q(percent_off__gt=0) & Q(percent_off__lte=100),
                name="catalog_promotion_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(during__isempty=False),
                name="catalog_promotion_during_nonempty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.percent_off}% off {self.product_id}"


class ProductSummary(models.Model):
    """A product's lowest and highest variant price and whether any is in stock.

    Kept by statement-level triggers on ``catalog_variant`` (migration
    0003), never by Python code, so every writer (ORM, admin, API, COPY
    imports and seeds, raw SQL) leaves it right: a row exists exactly for
    the products that have at least one variant. It is a table of its own,
    not columns of ``catalog_product``, so that stock changes and bulk
    variant loads do not rewrite wide product rows and their GIN indexes.
    The trigger locks the summary rows before it recomputes them, so two
    transactions changing variants of one product cannot leave it stale.
    """

    product = models.OneToOneField(
        Product,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="summary",
        db_constraint=True,
    )
    # The product's category, copied by triggers (migration 0008), so that a
    # category's products in price order are one index range.
    category = models.ForeignKey(
        Category,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    price_min = models.DecimalField(max_digits=12, decimal_places=2)
    price_max = models.DecimalField(max_digits=12, decimal_places=2)
    has_stock = models.BooleanField()

    class Meta:
        indexes = [
            # sort=price / -price (scanned backwards), keyset on both columns.
            models.Index(fields=["price_min", "product"], name="catalog_summary_price"),
            # A category's products by price; with price_max, its facets'
            # price range reads no summary rows.
            models.Index(
                fields=["category", "price_min", "product"],
                include=["price_max"],
                name="catalog_summary_cat_price",
            ),
            # The highest prices first (scanned backwards), of all and of a
            # category: the top of the facets' price range.
            models.Index(fields=["price_max"], name="catalog_summary_price_max"),
            models.Index(
                fields=["category", "price_max"], name="catalog_summary_cat_price_max"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.price_min}-{self.price_max}"


class ProductImage(models.Model):
    """An image of a product, in display order (position 0 is the primary).

    Files are named by their content hash (``images/ab/<sha256>.jpg``), so
    the same picture uploaded for two products is stored once; a product
    holds a picture at most once (its sha256 is unique per product).
    """

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="images", db_index=False
    )
    position = models.PositiveIntegerField()
    alt = models.CharField(max_length=300)
    file = models.FileField(max_length=255)
    # The stored (re-encoded) file's type: jpeg, png or webp.
    format = models.CharField(max_length=8)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["product", "position"]
        constraints = [
            # Deferred, so a reorder may renumber in any order within its
            # transaction; it is also the index of a product's images.
            models.UniqueConstraint(
                fields=["product", "position"],
                name="catalog_productimage_position_key",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.UniqueConstraint(
                fields=["product", "sha256"], name="catalog_productimage_sha256_key"
            ),
            models.CheckConstraint(
                condition=Q(alt__regex=r"[^[:space:]]"),
                name="catalog_productimage_alt_nonblank",
            ),
            models.CheckConstraint(
                condition=Q(width__gt=0) & Q(height__gt=0),
                name="catalog_productimage_size_positive",
            ),
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$"),
                name="catalog_productimage_sha256_hex",
            ),
            models.CheckConstraint(
                condition=Q(format__in=["jpeg", "png", "webp"]),
                name="catalog_productimage_format_known",
            ),
        ]

    def __str__(self) -> str:
        return self.alt


class ImageRendition(models.Model):
    """A resized copy of an image, made by a background task (catalog.tasks)."""

    class Name(models.TextChoices):
        THUMBNAIL = "thumbnail"
        CARD = "card"
        DETAIL = "detail"

    class Format(models.TextChoices):
        WEBP = "webp"
        JPEG = "jpeg"

    image = models.ForeignKey(
        ProductImage, on_delete=models.CASCADE, related_name="renditions"
    )
    name = models.CharField(max_length=16, choices=Name.choices)
    format = models.CharField(max_length=8, choices=Format.choices)
    file = models.FileField(max_length=255)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["image", "name", "format"],
                name="catalog_imagerendition_key",
            ),
            models.CheckConstraint(
                condition=Q(width__gt=0) & Q(height__gt=0),
                name="catalog_imagerendition_size_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}.{self.format}"


class FacetCount(models.Model):
    """How many active products of one category carry one tag, and how many
    of those are in stock; ``tag`` '' holds the category's own totals.

    Kept by statement-level triggers on ``catalog_product`` and
    ``catalog_productsummary`` (migration 0020), never by Python code, so
    every writer leaves it right; ``catalog_facets_rebuild()`` recounts it
    from scratch. Counts are of the category itself, not its subtree: a
    subtree's are the sum of its categories' rows.
    """

    pk = models.CompositePrimaryKey("category", "tag")
    category = models.ForeignKey(
        Category,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    tag = models.CharField(max_length=TAG_MAX_LENGTH, blank=True)
    products = models.IntegerField()
    in_stock = models.IntegerField()

    def __str__(self) -> str:
        return f"{self.category_id}/{self.tag}: {self.products}"


# Units left that count as low stock: the staff dashboard's list. The
# variant trigger of migration 0024 has it written in; change both.
LOW_STOCK = 5


class LowStockVariant(models.Model):
    """A variant with 1 to LOW_STOCK units left.

    Kept by the variant statement triggers (migration 0024), which see every
    stock change, so the low-stock list is the head of an index. An index on
    ``catalog_variant.stock`` would do the same but cost every stock update
    (one per order line) its HOT path.
    """

    variant = models.OneToOneField(
        Variant,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    sku = models.CharField(max_length=64)
    stock = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["stock", "sku"], name="catalog_lowstock_order")]

    def __str__(self) -> str:
        return f"{self.sku}: {self.stock}"
