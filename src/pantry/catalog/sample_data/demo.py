"""A demo catalog: a category tree, a few hundred products, promotions.

Deterministic (a fixed random seed; promotion times relative to now) and
quick: rows go in with bulk_create, the summary table follows by trigger.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone

from pantry.catalog.models import Category, Product, Promotion, Variant
from pantry.catalog.sample_data.pictures import add_pictures, describe

# (slug, name, parent slug)
CATEGORIES = [
    ("kitchen", "Kitchen", None),
    ("cookware", "Cookware", "kitchen"),
    ("pans", "Pans", "cookware"),
    ("pots", "Pots", "cookware"),
    ("knives", "Knives", "kitchen"),
    ("coffee-gear", "Coffee gear", "kitchen"),
    ("espresso-machines", "Espresso machines", "coffee-gear"),
    ("grinders", "Grinders", "coffee-gear"),
    ("electronics", "Electronics", None),
    ("computers", "Computers", "electronics"),
    ("laptops", "Laptops", "computers"),
    ("monitors", "Monitors", "computers"),
    ("audio", "Audio", "electronics"),
    ("headphones", "Headphones", "audio"),
    ("speakers", "Speakers", "audio"),
    ("outdoor", "Outdoor", None),
    ("camping", "Camping", "outdoor"),
    ("tents", "Tents", "camping"),
    ("sleeping-bags", "Sleeping bags", "camping"),
    ("cycling", "Cycling", "outdoor"),
    ("helmets", "Helmets", "cycling"),
    ("pantry-food", "Pantry", None),
    ("tea", "Tea", "pantry-food"),
    ("spices", "Spices", "pantry-food"),
]


@dataclass(frozen=True)
class Kind:
    category: str
    nouns: tuple[str, ...]
    brands: tuple[str, ...]
    tags: tuple[str, ...]
    price: tuple[int, int]
    count: int


KINDS = [
    Kind(
        "pans",
        ("Frying Pan", "Skillet", "Wok", "Saute Pan"),
        ("Ferro", "Castell", "Lumen"),
        ("kitchen", "cookware", "induction"),
        (25, 140),
        24,
    ),
    Kind(
        "pots",
        ("Stock Pot", "Dutch Oven", "Sauce Pan"),
        ("Ferro", "Castell", "Lumen"),
        ("kitchen", "cookware", "induction"),
        (30, 260),
        20,
    ),
    Kind(
        "knives",
        ("Chef Knife", "Santoku", "Paring Knife", "Bread Knife"),
        ("Hagane", "Solberg"),
        ("kitchen", "knives", "steel"),
        (19, 220),
        22,
    ),
    Kind(
        "espresso-machines",
        ("Espresso Machine", "Lever Espresso"),
        ("Crema", "Vesuvio", "Barista Co"),
        ("coffee", "espresso", "electric"),
        (180, 1400),
        16,
    ),
    Kind(
        "grinders",
        ("Burr Grinder", "Hand Grinder"),
        ("Crema", "Mahlwerk"),
        ("coffee", "grinder"),
        (35, 600),
        16,
    ),
    Kind(
        "laptops",
        ("Laptop", "Ultrabook", "Notebook"),
        ("Aurora", "Nimbus", "Kestrel"),
        ("electronics", "laptop", "computer"),
        (499, 2599),
        30,
    ),
    Kind(
        "monitors",
        ("Monitor", "Display"),
        ("Aurora", "Vista", "Kestrel"),
        ("electronics", "monitor", "computer"),
        (129, 1199),
        24,
    ),
    Kind(
        "headphones",
        ("Headphones", "Earbuds", "Studio Monitors"),
        ("Sonora", "Echo Lane", "Nimbus"),
        ("electronics", "audio", "wireless"),
        (29, 449),
        26,
    ),
    Kind(
        "speakers",
        ("Speaker", "Soundbar", "Bookshelf Speakers"),
        ("Sonora", "Echo Lane"),
        ("electronics", "audio"),
        (49, 899),
        20,
    ),
    Kind(
        "tents",
        ("Dome Tent", "Tunnel Tent", "Ultralight Tent"),
        ("Trailhead", "Nordwand"),
        ("outdoor", "camping", "tent"),
        (89, 790),
        20,
    ),
    Kind(
        "sleeping-bags",
        ("Sleeping Bag", "Quilt"),
        ("Trailhead", "Nordwand"),
        ("outdoor", "camping", "down"),
        (59, 520),
        18,
    ),
    Kind(
        "helmets",
        ("Road Helmet", "MTB Helmet", "Commuter Helmet"),
        ("Velo", "Ridgeback"),
        ("outdoor", "cycling", "safety"),
        (39, 260),
        18,
    ),
    Kind(
        "tea",
        ("Green Tea", "Black Tea", "Oolong", "Herbal Infusion"),
        ("Teahouse", "Leaf & Co"),
        ("food", "tea", "organic"),
        (4, 38),
        30,
    ),
    Kind(
        "spices",
        ("Smoked Paprika", "Cumin", "Saffron", "Pepper Blend"),
        ("Spice Route", "Leaf & Co"),
        ("food", "spices", "organic"),
        (3, 45),
        24,
    ),
]

ADJECTIVES = (
    "Classic",
    "Pro",
    "Compact",
    "Premium",
    "Everyday",
    "Studio",
    "Max",
    "Lite",
    "Signature",
    "Essential",
    "Nova",
    "Summit",
)
COLOURS = ("black", "white", "red", "blue", "green", "graphite", "sand")
SIZES = ("S", "M", "L", "XL")


def is_empty() -> bool:
    return not Product.objects.exists() and not Category.objects.exists()


def _specs(kind: Kind, rng: random.Random) -> dict[str, Any]:
    if kind.category == "laptops":
        size = rng.choice([13.3, 14.0, 15.6, 16.0])
        return {
            "screen": {
                "size_in": size,
                "resolution": rng.choice(["1920x1080", "2560x1600", "2880x1800"]),
            },
            "cpu": {
                "cores": rng.choice([4, 6, 8, 12]),
                "brand": rng.choice(["AMD", "Intel"]),
            },
            "weight_kg": round(rng.uniform(1.0, 2.4), 2),
        }
    if kind.category == "monitors":
        return {
            "screen": {
                "size_in": rng.choice([24, 27, 32, 34]),
                "resolution": rng.choice(["1920x1080", "2560x1440", "3840x2160"]),
                "refresh_hz": rng.choice([60, 75, 144, 165]),
            },
            "ports": rng.sample(["hdmi", "displayport", "usb-c"], k=2),
        }
    if kind.category in ("headphones", "speakers"):
        return {
            "audio": {
                "driver_mm": rng.choice([10, 40, 50, 65]),
                "wireless": rng.random() < 0.7,
            },
            "battery_h": rng.choice([8, 12, 20, 30, 40]),
        }
    if kind.category in ("tea", "spices"):
        return {
            "origin": rng.choice(
                ["India", "Japan", "China", "Sri Lanka", "Spain", "Turkey"]
            ),
            "weight_g": rng.choice([50, 100, 250, 500]),
            "organic": rng.random() < 0.5,
        }
    if kind.category in ("tents", "sleeping-bags"):
        return {
            "capacity": rng.choice([1, 2, 3, 4]),
            "weight_kg": round(rng.uniform(0.6, 4.5), 2),
            "season": rng.choice(["3-season", "4-season"]),
        }
    return {
        "material": rng.choice(
            ["stainless steel", "cast iron", "carbon steel", "aluminium"]
        ),
        "dimensions": {
            "width_cm": rng.choice([20, 24, 28, 32]),
            "height_cm": rng.randint(5, 30),
        },
    }


def _variant_options(
    kind: Kind, rng: random.Random, count: int
) -> list[dict[str, str]]:
    if kind.category in ("laptops",):
        choices = [
            {"ram": r, "disk": d}
            for r in ("8GB", "16GB", "32GB")
            for d in ("256GB", "512GB", "1TB")
        ]
    elif kind.category in ("helmets", "sleeping-bags"):
        choices = [{"size": s} for s in SIZES]
    elif kind.category in ("tea", "spices"):
        choices = [{"pack": p} for p in ("single", "double", "family")]
    else:
        choices = [{"colour": c} for c in COLOURS]
    return rng.sample(choices, k=min(count, len(choices)))


@transaction.atomic
def load() -> str:
    rng = random.Random(20261124)
    now = timezone.now()
    categories: dict[str, Category] = {}
    for slug, name, parent in CATEGORIES:
        above = categories.get(parent) if parent else None
        categories[slug] = Category.objects.create(
            slug=slug,
            name=name,
            parent=above,
            path=f"{above.path}.{slug}" if above else slug,
        )
    products: list[Product] = []
    seen: set[str] = set()
    for kind in KINDS:
        for _ in range(kind.count):
            brand = rng.choice(kind.brands)
            name = f"{brand} {rng.choice(ADJECTIVES)} {rng.choice(kind.nouns)}"
            if name in seen:
                name = f"{name} {rng.randint(2, 99)}"
            if name in seen:
                continue
            seen.add(name)
            tags = list(kind.tags[:2]) + rng.sample(kind.tags[2:], k=len(kind.tags[2:]))
            tags += rng.sample(
                ["bestseller", "new", "gift", "eco", "sale"], k=rng.randint(0, 2)
            )
            products.append(
                Product(
                    slug=name.lower()
                    .replace("&", "and")
                    .replace(" ", "-")
                    .replace("--", "-"),
                    name=name,
                    description=(
                        f"The {name} from {brand}: a {rng.choice(kind.nouns).lower()} "
                        f"made for {rng.choice(['daily use', 'enthusiasts', 'travel', 'small kitchens', 'long trips', 'the office'])}."
                    ),
                    category=categories[kind.category],
                    tags=tags,
                    specs=_specs(kind, rng),
                    attributes={
                        "brand": brand,
                        "colour": rng.choice(COLOURS),
                        "warranty": rng.choice(["1 year", "2 years", "5 years"]),
                    },
                )
            )
    Product.objects.bulk_create(products)
    variants: list[Variant] = []
    kinds = {kind.category: kind for kind in KINDS}
    for product in products:
        kind = kinds[product.category.slug]
        base = Decimal(rng.randint(*kind.price)) + Decimal("0.90")
        options = _variant_options(kind, rng, rng.randint(1, 4))
        for index, option in enumerate(options):
            variants.append(
                Variant(
                    product=product,
                    sku=f"{product.slug[:40].upper()}-{index + 1}",
                    options=option,
                    price=base + Decimal(index * rng.choice([0, 5, 10, 20])),
                    currency=settings.PANTRY_CURRENCY,
                    stock=rng.choice([0, 0, 3, 5, 12, 25, 40, 100]),
                )
            )
    Variant.objects.bulk_create(variants)
    promotions = []
    for product in rng.sample(products, k=30):
        promotions.append(
            Promotion(
                product=product,
                percent_off=Decimal(rng.choice([5, 10, 15, 20, 25, 30])),
                during=DateTimeTZRange(
                    now - timedelta(days=2), now + timedelta(days=12)
                ),
            )
        )
    for product in rng.sample(products, k=10):
        start = now + timedelta(days=20 + rng.randint(0, 10))
        promotions.append(
            Promotion(
                product=product,
                percent_off=Decimal(rng.choice([10, 20, 40])),
                during=DateTimeTZRange(start, start + timedelta(days=7)),
            )
        )
    Promotion.objects.bulk_create(promotions)
    add_pictures(products, describe)
    return (
        f"{len(categories)} categories, {len(products)} products, "
        f"{len(variants)} variants, {len(promotions)} promotions"
    )
