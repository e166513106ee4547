"""Forms of the account pages; the services check the rules again."""

from __future__ import annotations

from django import forms

from pantry.customers.addresses import FIELDS
from pantry.customers.models import EMAIL_MAX, NAME_MAX

PASSWORD_MAX = 1024


class SignUpForm(forms.Form):
    name = forms.CharField(label="Full name", max_length=NAME_MAX)
    email = forms.EmailField(label="Email", max_length=EMAIL_MAX)
    password = forms.CharField(
        label="Password",
        max_length=PASSWORD_MAX,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class LoginForm(forms.Form):
    email = forms.EmailField(label="Email", max_length=EMAIL_MAX)
    password = forms.CharField(
        label="Password",
        max_length=PASSWORD_MAX,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class EmailForm(forms.Form):
    email = forms.EmailField(label="Email", max_length=EMAIL_MAX)


class EmailChangeForm(forms.Form):
    email = forms.EmailField(label="New email", max_length=EMAIL_MAX)
    password = forms.CharField(
        label="Your password",
        max_length=PASSWORD_MAX,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class NewPasswordForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=512)
    password = forms.CharField(
        label="New password",
        max_length=PASSWORD_MAX,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class TokenForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=512)


LABELS = {
    "name": "Full name",
    "line1": "Address line 1",
    "line2": "Address line 2",
    "city": "City",
    "postal_code": "Postal code",
    "region": "Region",
    "country": "Country code (ISO, e.g. DE)",
    "phone": "Phone",
}


class AddressForm(forms.Form):
    is_default = forms.BooleanField(label="Default address", required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        fields: dict[str, forms.Field] = {
            name: forms.CharField(
                label=LABELS[name], max_length=max_length, required=required
            )
            for name, (max_length, required) in FIELDS.items()
        }
        fields["is_default"] = self.fields["is_default"]
        self.fields = fields
