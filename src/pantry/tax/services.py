"""Tax configuration and the tax of an order at a moment."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange

from pantry.catalog.models import DEFAULT_TAX_CLASS
from pantry.core.countries import is_country
from pantry.core.errors import Invalid, NotFound
from pantry.tax.compute import TaxedLine, tax_line
from pantry.tax.errors import TaxRateOverlap
from pantry.tax.models import TaxClass, TaxRate

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class OrderTax:
    """Taxed lines (in the order given), the taxed shipping, and totals."""

    lines: list[TaxedLine]
    shipping: TaxedLine | None
    tax: Decimal
    net: Decimal
    gross: Decimal


def prices_include_tax() -> bool:
    """The shop setting: do catalog and shipping prices include tax?"""
    return bool(settings.PANTRY_PRICES_INCLUDE_TAX)


def add_tax_rate(
    *,
    tax_class: str,
    country: str,
    rate: Decimal,
    valid_from: datetime,
    valid_until: datetime | None = None,
    region: str = "",
) -> TaxRate:
    """A rate for ``tax_class`` in ``country`` over [valid_from, valid_until).

    Raises NotFound (class), Invalid, or TaxRateOverlap.
    """
    klass = TaxClass.objects.filter(code=tax_class).first()
    if klass is None:
        raise NotFound(f"There is no tax class {tax_class!r}.")
    fields: dict[str, str] = {}
    if not is_country(country):
        fields["country"] = "An ISO 3166-1 alpha-2 code such as DE."
    if not Decimal(0) <= rate <= Decimal(100) or rate != rate.quantize(
        Decimal("0.0001")
    ):
        fields["rate"] = "A percentage from 0 to 100, at most 4 decimals."
    if valid_until is not None and valid_until <= valid_from:
        fields["valid_until"] = "Must be after valid_from."
    if fields:
        raise Invalid("The tax rate is invalid.", fields=fields)
    row = TaxRate(
        tax_class=klass,
        country=country,
        region=region,
        rate=rate,
        valid=DateTimeTZRange(valid_from, valid_until, "[)"),
    )
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as exc:
        if "tax_taxrate_no_overlap" in str(exc):
            raise TaxRateOverlap(
                f"A {tax_class} rate for {country}{'/' + region if region else ''} "
                "already holds during part of that period."
            ) from None
        raise
    return row


# A region's own rate wins over the country-wide one (region '' sorts
# last under DESC); the EXCLUDE constraint's GiST index finds each.
_RATES = """
SELECT DISTINCT ON (c.code) c.code, r.rate
FROM tax_taxrate r JOIN tax_taxclass c ON c.id = r.tax_class_id
WHERE r.country = %(country)s AND r.region IN (%(region)s, '')
  AND r.valid @> %(at)s::timestamptz AND c.code = ANY(%(classes)s)
ORDER BY c.code, r.region DESC
"""


def rates_at(
    *, country: str, region: str = "", classes: Iterable[str], at: datetime
) -> dict[str, Decimal]:
    """Each class's rate in percent at ``at``; classes without one are absent."""
    with connection.cursor() as cursor:
        cursor.execute(
            _RATES,
            {
                "country": country,
                "region": region,
                "at": at,
                "classes": sorted(set(classes)),
            },
        )
        return {code: rate for code, rate in cursor.fetchall()}


def tax_order(
    *,
    lines: Sequence[tuple[Decimal, str]],
    shipping: Decimal | None,
    country: str,
    region: str = "",
    at: datetime,
    include_tax: bool | None = None,
) -> OrderTax:
    """Tax each (amount, tax class) line and the shipping, per line.

    Amounts are after discounts. Shipping is taxed at the rate of the
    default class (``standard``) of the destination. A class with no rate
    there at ``at`` is taxed at 0 (docs/checkout.md).
    """
    include = prices_include_tax() if include_tax is None else include_tax
    classes = {klass for _, klass in lines} | {DEFAULT_TAX_CLASS}
    rates = rates_at(country=country, region=region, classes=classes, at=at)
    zero = Decimal("0")
    taxed = [
        tax_line(amount, rates.get(klass, zero), prices_include_tax=include)
        for amount, klass in lines
    ]
    ship = (
        None
        if shipping is None
        else tax_line(
            shipping, rates.get(DEFAULT_TAX_CLASS, zero), prices_include_tax=include
        )
    )
    every = [*taxed, *([ship] if ship else [])]
    return OrderTax(
        lines=taxed,
        shipping=ship,
        tax=sum((line.tax for line in every), ZERO),
        net=sum((line.net for line in every), ZERO),
        gross=sum((line.gross for line in every), ZERO),
    )
