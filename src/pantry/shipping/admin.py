"""Staff's view of shipping: zones with their methods, methods with rates.

Forms check what the database would refuse (country codes, overlapping
tiers) so staff see a message instead of an error page; the constraints
stay the guarantee.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from pantry.core.countries import is_country
from pantry.shipping.models import Method, Rate, Zone


class ZoneForm(forms.ModelForm):
    class Meta:
        model = Zone
        fields = ["name", "countries"]
        help_texts = {"countries": "ISO 3166-1 alpha-2 codes, comma-separated."}

    def clean_countries(self) -> list[str]:
        codes = sorted(
            {code.strip().upper() for code in self.cleaned_data["countries"]}
        )
        if unknown := [code for code in codes if not is_country(code)]:
            raise forms.ValidationError(
                "Not ISO 3166-1 alpha-2 codes: " + ", ".join(unknown)
            )
        return codes


class MethodInline(admin.TabularInline):
    model = Method
    extra = 0
    fields = ["code", "name", "is_active"]
    show_change_link = True


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin):
    form = ZoneForm
    list_display = ["name", "country_list"]
    search_fields = ["name"]
    ordering = ["name"]
    inlines = [MethodInline]

    @admin.display(description="countries")
    def country_list(self, zone: Zone) -> str:
        return ", ".join(zone.countries)


class RateForm(forms.ModelForm):
    class Meta:
        model = Rate
        fields = ["method", "currency", "weight_g", "subtotal", "price"]
        help_texts = {
            "weight_g": "Grams, [from, to); leave 'to' empty for 'and above'.",
            "subtotal": "Order subtotal after discount, [from, to).",
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        method, weight, subtotal = (
            data.get("method"),
            data.get("weight_g"),
            data.get("subtotal"),
        )
        if method and weight is not None and subtotal is not None:
            clash = Rate.objects.filter(
                method=method,
                currency=data.get("currency"),
                weight_g__overlap=weight,
                subtotal__overlap=subtotal,
            ).exclude(pk=self.instance.pk)
            if clash.exists():
                raise forms.ValidationError(
                    "This rate overlaps another rate of the method in that currency."
                )
        return data


class RateInline(admin.TabularInline):
    model = Rate
    form = RateForm
    extra = 0
    fields = ["currency", "weight_g", "subtotal", "price"]


@admin.register(Method)
class MethodAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "zone", "is_active"]
    list_filter = ["is_active", "zone"]
    list_select_related = ["zone"]
    search_fields = ["code", "name"]
    ordering = ["zone__name", "code"]
    inlines = [RateInline]


@admin.register(Rate)
class RateAdmin(admin.ModelAdmin):
    form = RateForm
    list_display = ["method", "currency", "weight_g", "subtotal", "price"]
    list_filter = ["currency"]
    list_select_related = ["method"]
    ordering = ["method__code", "currency", "price"]
