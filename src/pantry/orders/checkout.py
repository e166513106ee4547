"""Checkout totals: lines, voucher, shipping and tax of a would-be order.

``quote_checkout`` writes nothing; placement (issue 15) will snapshot the
same figures. The rules are in docs/checkout.md: the voucher's discount is
spread over lines in proportion to their totals, shipping tiers are chosen
by weight and the subtotal after discount, tax is per line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from pantry.catalog.checkout_facts import shipping_facts
from pantry.catalog.models import DEFAULT_TAX_CLASS
from pantry.catalog.stock import current_prices
from pantry.core.errors import Invalid
from pantry.orders.errors import MixedCurrency
from pantry.payments.providers import get_provider
from pantry.shipping.errors import ShippingRequired, ShippingUnavailable
from pantry.shipping.services import (
    ShippingQuote,
    check_country,
    quote_shipping,
    shipping_for,
)
from pantry.tax.compute import spread
from pantry.tax.services import prices_include_tax, tax_order
from pantry.vouchers.services import check_voucher

ZERO = Decimal("0.00")
SKU_MAX = 64
MAX_LINES = 100
MAX_QUANTITY = 1000
ADDRESS_FIELDS = {
    "name": (True, 200),
    "line1": (True, 200),
    "line2": (False, 200),
    "city": (True, 100),
    "postal_code": (False, 20),
    "region": (False, 50),
    "country": (True, 2),
    "phone": (False, 40),
}


@dataclass(frozen=True)
class QuoteLine:
    sku: str
    name: str
    quantity: int
    unit_price: Decimal
    line_total: Decimal
    discount: Decimal
    tax_rate: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal


@dataclass(frozen=True)
class Quote:
    currency: str
    subtotal: Decimal
    discount: Decimal
    shipping: Decimal
    tax: Decimal
    total: Decimal
    lines: list[QuoteLine]
    shipping_methods: list[ShippingQuote]
    shipping_method: str | None
    voucher: str | None
    prices_include_tax: bool


def clean_address(value: Any, field: str) -> dict[str, str] | None:
    """An address with known keys, trimmed, its country checked; or None.

    Raises Invalid (or UnknownCountry) with ``fields`` under ``field``.
    """
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise Invalid("An address is an object.", fields={field: "an object"})
    fields: dict[str, str] = {}
    address: dict[str, str] = {}
    for key in value:
        if key not in ADDRESS_FIELDS:
            fields[f"{field}.{key}"] = "unknown field"
    for key, (required, limit) in ADDRESS_FIELDS.items():
        raw = value.get(key, "")
        text = raw.strip() if isinstance(raw, str) else None
        if text is None or (required and not text) or len(text) > limit:
            fields[f"{field}.{key}"] = (
                f"Required, at most {limit} characters."
                if required
                else f"At most {limit} characters."
            )
            continue
        address[key] = text
    if fields:
        raise Invalid("The address is invalid.", fields=fields)
    address["country"] = check_country(address["country"], f"{field}.country")
    return address


def clean_lines(lines: Sequence[tuple[Any, Any]]) -> dict[str, int]:
    """Quantities per SKU, repeated SKUs merged; raises Invalid naming lines."""
    fields: dict[str, str] = {}
    quantities: dict[str, int] = {}
    if not lines:
        fields["lines"] = "An order needs at least one line."
    elif len(lines) > MAX_LINES:
        fields["lines"] = f"At most {MAX_LINES} lines."
    for i, (sku, quantity) in enumerate(lines or []):
        if not isinstance(sku, str) or not sku.strip() or len(sku) > SKU_MAX:
            fields[f"lines.{i}.sku"] = f"A SKU has 1 to {SKU_MAX} characters."
        elif (
            isinstance(quantity, bool)
            or not isinstance(quantity, int)
            or not 1 <= quantity <= MAX_QUANTITY
        ):
            fields[f"lines.{i}.quantity"] = (
                f"A quantity is a whole number from 1 to {MAX_QUANTITY}."
            )
        else:
            quantities[sku.strip()] = quantities.get(sku.strip(), 0) + quantity
    if fields:
        raise Invalid("The order is invalid.", fields=fields)
    return quantities


def quote_checkout(
    *,
    lines: Sequence[tuple[Any, Any]],
    shipping_address: Any = None,
    billing_address: Any = None,
    shipping_method: str | None = None,
    voucher: str | None = None,
    email: str | None = None,
    payment_provider: str | None = None,
    at: datetime | None = None,
) -> Quote:
    """The totals an order of ``lines`` would have now; writes nothing.

    Without a chosen method, the cheapest offered one is assumed. Raises
    Invalid, UnknownSku, MixedCurrency, UnknownCountry, ShippingRequired,
    ShippingUnavailable, VoucherInvalid, VoucherExhausted or
    UnknownPaymentProvider.
    """
    at = at or timezone.now()
    quantities = clean_lines(lines)
    if payment_provider is not None:
        get_provider(payment_provider)
    ship_to = clean_address(shipping_address, "shipping_address")
    bill_to = clean_address(billing_address, "billing_address")
    prices = current_prices(list(quantities))
    currencies = sorted({priced.currency for priced in prices.values()})
    if len(currencies) > 1:
        raise MixedCurrency(currencies=currencies)
    currency = currencies[0]
    facts = shipping_facts(quantities)
    skus = sorted(quantities)
    totals = [prices[sku].unit_price * quantities[sku] for sku in skus]
    subtotal = sum(totals, ZERO)

    discount, code = ZERO, None
    if voucher:
        applied = check_voucher(
            code=voucher, subtotal=subtotal, currency=currency, email=email, at=at
        )
        discount, code = applied.discount, applied.code
    shares = spread(discount, totals)

    needs_shipping = any(facts[sku].requires_shipping for sku in skus)
    weight = sum(
        facts[sku].weight_g * quantities[sku]
        for sku in skus
        if facts[sku].requires_shipping
    )
    methods: list[ShippingQuote] = []
    chosen: ShippingQuote | None = None
    if needs_shipping:
        if ship_to is None:
            raise ShippingRequired(
                fields={"shipping_address": "Required: a line needs shipping."}
            )
        after = subtotal - discount
        methods = quote_shipping(
            country=ship_to["country"],
            weight_g=weight,
            subtotal=after,
            currency=currency,
        )
        if not methods:
            raise ShippingUnavailable(
                f"No shipping method serves {ship_to['country']} for this order."
            )
        chosen = shipping_for(
            needs_shipping=True,
            method=shipping_method or methods[0].code,
            country=ship_to["country"],
            weight_g=weight,
            subtotal=after,
            currency=currency,
        )
    place = ship_to or bill_to
    include = prices_include_tax()
    taxed = tax_order(
        lines=[
            (total - share, facts[sku].tax_class if sku in facts else DEFAULT_TAX_CLASS)
            for sku, total, share in zip(skus, totals, shares, strict=True)
        ],
        shipping=chosen.price if chosen else None,
        country=place["country"] if place else "",
        region=place.get("region", "") if place else "",
        at=at,
        include_tax=include,
    )
    shipping = chosen.price if chosen else ZERO
    total = subtotal - discount + shipping + (ZERO if include else taxed.tax)
    return Quote(
        currency=currency,
        subtotal=subtotal,
        discount=discount,
        shipping=shipping,
        tax=taxed.tax,
        total=total,
        lines=[
            QuoteLine(
                sku=sku,
                name=prices[sku].variant_name or prices[sku].product_name,
                quantity=quantities[sku],
                unit_price=prices[sku].unit_price,
                line_total=line_total,
                discount=share,
                tax_rate=line.rate,
                net=line.net,
                tax=line.tax,
                gross=line.gross,
            )
            for sku, line_total, share, line in zip(
                skus, totals, shares, taxed.lines, strict=True
            )
        ],
        shipping_methods=methods,
        shipping_method=chosen.code if chosen else None,
        voucher=code,
        prices_include_tax=include,
    )
