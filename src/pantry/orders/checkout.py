"""Checkout totals: lines, voucher, shipping and tax of a would-be order.

``price_checkout`` computes them and writes nothing; ``quote_checkout``
answers with it and placement (orders/placement.py) stores what it returns. The rules are in docs/checkout.md: the voucher's discount is
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

from pantry.catalog.checkout_facts import ShippingFacts, shipping_facts
from pantry.catalog.models import DEFAULT_TAX_CLASS
from pantry.catalog.stock import current_prices
from pantry.core.errors import Invalid
from pantry.orders.errors import MixedCurrency
from pantry.orders.requests import line_quantities
from pantry.payments.providers import get_provider
from pantry.shipping.errors import ShippingRequired, ShippingUnavailable
from pantry.shipping.services import ShippingQuote, check_country, quote_shipping
from pantry.tax.compute import spread
from pantry.tax.services import prices_include_tax, tax_order
from pantry.vouchers.services import Applied, check_voucher

ZERO = Decimal("0.00")
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
    # As a shopper reads it (product and options); the product's own name
    # and the variant's display name are snapshot on the order line.
    name: str
    product_name: str
    variant_name: str
    quantity: int
    unit_price: Decimal
    line_total: Decimal
    discount: Decimal
    tax_class: str
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
    shipping_tax: Decimal
    shipping_tax_rate: Decimal
    tax: Decimal
    total: Decimal
    lines: list[QuoteLine]
    shipping_methods: list[ShippingQuote]
    shipping_method: str | None
    shipping_method_name: str | None
    voucher: str | None
    prices_include_tax: bool
    # check_voucher's answer, which placement redeems without a re-read.
    applied_voucher: Applied | None = None


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
    """Quantities per SKU, as an order's (repeated SKUs merged, same limits)."""
    fields: dict[str, str] = {}
    quantities = line_quantities(lines, fields)
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
    quantities = clean_lines(lines)
    if payment_provider is not None:
        get_provider(payment_provider)
    return price_checkout(
        quantities=quantities,
        ship_to=clean_address(shipping_address, "shipping_address"),
        bill_to=clean_address(billing_address, "billing_address"),
        shipping_method=shipping_method,
        voucher=voucher,
        email=email,
        at=at or timezone.now(),
    )


def price_checkout(
    *,
    quantities: Mapping[str, int],
    ship_to: Mapping[str, str] | None,
    bill_to: Mapping[str, str] | None,
    shipping_method: str | None,
    voucher: str | None,
    email: str | None,
    at: datetime,
    customer_id: int | None = None,
    ships: bool = False,
) -> Quote:
    """The figures of an order of clean ``quantities`` and addresses at ``at``.

    Shipping applies when ``ships`` or when an address or a method is
    given (docs/checkout.md, "When shipping applies").

    The one computation behind both the quote and placement (which stores
    exactly these figures), so the two can never disagree. It reads prices,
    shipping facts, the voucher, the shipping tiers and the tax rates (one
    statement each) and writes nothing. Raises as quote_checkout does.
    """
    prices = current_prices(list(quantities))
    currencies = sorted({priced.currency for priced in prices.values()})
    if len(currencies) > 1:
        raise MixedCurrency(currencies=currencies)
    currency = currencies[0]
    facts = shipping_facts(quantities)
    skus = sorted(quantities)
    totals = [prices[sku].unit_price * quantities[sku] for sku in skus]
    subtotal = sum(totals, ZERO)

    discount, code, applied = ZERO, None, None
    if voucher:
        applied = check_voucher(
            code=voucher,
            subtotal=subtotal,
            currency=currency,
            email=email,
            customer_id=customer_id,
            at=at,
        )
        discount, code = applied.discount, applied.code
    shares = spread(discount, totals)

    methods, chosen = _shipping(
        quantities=quantities,
        facts=facts,
        ship_to=ship_to,
        method=shipping_method,
        subtotal=subtotal - discount,
        currency=currency,
        asked=ships
        or ship_to is not None
        or bill_to is not None
        or shipping_method is not None,
    )
    place = ship_to or bill_to
    include = prices_include_tax()
    classes = [
        facts[sku].tax_class if sku in facts else DEFAULT_TAX_CLASS for sku in skus
    ]
    taxed = tax_order(
        lines=[
            (total - share, klass)
            for total, share, klass in zip(totals, shares, classes, strict=True)
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
        shipping_tax=taxed.shipping.tax if taxed.shipping else ZERO,
        shipping_tax_rate=taxed.shipping.rate if taxed.shipping else ZERO,
        tax=taxed.tax,
        total=total,
        lines=[
            QuoteLine(
                sku=sku,
                name=prices[sku].variant_name or prices[sku].product_name,
                product_name=prices[sku].product_name,
                variant_name=prices[sku].variant_name,
                quantity=quantities[sku],
                unit_price=prices[sku].unit_price,
                line_total=line_total,
                discount=share,
                tax_class=klass,
                tax_rate=line.rate,
                net=line.net,
                tax=line.tax,
                gross=line.gross,
            )
            for sku, line_total, share, klass, line in zip(
                skus, totals, shares, classes, taxed.lines, strict=True
            )
        ],
        shipping_methods=methods,
        shipping_method=chosen.code if chosen else None,
        shipping_method_name=chosen.name if chosen else None,
        voucher=code,
        prices_include_tax=include,
        applied_voucher=applied,
    )


def _shipping(
    *,
    quantities: Mapping[str, int],
    facts: Mapping[str, ShippingFacts],
    ship_to: Mapping[str, str] | None,
    method: str | None,
    subtotal: Decimal,
    currency: str,
    asked: bool,
) -> tuple[list[ShippingQuote], ShippingQuote | None]:
    """The methods serving the order and the chosen one (cheapest if none).

    Nothing to ship, or a request with no address and no method at all (the
    original order body: collected, or shipping arranged apart): no
    methods, none chosen. Raises ShippingRequired (a method or a billing
    address but no shipping address) or ShippingUnavailable (nothing, or
    not ``method``, serves it).
    """
    shipped = [sku for sku in sorted(quantities) if facts[sku].requires_shipping]
    if not shipped or not asked:
        return [], None
    if ship_to is None:
        raise ShippingRequired(
            fields={"shipping_address": "Required: a line needs shipping."}
        )
    weight = sum(facts[sku].weight_g * quantities[sku] for sku in shipped)
    # Tiers are chosen by the subtotal after the discount.
    methods = quote_shipping(
        country=ship_to["country"],
        weight_g=weight,
        subtotal=subtotal,
        currency=currency,
    )
    if not methods:
        raise ShippingUnavailable(
            f"No shipping method serves {ship_to['country']} for this order."
        )
    if method is None:
        return methods, methods[0]
    for offered in methods:
        if offered.code == method:
            return methods, offered
    raise ShippingUnavailable(
        f"Shipping method {method!r} does not serve {ship_to['country']} "
        "for this order.",
        fields={"shipping_method": "one of " + ", ".join(m.code for m in methods)},
    )
