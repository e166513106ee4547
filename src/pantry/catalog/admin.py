"""Staff admin for the catalog: products with their variants and promotions.

The product changelist costs the same number of queries for any page size
(category and summary are joined, filters list at most a bounded set), and
search uses the full-text index rather than scanning names.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import connection
from django.db.models import QuerySet
from django.http import HttpRequest

from pantry.catalog import services
from pantry.catalog.images.admin import ProductImageInline, save_images
from pantry.catalog.models import Category, Product, ProductImage, Promotion, Variant
from pantry.core.errors import PantryError
from pantry.core.textsearch import clean_query, web_query

TAG_CHOICES = 30
TAG_SAMPLE = 10_000


class CategoryFilter(admin.SimpleListFilter):
    """A category and everything below it."""

    title = "category"
    parameter_name = "category"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            (c.slug, "— " * (len(c.path_slugs) - 1) + c.name)
            for c in Category.objects.order_by("path")
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        category = Category.objects.filter(slug=self.value()).first()
        if not self.value() or category is None:
            return queryset
        return queryset.filter(
            category__in=Category.objects.filter(path__descendant_of=category.path)
        )


class TagFilter(admin.SimpleListFilter):
    """The tags most used by the newest products (bounded work at any size)."""

    title = "tag"
    parameter_name = "tag"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tag, count(*) AS n FROM ("
                " SELECT tags FROM catalog_product"
                " ORDER BY created_at DESC, id DESC LIMIT %s) AS newest,"
                " unnest(newest.tags) AS tag"
                " GROUP BY tag ORDER BY n DESC, tag LIMIT %s",
                [TAG_SAMPLE, TAG_CHOICES],
            )
            return [(tag, tag) for tag, _ in cursor.fetchall()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not self.value():
            return queryset
        return queryset.filter(tags__contains=[self.value()])


class InStockFilter(admin.SimpleListFilter):
    title = "in stock"
    parameter_name = "in_stock"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "In stock"), ("no", "Out of stock")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(summary__has_stock=True)
        if self.value() == "no":
            return queryset.exclude(summary__has_stock=True)
        return queryset


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = (
            "name",
            "slug",
            "description",
            "category",
            "tags",
            "specs",
            "attributes",
            "is_active",
        )

    def clean_tags(self) -> list[str]:
        try:
            return services.normalise_tags(self.cleaned_data.get("tags") or [])
        except PantryError as exc:
            raise forms.ValidationError(exc.detail) from None


class VariantInline(admin.TabularInline):
    model = Variant
    extra = 0
    fields = ("sku", "price", "currency", "stock", "options")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Variant]:
        # Each row is titled by its display name, which needs the product.
        return super().get_queryset(request).select_related("product")


class PromotionInline(admin.TabularInline):
    model = Promotion
    extra = 0
    fields = ("percent_off", "during")


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    form = ProductForm
    list_display = (
        "name",
        "slug",
        "category",
        "price_range",
        "in_stock",
        "tag_list",
        "is_active",
        "created_at",
    )
    list_select_related = ("category", "summary")
    list_filter = (CategoryFilter, TagFilter, InStockFilter, "is_active")
    search_fields = ("name",)
    search_help_text = "Words of the name, tags or description; or a slug or SKU."
    autocomplete_fields = ("category",)
    inlines = (VariantInline, PromotionInline, ProductImageInline)
    readonly_fields = ("created_at", "updated_at")
    # An exact count of a million rows costs more than the page itself.
    show_full_result_count = False
    ordering = ("-created_at", "-id")

    def save_formset(
        self, request: HttpRequest, form: Any, formset: Any, change: bool
    ) -> None:
        if formset.model is ProductImage:
            save_images(request, form.instance, formset)
        else:
            super().save_formset(request, form, formset, change)

    @admin.display(description="price")
    def price_range(self, product: Product) -> str:
        summary = getattr(product, "summary", None)
        if summary is None:
            return "—"
        if summary.price_min == summary.price_max:
            return f"{summary.price_min}"
        return f"{summary.price_min} to {summary.price_max}"

    @admin.display(description="in stock", boolean=True)
    def in_stock(self, product: Product) -> bool:
        summary = getattr(product, "summary", None)
        return bool(summary and summary.has_stock)

    @admin.display(description="tags")
    def tag_list(self, product: Product) -> str:
        return ", ".join(product.tags)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        term = clean_query(search_term)
        if not term:
            return queryset, False
        matches = (
            queryset.filter(search_vector=web_query(term))
            | queryset.filter(slug=term)
            | queryset.filter(
                pk__in=Variant.objects.filter(sku=term).values("product_id")
            )
        )
        return matches, False


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "path")
    list_select_related = ("parent",)
    search_fields = ("name", "slug")
    ordering = ("path",)
    fields = ("slug", "name", "parent")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Moving or renaming a node would re-path its subtree: not from here.
        return ("slug", "parent") if obj else ()

    def save_model(
        self, request: HttpRequest, obj: Category, form: Any, change: bool
    ) -> None:
        if change:
            obj.save(update_fields=["name"])
            return
        created = services.create_category(
            slug=obj.slug,
            name=obj.name,
            parent=obj.parent.slug if obj.parent else None,
        )
        obj.pk, obj.path = created.pk, created.path


@admin.register(Promotion)
class PromotionAdmin(admin.ModelAdmin):
    list_display = ("product", "percent_off", "during")
    list_select_related = ("product",)
    autocomplete_fields = ("product",)
    ordering = ("-id",)
