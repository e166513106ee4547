"""Configuring shipping and quoting it: zones, methods, rate tiers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.backends.postgresql.psycopg_any import NumericRange

from pantry.core.countries import is_country
from pantry.core.errors import Invalid, NotFound
from pantry.shipping.errors import (
    RateOverlap,
    ShippingRequired,
    ShippingUnavailable,
    UnknownCountry,
)
from pantry.shipping.models import Method, Rate, Zone

MAX_WEIGHT_G = 10_000_000
MAX_AMOUNT = Decimal("1000000")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class ShippingQuote:
    """A method that serves an address, with its price for the order."""

    code: str
    name: str
    price: Decimal


def check_country(country: object, field: str = "country") -> str:
    """``country`` upper-cased if it is an ISO 3166-1 alpha-2 code.

    Raises UnknownCountry naming ``field``.
    """
    code = country.strip().upper() if isinstance(country, str) else ""
    if not is_country(code):
        raise UnknownCountry(
            f"{country!r} is not an ISO 3166-1 alpha-2 country code.",
            fields={field: "An ISO 3166-1 alpha-2 code such as DE."},
        )
    return code


def create_zone(*, name: str, countries: Sequence[str]) -> Zone:
    """A zone of ``countries``; raises UnknownCountry or Invalid."""
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= 100:
        raise Invalid("A zone needs a name.", fields={"name": "1 to 100 characters."})
    if not countries:
        raise Invalid("A zone needs countries.", fields={"countries": "At least one."})
    codes = sorted(
        {check_country(c, f"countries.{i}") for i, c in enumerate(countries)}
    )
    return Zone.objects.create(name=name.strip(), countries=codes)


def add_method(*, zone: Zone, code: str, name: str) -> Method:
    """A shipping method of ``zone``; raises Invalid for a bad or taken code."""
    if not isinstance(code, str) or not re.fullmatch(r"[a-z0-9-]{1,50}", code):
        raise Invalid(
            "A method code is a slug.", fields={"code": "1 to 50 of a-z, 0-9, -."}
        )
    try:
        with transaction.atomic():
            return Method.objects.create(zone=zone, code=code, name=name)
    except IntegrityError:
        raise Invalid(
            f"A shipping method {code!r} exists already.",
            fields={"code": "taken"},
        ) from None


def add_rate(
    *,
    method_code: str,
    currency: str,
    price: Decimal,
    min_weight_g: int = 0,
    max_weight_g: int | None = None,
    min_subtotal: Decimal = Decimal("0"),
    max_subtotal: Decimal | None = None,
) -> Rate:
    """Price ``method_code`` for weights and subtotals in [min, max).

    Open maxima mean "and above". Raises NotFound, Invalid, or RateOverlap
    when the ranges overlap another tier of that method and currency.
    """
    method = Method.objects.filter(code=method_code).first()
    if method is None:
        raise NotFound(f"There is no shipping method {method_code!r}.")
    fields: dict[str, str] = {}
    if not re.fullmatch(r"[A-Z]{3}", currency or ""):
        fields["currency"] = "A three-letter ISO 4217 code."
    if not Decimal(0) <= price < MAX_AMOUNT or price != price.quantize(CENT):
        fields["price"] = f"An amount from 0 to below {MAX_AMOUNT}, in cents."
    if not 0 <= min_weight_g <= MAX_WEIGHT_G or (
        max_weight_g is not None and not min_weight_g < max_weight_g <= MAX_WEIGHT_G
    ):
        fields["weight_g"] = f"0 <= min < max <= {MAX_WEIGHT_G} grams."
    if not Decimal(0) <= min_subtotal < MAX_AMOUNT or (
        max_subtotal is not None and not min_subtotal < max_subtotal <= MAX_AMOUNT
    ):
        fields["subtotal"] = f"0 <= min < max <= {MAX_AMOUNT}."
    if fields:
        raise Invalid("The rate is invalid.", fields=fields)
    rate = Rate(
        method=method,
        currency=currency,
        price=price,
        weight_g=NumericRange(min_weight_g, max_weight_g, "[)"),
        subtotal=NumericRange(min_subtotal, max_subtotal, "[)"),
    )
    try:
        with transaction.atomic():
            rate.save()
    except IntegrityError as exc:
        if "shipping_rate_no_overlap" in str(exc):
            raise RateOverlap(
                f"This rate overlaps another {currency} rate of {method_code!r}."
            ) from None
        raise
    return rate


# One statement: the zones holding the country (GIN index on countries),
# their active methods, and each method's one tier containing the weight
# and subtotal (the EXCLUDE constraint's GiST index).
_QUOTE = """
SELECT m.code, m.name, r.price
FROM shipping_zone z
JOIN shipping_method m ON m.zone_id = z.id AND m.is_active
JOIN shipping_rate r ON r.method_id = m.id
WHERE z.countries @> ARRAY[%(country)s]::varchar(2)[]
  AND r.currency = %(currency)s
  AND r.weight_g @> %(weight)s::integer
  AND r.subtotal @> %(subtotal)s::numeric
ORDER BY r.price, m.code
"""


def quote_shipping(
    *, country: str, weight_g: int, subtotal: Decimal, currency: str
) -> list[ShippingQuote]:
    """The methods serving ``country`` for this order, cheapest first.

    Raises UnknownCountry; an empty list means no method serves it.
    """
    country = check_country(country)
    with connection.cursor() as cursor:
        cursor.execute(
            _QUOTE,
            {
                "country": country,
                "currency": currency,
                "weight": weight_g,
                "subtotal": subtotal,
            },
        )
        return [ShippingQuote(*row) for row in cursor.fetchall()]


def shipping_for(
    *,
    needs_shipping: bool,
    method: str | None,
    country: str | None,
    weight_g: int,
    subtotal: Decimal,
    currency: str,
) -> ShippingQuote | None:
    """The chosen method's quote for an order, or None when nothing ships.

    Raises ShippingRequired (shipped lines but no address or method),
    UnknownCountry, or ShippingUnavailable (the method does not serve it).
    """
    if not needs_shipping:
        return None
    if not country or not method:
        missing = "shipping_address" if not country else "shipping_method"
        raise ShippingRequired(fields={missing: "Required: a line needs shipping."})
    for quote in quote_shipping(
        country=country, weight_g=weight_g, subtotal=subtotal, currency=currency
    ):
        if quote.code == method:
            return quote
    raise ShippingUnavailable(
        f"Shipping method {method!r} does not serve {country} for this order."
    )
