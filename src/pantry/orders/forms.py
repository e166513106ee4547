"""Forms of the storefront's cart and checkout pages."""

from __future__ import annotations

from typing import Any

from django import forms

from pantry.orders.services import EMAIL_MAX, MAX_QUANTITY, NAME_MAX, SKU_MAX
from pantry.shipping.services import ShippingQuote


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
    """Checkout step 1: who orders and where it goes."""

    name = forms.CharField(label="Full name", max_length=NAME_MAX)
    email = forms.EmailField(label="Email", max_length=EMAIL_MAX)
    # The shipping address: optional here, required by the quote when a
    # line needs shipping (its refusal names the field, shown next to it).
    line1 = forms.CharField(label="Street and number", max_length=200, required=False)
    line2 = forms.CharField(label="Address line 2", max_length=200, required=False)
    postal_code = forms.CharField(label="Postal code", max_length=20, required=False)
    city = forms.CharField(label="City", max_length=100, required=False)
    region = forms.CharField(label="Region or state", max_length=50, required=False)
    country = forms.CharField(
        label="Country (ISO code, e.g. DE)", max_length=2, required=False
    )

    ADDRESS = ("line1", "line2", "postal_code", "city", "region", "country")

    def shipping_address(self) -> dict[str, str] | None:
        """The address as placement takes it, or None when left empty."""
        data = self.cleaned_data
        if not any(data.get(key) for key in self.ADDRESS):
            return None
        return {"name": data["name"], **{key: data[key] for key in self.ADDRESS}}


class ShippingForm(forms.Form):
    """Checkout step 2: one of the methods the quote offers for the address."""

    shipping_method = forms.ChoiceField(
        label="Shipping method", widget=forms.RadioSelect
    )

    def __init__(
        self,
        data: Any = None,
        *,
        methods: list[ShippingQuote],
        currency: str,
        **kw: Any,
    ) -> None:
        super().__init__(data, **kw)
        field = self.fields["shipping_method"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(m.code, f"{m.name}: {m.price} {currency}") for m in methods]


class VoucherForm(forms.Form):
    """Checkout step 3: apply or remove a voucher code on the review page."""

    voucher = forms.CharField(label="Voucher code", max_length=64, required=False)
