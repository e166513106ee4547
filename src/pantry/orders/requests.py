"""Checking an order request: customer fields, lines, order numbers."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from pantry.core.errors import Invalid
from pantry.orders.models import NUMBER_PREFIX

NAME_MAX = 200
EMAIL_MAX = 254
SKU_MAX = 64
MAX_LINES = 100
MAX_QUANTITY = 1000
KEY_MAX = 255
# Crockford's base32: no I, L, O, U, so numbers read aloud unambiguously.
NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
NUMBER_LENGTH = 10  # 50 random bits


@dataclass(frozen=True)
class OrderRequest:
    """A checked order request: clean customer fields, quantities per SKU."""

    name: str
    email: str
    quantities: dict[str, int]
    voucher: str | None = None
    payment_provider: str | None = None
    shipping_address: dict[str, str] | None = None
    billing_address: dict[str, str] | None = None
    shipping_method: str | None = None
    # Shipping applies even with no address given (the storefront's checkout).
    ships: bool = False

    def digest(self) -> str:
        request: dict[str, Any] = {
            "customer": {"name": self.name, "email": self.email},
            "lines": sorted(self.quantities.items()),
        }
        # Only when given, so digests of plain orders stay as they were.
        # The addresses are the cleaned ones: a retry differing only in
        # surrounding spaces or the country's letter case is the same order.
        if self.voucher is not None:
            request["voucher"] = self.voucher.lower()
        if self.payment_provider is not None:
            request["payment_provider"] = self.payment_provider
        if self.shipping_address is not None:
            request["shipping_address"] = self.shipping_address
        if self.billing_address is not None:
            request["billing_address"] = self.billing_address
        if self.shipping_method is not None:
            request["shipping_method"] = self.shipping_method
        if self.ships:
            request["ships"] = True
        canonical = json.dumps(
            request,
            sort_keys=True,
            separators=(",", ":"),
        )
        return hashlib.sha256(canonical.encode()).hexdigest()


def new_order_number() -> str:
    """Return a random order number such as ``PA-7Q2M9XK4RB``."""
    return NUMBER_PREFIX + "".join(
        secrets.choice(NUMBER_ALPHABET) for _ in range(NUMBER_LENGTH)
    )


def clean_order_request(
    *, name: Any, email: Any, lines: Sequence[tuple[Any, Any]]
) -> OrderRequest:
    """Check an order request; return it with repeated SKUs merged.

    A SKU named on several lines is one line with the summed quantity (what a
    cart would do); the sum must still be within MAX_QUANTITY. Raises
    Invalid with ``fields`` naming every bad part.
    """
    fields: dict[str, str] = {}
    name = name.strip() if isinstance(name, str) else ""
    if not name:
        fields["customer.name"] = "A name is required."
    elif len(name) > NAME_MAX:
        fields["customer.name"] = f"At most {NAME_MAX} characters."
    email = email.strip() if isinstance(email, str) else ""
    if not email:
        fields["customer.email"] = "An email address is required."
    elif len(email) > EMAIL_MAX:
        fields["customer.email"] = f"At most {EMAIL_MAX} characters."
    else:
        try:
            validate_email(email)
        except ValidationError:
            fields["customer.email"] = "Enter a valid email address."
        else:
            local, _, domain = email.rpartition("@")
            email = f"{local}@{domain.lower()}"
    quantities = line_quantities(lines, fields)
    if fields:
        raise Invalid("The order is invalid.", fields=fields)
    return OrderRequest(name=name, email=email, quantities=quantities)


def line_quantities(
    lines: Sequence[tuple[Any, Any]] | None, fields: dict[str, str]
) -> dict[str, int]:
    """Quantities per SKU of an order's or a quote's lines, repeated SKUs merged.

    Each bad line (and a summed quantity past MAX_QUANTITY) is named in
    ``fields``; the caller raises.
    """
    quantities: dict[str, int] = {}
    if not lines:
        fields["lines"] = "An order needs at least one line."
    elif len(lines) > MAX_LINES:
        fields["lines"] = f"At most {MAX_LINES} lines."
    for i, (sku, quantity) in enumerate(lines or []):
        if not isinstance(sku, str) or not sku.strip() or len(sku) > SKU_MAX:
            fields[f"lines.{i}.sku"] = f"A SKU has 1 to {SKU_MAX} characters."
            continue
        if (
            isinstance(quantity, bool)
            or not isinstance(quantity, int)
            or not 1 <= quantity <= MAX_QUANTITY
        ):
            fields[f"lines.{i}.quantity"] = (
                f"A quantity is a whole number from 1 to {MAX_QUANTITY}."
            )
            continue
        sku = sku.strip()
        quantities[sku] = quantities.get(sku, 0) + quantity
        if quantities[sku] > MAX_QUANTITY:
            fields[f"lines.{i}.quantity"] = (
                f"At most {MAX_QUANTITY} of one SKU per order."
            )
    return quantities
