"""A customer's addresses: the only writers, one default at most."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from pantry.core.errors import Invalid
from pantry.customers.countries import COUNTRY_CODES
from pantry.customers.errors import AddressNotFound
from pantry.customers.models import Address, Customer
from pantry.customers.services import clean_text

# field: (max length, required)
FIELDS: dict[str, tuple[int, bool]] = {
    "name": (200, True),
    "line1": (200, True),
    "line2": (200, False),
    "city": (100, True),
    "postal_code": (20, False),
    "region": (100, False),
    "country": (2, True),
    "phone": (32, False),
}


def clean_address(data: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Check address fields; raise Invalid naming every bad one."""
    fields: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for name, (max_length, required) in FIELDS.items():
        if partial and name not in data:
            continue
        try:
            clean[name] = clean_text(
                data.get(name), field=name, max_length=max_length, required=required
            )
        except Invalid as exc:
            fields.update(exc.fields or {})
    if "country" in clean:
        clean["country"] = clean["country"].upper()
        if clean["country"] not in COUNTRY_CODES:
            fields["country"] = "An ISO 3166-1 alpha-2 code such as DE or FR."
    if "is_default" in data:
        if not isinstance(data["is_default"], bool):
            fields["is_default"] = "Must be true or false."
        clean["is_default"] = data["is_default"]
    if fields:
        raise Invalid("The address is invalid.", fields=fields)
    return clean


def checkout_address(*, customer_id: int) -> Address | None:
    """The address a checkout starts from: the default, else the newest."""
    return (
        Address.objects.filter(customer_id=customer_id)
        .order_by("-is_default", "-created_at", "-id")
        .first()
    )


def _clear_default(customer_id: int) -> None:
    Address.objects.filter(customer_id=customer_id, is_default=True).update(
        is_default=False
    )


@transaction.atomic
def add_address(*, customer: Customer, data: dict[str, Any]) -> Address:
    """Add an address; ``is_default`` takes the default from any other."""
    clean = clean_address(data)
    if clean.get("is_default"):
        _clear_default(customer.pk)
    return Address.objects.create(customer=customer, **clean)


@transaction.atomic
def change_address(
    *, customer: Customer, address_id: int, data: dict[str, Any]
) -> Address:
    """Change some fields of one of the customer's addresses."""
    clean = clean_address(data, partial=True)
    address = (
        Address.objects.select_for_update()
        .filter(customer=customer, pk=address_id)
        .first()
    )
    if address is None:
        raise AddressNotFound()
    if clean.get("is_default"):
        _clear_default(customer.pk)
    for name, value in clean.items():
        setattr(address, name, value)
    address.save()
    return address


def delete_address(*, customer: Customer, address_id: int) -> None:
    deleted, _ = Address.objects.filter(customer=customer, pk=address_id).delete()
    if not deleted:
        raise AddressNotFound()
