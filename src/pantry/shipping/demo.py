"""Demo shipping: EU, UK and US zones, and weights for the demo catalog.

Each zone has a flat standard method (free above a subtotal in the EU) and
an express method priced by weight tiers, in the shop's currency. Loaded
after the catalog's demo (INSTALLED_APPS order), whose variants get
weights here: the catalog's demo knows nothing of shipping.
"""

from __future__ import annotations

import json
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction

from pantry.shipping.models import Zone
from pantry.shipping.services import add_method, add_rate, create_zone

EU = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR",
    "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO",
    "SE", "SI", "SK",
]  # fmt: skip
# (zone, countries, standard price, free standard from, express tiers as
# (up to grams, price)); the last tier is open-ended.
ZONES = [
    ("EU", EU, "4.90", "75.00", [(1000, "9.90"), (5000, "14.90"), (None, "24.90")]),
    ("UK", ["GB"], "7.90", None, [(1000, "14.90"), (5000, "19.90"), (None, "29.90")]),
    ("US", ["US"], "12.90", None, [(1000, "24.90"), (5000, "34.90"), (None, "49.90")]),
]
# Grams per variant by category where the product's specs give none.
CATEGORY_GRAMS = {
    "pans": 1400,
    "pots": 2200,
    "knives": 250,
    "espresso-machines": 9000,
    "grinders": 1800,
    "monitors": 6000,
    "headphones": 300,
    "speakers": 900,
    "helmets": 350,
    "tents": 2500,
    "sleeping-bags": 1200,
    "laptops": 1800,
    "tea": 100,
    "spices": 100,
}
# Weights from the specs (kg, or grams per pack times the pack size), else
# the category's, in one statement.
_WEIGHTS = """
UPDATE catalog_variant v SET weight_g = round(coalesce(
    (p.specs ->> 'weight_kg')::numeric * 1000,
    (p.specs ->> 'weight_g')::numeric
        * CASE v.options ->> 'pack' WHEN 'double' THEN 2 WHEN 'family' THEN 4
          ELSE 1 END,
    grams.g::numeric, 500))
FROM catalog_product p
JOIN catalog_category c ON c.id = p.category_id
LEFT JOIN (SELECT * FROM jsonb_each_text(%s::jsonb)) AS grams(slug, g)
    ON grams.slug = c.slug
WHERE p.id = v.product_id
"""


def is_empty() -> bool:
    return not Zone.objects.exists()


@transaction.atomic
def load() -> str:
    currency = settings.PANTRY_CURRENCY
    for name, countries, standard, free_from, express in ZONES:
        zone = create_zone(name=name, countries=countries)
        slug = name.lower()
        add_method(zone=zone, code=f"{slug}-standard", name=f"{name} standard")
        add_method(zone=zone, code=f"{slug}-express", name=f"{name} express")
        if free_from is None:
            add_rate(
                method_code=f"{slug}-standard",
                currency=currency,
                price=Decimal(standard),
            )
        else:
            add_rate(
                method_code=f"{slug}-standard",
                currency=currency,
                price=Decimal(standard),
                max_subtotal=Decimal(free_from),
            )
            add_rate(
                method_code=f"{slug}-standard",
                currency=currency,
                price=Decimal("0.00"),
                min_subtotal=Decimal(free_from),
            )
        low = 0
        for up_to, price in express:
            add_rate(
                method_code=f"{slug}-express",
                currency=currency,
                price=Decimal(price),
                min_weight_g=low,
                max_weight_g=up_to,
            )
            low = up_to or low
    with connection.cursor() as cursor:
        cursor.execute(_WEIGHTS, [json.dumps(CATEGORY_GRAMS)])
        weighed = cursor.rowcount
    return f"{len(ZONES)} zones, {2 * len(ZONES)} methods, {weighed} variants weighed"
