"""Demo tax: standard and reduced rates for the demo's shipping countries.

A few EU countries, the UK (food zero-rated) and a few US states (sales tax
on goods, groceries exempt; no federal rate). Tea and spices are the
reduced class.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from django.db import transaction

from pantry.catalog.models import DEFAULT_TAX_CLASS, Product
from pantry.tax.models import TaxClass, TaxRate
from pantry.tax.services import add_tax_rate

SINCE = datetime(2020, 1, 1, tzinfo=UTC)
REDUCED = "reduced"
# country, region, standard %, reduced %
RATES = [
    ("DE", "", "19", "7"),
    ("FR", "", "20", "5.5"),
    ("IT", "", "22", "10"),
    ("ES", "", "21", "10"),
    ("NL", "", "21", "9"),
    ("AT", "", "20", "10"),
    ("BE", "", "21", "6"),
    ("IE", "", "23", "0"),
    ("PL", "", "23", "5"),
    ("SE", "", "25", "12"),
    ("GB", "", "20", "0"),
    ("US", "CA", "7.25", "0"),
    ("US", "NY", "4", "0"),
    ("US", "TX", "6.25", "0"),
]
REDUCED_CATEGORIES = ("tea", "spices")


def is_empty() -> bool:
    return not TaxRate.objects.exists()


@transaction.atomic
def load() -> str:
    # The default class comes with a data migration, but a flushed test
    # database may have lost it.
    TaxClass.objects.get_or_create(
        code=DEFAULT_TAX_CLASS, defaults={"name": "Standard"}
    )
    TaxClass.objects.get_or_create(code=REDUCED, defaults={"name": "Reduced (food)"})
    for country, region, standard, reduced in RATES:
        for klass, rate in ((DEFAULT_TAX_CLASS, standard), (REDUCED, reduced)):
            add_tax_rate(
                tax_class=klass,
                country=country,
                region=region,
                rate=Decimal(rate),
                valid_from=SINCE,
            )
    food = Product.objects.filter(category__slug__in=REDUCED_CATEGORIES).update(
        tax_class=REDUCED
    )
    return f"{2 * len(RATES)} rates in {len(RATES)} places, {food} food products"
