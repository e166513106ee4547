"""The product admin's images: upload with the same checks as the API,
alt text, order, previews. Saving goes through the image services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from pantry.catalog.errors import InvalidImage
from pantry.catalog.images import services
from pantry.catalog.images.validation import (
    CleanImage,
    clean_alt,
    clean_image,
    read_limited,
)
from pantry.catalog.models import Product, ProductImage
from pantry.core.errors import PantryError

PREVIEW_WIDTH = 120


class ProductImageForm(forms.ModelForm):
    upload = forms.FileField(
        required=False,
        label="image",
        help_text="JPEG, PNG, WebP or GIF; EXIF data is removed.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )

    # Not the model field: the services renumber, so the entered numbers only
    # give the order (and the model's unique check would refuse a swap).
    order = forms.IntegerField(
        required=False,
        min_value=0,
        label="position",
        help_text="Lowest first (0 is the primary).",
    )

    class Meta:
        model = ProductImage
        fields = ("alt",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["order"].initial = self.instance.position
        self.cleaned_image: CleanImage | None = None

    def clean_alt(self) -> str:
        try:
            return clean_alt(self.cleaned_data.get("alt"))
        except PantryError as exc:
            raise forms.ValidationError(exc.detail) from None

    def clean_upload(self) -> Any:
        upload = self.cleaned_data.get("upload")
        if upload is None:
            if self.instance.pk is None:
                raise forms.ValidationError("Choose an image file.")
            return None
        if self.instance.pk is not None:
            raise forms.ValidationError(
                "An image's file cannot be replaced: delete it and add a new one."
            )
        try:
            self.cleaned_image = clean_image(read_limited(upload))
        except InvalidImage as exc:
            raise forms.ValidationError(exc.detail) from None
        return upload


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    form = ProductImageForm
    extra = 1
    fields = ("preview", "upload", "alt", "order")
    readonly_fields = ("preview",)
    ordering = ("position",)

    @admin.display(description="preview")
    def preview(self, image: ProductImage) -> str:
        if not image.pk:
            return "—"
        height = round(image.height * PREVIEW_WIDTH / image.width)
        return format_html(
            '<img src="{}" alt="{}" width="{}" height="{}" loading="lazy">',
            image.file.url,
            image.alt,
            PREVIEW_WIDTH,
            height,
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProductImage]:
        return super().get_queryset(request).order_by("position")


def save_images(request: HttpRequest, product: Product, formset: Any) -> None:
    """Apply an images formset through the services (delete, add, alter,
    then order by the positions entered; blank ones go last)."""
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    deleted = set(formset.deleted_forms)
    order: list[tuple[int, int, int]] = []
    try:
        for form in deleted:
            if form.instance.pk:
                services.delete_image(product=product.slug, image_id=form.instance.pk)
                formset.deleted_objects.append(form.instance)
        for number, form in enumerate(formset.forms):
            if form in deleted or (not form.has_changed() and not form.instance.pk):
                continue
            if form.instance.pk is None:
                if form.cleaned_image is None:
                    continue
                image = services.add_clean_image(
                    product=product.slug,
                    image=form.cleaned_image,
                    alt=form.cleaned_data["alt"],
                )
                formset.new_objects.append(image)
            else:
                image = services.update_image(
                    product=product.slug,
                    image_id=form.instance.pk,
                    alt=form.cleaned_data["alt"],
                )
                if form.has_changed():
                    formset.changed_objects.append((image, form.changed_data))
            position = form.cleaned_data.get("order")
            order.append((10**9 if position is None else position, number, image.pk))
        services.reorder_images(
            product=product.slug, image_ids=[pk for *_, pk in sorted(order)]
        )
    except PantryError as exc:
        messages.error(request, f"Images: {exc.detail}")
