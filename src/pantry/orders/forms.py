"""Forms of the storefront's cart and checkout pages."""

from __future__ import annotations

from django import forms

from pantry.orders.services import EMAIL_MAX, MAX_QUANTITY, NAME_MAX, SKU_MAX


class CartLineForm(forms.Form):
    ACTIONS = [("add", "Add"), ("update", "Update"), ("remove", "Remove")]

    action = forms.ChoiceField(choices=ACTIONS)
    sku = forms.CharField(label="SKU", max_length=SKU_MAX)
    quantity = forms.IntegerField(
        label="Quantity", min_value=0, max_value=MAX_QUANTITY, required=False
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("action") in ("add", "update") and data.get("quantity") is None:
            self.add_error("quantity", "Enter a quantity.")
        if data.get("action") == "add" and data.get("quantity") == 0:
            self.add_error("quantity", "Add at least one.")
        return data


class CheckoutForm(forms.Form):
    name = forms.CharField(label="Full name", max_length=NAME_MAX)
    email = forms.EmailField(label="Email", max_length=EMAIL_MAX)
    # One key per checkout page view: a double submit places one order.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
