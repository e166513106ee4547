"""Staff's synonyms in the admin, through the same service as the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from pantry.core.errors import PantryError
from pantry.search import synonyms
from pantry.search.models import Synonym


class SynonymForm(forms.ModelForm):
    class Meta:
        model = Synonym
        fields = ("term", "synonym", "is_two_way")
        widgets = {
            "term": forms.TextInput(attrs={"maxlength": 200}),
            "synonym": forms.TextInput(attrs={"maxlength": 200}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for field in ("term", "synonym"):
            if data.get(field):
                try:
                    data[field] = synonyms.normalise(data[field], field=field)
                except PantryError as error:
                    self.add_error(field, error.detail)
        return data


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    """Add and delete only: a changed pair is a new pair."""

    form = SynonymForm
    list_display = ("term", "synonym", "is_two_way", "created_at")
    search_fields = ("term", "synonym")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(
        self, request: HttpRequest, obj: Synonym, form: Any, change: bool
    ) -> None:
        try:
            created = synonyms.add_synonym(
                term=obj.term, synonym=obj.synonym, is_two_way=obj.is_two_way
            )
        except PantryError as error:
            # The form validated the text; a duplicate raced in since.
            form.add_error(None, error.detail)
            raise
        obj.pk = created.pk
