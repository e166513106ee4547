"""Staff's view of tax: classes and their rates by country and period."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from pantry.core.countries import is_country
from pantry.tax.models import TaxClass, TaxRate


class TaxRateForm(forms.ModelForm):
    class Meta:
        model = TaxRate
        fields = ["tax_class", "country", "region", "rate", "valid"]
        help_texts = {"valid": "[from, until); leave 'until' empty for open-ended."}

    def clean_country(self) -> str:
        country = self.cleaned_data["country"].strip().upper()
        if not is_country(country):
            raise forms.ValidationError("An ISO 3166-1 alpha-2 code such as DE.")
        return country

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("tax_class") and data.get("country") and data.get("valid"):
            clash = TaxRate.objects.filter(
                tax_class=data["tax_class"],
                country=data["country"],
                region=data.get("region", ""),
                valid__overlap=data["valid"],
            ).exclude(pk=self.instance.pk)
            if clash.exists():
                raise forms.ValidationError(
                    "Another rate of this class holds there during that period."
                )
        return data


@admin.register(TaxClass)
class TaxClassAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    ordering = ["code"]


@admin.register(TaxRate)
class TaxRateAdmin(admin.ModelAdmin):
    form = TaxRateForm
    list_display = ["country", "region", "tax_class", "rate", "valid"]
    list_filter = ["tax_class", "country"]
    list_select_related = ["tax_class"]
    search_fields = ["country", "region"]
    ordering = ["country", "region", "tax_class__code"]
