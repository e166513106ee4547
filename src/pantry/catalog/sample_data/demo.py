# Long on purpose: half is data (the category tree and the kinds of product).
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
from django.utils.text import slugify

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
    ("rice", "Rice", "pantry-food"),
    ("oils", "Olive oil", "pantry-food"),
]


@dataclass(frozen=True)
class Kind:
    """One kind of product in one category, with the words it is sold in."""

    category: str
    nouns: tuple[str, ...]
    brands: tuple[str, ...]
    # Name qualifiers ("Classic"); food is named by its origin instead.
    words: tuple[str, ...]
    tags: tuple[str, ...]
    price: tuple[int, int]
    count: int
    # A variant option (key and the values a shopper picks from).
    option: tuple[str, tuple[str, ...]]
    blurb: str


COLOURS = ("Black", "White", "Graphite", "Sage", "Sand", "Red", "Navy")
FOOD_WEIGHTS = ("50 g", "100 g", "250 g", "500 g")

KINDS = [
    Kind(
        "pans",
        ("Frying Pan", "Skillet", "Wok", "Saute Pan"),
        ("Ferro", "Castell", "Lumen"),
        ("Classic", "Pro", "Heritage", "Everyday", "Signature", "Bistro"),
        ("kitchen", "cookware"),
        (25, 140),
        24,
        ("size", ("20 cm", "24 cm", "28 cm", "32 cm")),
        "heats evenly and sears without sticking",
    ),
    Kind(
        "pots",
        ("Stock Pot", "Dutch Oven", "Sauce Pan"),
        ("Ferro", "Castell", "Lumen"),
        ("Classic", "Pro", "Heritage", "Everyday", "Signature", "Bistro"),
        ("kitchen", "cookware"),
        (30, 260),
        20,
        ("capacity", ("2 l", "3.5 l", "5 l", "8 l")),
        "keeps a slow simmer for hours",
    ),
    Kind(
        "knives",
        ("Chef Knife", "Santoku", "Paring Knife", "Bread Knife"),
        ("Hagane", "Solberg"),
        ("Classic", "Pro", "Forged", "Damascus", "Everyday", "Signature"),
        ("kitchen", "knives", "steel"),
        (19, 220),
        22,
        ("blade", ("9 cm", "15 cm", "20 cm", "24 cm")),
        "holds a keen edge through months of daily prep",
    ),
    Kind(
        "espresso-machines",
        ("Espresso Machine", "Lever Espresso"),
        ("Crema", "Vesuvio", "Barista Co"),
        ("Classic", "Pro", "Compact", "Dual Boiler", "Signature", "Studio"),
        ("coffee", "espresso", "electric"),
        (180, 1400),
        16,
        ("colour", ("Steel", "Black", "White", "Red")),
        "pulls a steady shot at nine bars",
    ),
    Kind(
        "grinders",
        ("Burr Grinder", "Hand Grinder"),
        ("Crema", "Mahlwerk"),
        ("Classic", "Pro", "Compact", "Precision", "Travel", "Studio"),
        ("coffee", "grinder"),
        (35, 600),
        16,
        ("colour", ("Steel", "Black", "White")),
        "grinds evenly from espresso fine to French press coarse",
    ),
    Kind(
        "laptops",
        ("Laptop", "Ultrabook", "Notebook"),
        ("Aurora", "Nimbus", "Kestrel"),
        ("Pro", "Air", "Studio", "Compact", "Max", "Lite", "Signature", "Nova"),
        ("electronics", "laptop", "computer"),
        (499, 2599),
        30,
        (
            "configuration",
            (
                "8 GB RAM, 256 GB SSD",
                "16 GB RAM, 512 GB SSD",
                "16 GB RAM, 1 TB SSD",
                "32 GB RAM, 1 TB SSD",
            ),
        ),
        "runs all day on one charge",
    ),
    Kind(
        "monitors",
        ("Monitor", "Display"),
        ("Aurora", "Vista", "Kestrel"),
        ("Pro", "Studio", "UltraWide", "Office", "Gaming", "Signature"),
        ("electronics", "monitor", "computer"),
        (129, 1199),
        24,
        ("stand", ("Fixed stand", "Height-adjustable stand", "Wall mount")),
        "shows sharp text and true colour from edge to edge",
    ),
    Kind(
        "headphones",
        ("Headphones", "Earbuds", "Studio Monitors"),
        ("Sonora", "Echo Lane", "Nimbus"),
        ("Classic", "Pro", "Compact", "Max", "Lite", "Signature", "Nova"),
        ("electronics", "audio"),
        (29, 449),
        26,
        ("colour", COLOURS),
        "sounds clear at any volume",
    ),
    Kind(
        "speakers",
        ("Speaker", "Soundbar", "Bookshelf Speakers"),
        ("Sonora", "Echo Lane"),
        ("Classic", "Pro", "Compact", "Max", "Signature", "Nova"),
        ("electronics", "audio"),
        (49, 899),
        20,
        ("colour", COLOURS),
        "fills a room without distortion",
    ),
    Kind(
        "tents",
        ("Dome Tent", "Tunnel Tent", "Ultralight Tent"),
        ("Trailhead", "Nordwand"),
        ("Classic", "Expedition", "Trail", "Alpine", "Summit"),
        ("outdoor", "camping", "tent"),
        (89, 790),
        20,
        ("colour", ("Forest", "Sand", "Orange")),
        "pitches in minutes and stands up to wind",
    ),
    Kind(
        "sleeping-bags",
        ("Sleeping Bag", "Quilt"),
        ("Trailhead", "Nordwand"),
        ("Classic", "Expedition", "Trail", "Alpine", "Summit", "Ultralight"),
        ("outdoor", "camping"),
        (59, 520),
        18,
        ("size", ("Regular", "Long", "Wide")),
        "keeps you warm down to its comfort rating",
    ),
    Kind(
        "helmets",
        ("Road Helmet", "MTB Helmet", "Commuter Helmet"),
        ("Velo", "Ridgeback"),
        ("Classic", "Pro", "Aero", "Urban", "Trail"),
        ("outdoor", "cycling", "safety"),
        (39, 260),
        18,
        ("size", ("S", "M", "L", "XL")),
        "stays cool on long climbs",
    ),
    Kind(
        "tea",
        ("Green Tea", "Black Tea", "Oolong", "Herbal Infusion"),
        ("Teahouse", "Leaf & Co"),
        (),
        ("food", "tea"),
        (4, 38),
        22,
        ("weight", FOOD_WEIGHTS),
        "brews a clean, fragrant cup",
    ),
    Kind(
        "spices",
        ("Smoked Paprika", "Cumin", "Saffron", "Black Pepper"),
        ("Spice Route", "Leaf & Co"),
        (),
        ("food", "spices"),
        (3, 45),
        22,
        ("weight", ("5 g", "25 g", "50 g", "100 g")),
        "is packed within weeks of the harvest",
    ),
    Kind(
        "rice",
        ("Risotto Rice", "Basmati Rice", "Jasmine Rice"),
        ("Riso Gallo", "Leaf & Co"),
        (),
        ("food", "rice"),
        (3, 18),
        14,
        ("weight", ("500 g", "1 kg", "5 kg")),
        "cooks to separate, tender grains",
    ),
    Kind(
        "oils",
        ("Olive Oil", "Extra Virgin Olive Oil"),
        ("Oliveto", "Leaf & Co"),
        (),
        ("food", "olive-oil"),
        (8, 45),
        10,
        ("volume", ("250 ml", "500 ml", "1 l")),
        "is cold-pressed from this season's olives",
    ),
]
# Food is named by where it comes from: (region, country) by noun.
ORIGINS: dict[str, tuple[tuple[str, str], ...]] = {
    "Green Tea": (("Uji", "Japan"), ("Shizuoka", "Japan"), ("Zhejiang", "China")),
    "Black Tea": (("Assam", "India"), ("Darjeeling", "India"), ("Ceylon", "Sri Lanka")),
    "Oolong": (("Wuyi", "China"), ("Alishan", "Taiwan"), ("Anxi", "China")),
    "Herbal Infusion": (("Provence", "France"), ("Anatolia", "Turkey")),
    "Smoked Paprika": (("La Vera", "Spain"), ("Murcia", "Spain"), ("Szeged", "Hungary")),
    "Cumin": (("Rajasthan", "India"), ("Gujarat", "India"), ("Anatolia", "Turkey")),
    "Saffron": (("La Mancha", "Spain"), ("Kashmir", "India"), ("Khorasan", "Iran")),
    "Black Pepper": (("Kampot", "Cambodia"), ("Tellicherry", "India")),
    "Risotto Rice": (("Piedmont", "Italy"), ("Lomellina", "Italy"), ("Vercelli", "Italy")),
    "Basmati Rice": (("Punjab", "India"), ("Dehradun", "India")),
    "Jasmine Rice": (("Surin", "Thailand"), ("Battambang", "Cambodia")),
    "Olive Oil": (("Jaén", "Spain"), ("Crete", "Greece"), ("Puglia", "Italy")),
    "Extra Virgin Olive Oil": (("Jaén", "Spain"), ("Kalamata", "Greece")),
}  # fmt: skip
FOOD = {"tea", "spices", "rice", "oils"}
# Products this young carry the "new" tag.
NEW_FOR = timedelta(days=30)


def is_empty() -> bool:
    return not Product.objects.exists() and not Category.objects.exists()


def _specs(kind: Kind, noun: str, rng: random.Random) -> dict[str, Any]:
    """Specs of one product: the keys of its category (SPEC_KEYS), no others."""
    pick = rng.choice
    category = kind.category
    if category in ("pans", "pots"):
        specs: dict[str, Any] = {
            "material": pick(["stainless steel", "cast iron", "carbon steel"]),
            "induction": rng.random() < 0.7,
            "oven_safe_c": pick([180, 220, 260]),
        }
        if category == "pans":
            specs["coating"] = pick(["none", "ceramic", "seasoned"])
        else:
            specs["lid"] = pick(["glass", "steel", "cast iron"])
        return specs
    if category == "knives":
        return {
            "steel": pick(["VG-10", "X50CrMoV15", "AUS-8", "Damascus"]),
            "hardness_hrc": pick([56, 58, 60, 61]),
            "handle": pick(["walnut", "olive wood", "resin", "steel"]),
        }
    if category == "espresso-machines":
        return {
            "pressure_bar": pick([9, 15, 19]),
            "water_tank_l": pick([1.2, 1.8, 2.5]),
            "milk_frother": rng.random() < 0.6,
            "electric": noun != "Lever Espresso",
        }
    if category == "grinders":
        return {
            "burr": pick(["conical", "flat"]),
            "grind_settings": pick([18, 31, 40, 60]),
            "electric": noun != "Hand Grinder",
        }
    if category == "laptops":
        return {
            "screen": {
                "size_in": pick([13.3, 14.0, 15.6, 16.0]),
                "resolution": pick(["1920x1080", "2560x1600", "2880x1800"]),
            },
            "cpu": {"cores": pick([4, 6, 8, 12]), "brand": pick(["AMD", "Intel"])},
            "weight_kg": round(rng.uniform(1.0, 2.4), 2),
            "battery_h": pick([8, 10, 14, 18]),
        }
    if category == "monitors":
        return {
            "screen": {
                "size_in": pick([24, 27, 32, 34]),
                "resolution": pick(["1920x1080", "2560x1440", "3840x2160"]),
                "refresh_hz": pick([60, 75, 144, 165]),
            },
            "ports": rng.sample(["hdmi", "displayport", "usb-c"], k=2),
            "panel": pick(["IPS", "VA", "OLED"]),
        }
    if category == "headphones":
        return {
            "audio": {"driver_mm": pick([10, 40, 50]), "wireless": rng.random() < 0.7},
            "battery_h": pick([8, 20, 30, 40]),
            "noise_cancelling": rng.random() < 0.5,
        }
    if category == "speakers":
        return {
            "audio": {"driver_mm": pick([50, 65, 100]), "wireless": rng.random() < 0.6},
            "power_w": pick([20, 40, 80, 150]),
        }
    if category == "tents":
        return {
            "capacity": pick([1, 2, 3, 4]),
            "weight_kg": round(rng.uniform(0.9, 4.5), 2),
            "season": pick(["3-season", "4-season"]),
        }
    if category == "sleeping-bags":
        return {
            "fill": pick(["down", "synthetic"]),
            "comfort_c": pick([-10, -5, 0, 5]),
            "weight_kg": round(rng.uniform(0.6, 2.2), 2),
        }
    if category == "helmets":
        return {
            "weight_g": pick([230, 260, 290, 340]),
            "mips": rng.random() < 0.5,
            "vents": pick([8, 14, 18, 24]),
        }
    raise ValueError(f"no specs for {category}")


def _food_specs(
    kind: Kind, origin: tuple[str, str], rng: random.Random
) -> dict[str, Any]:
    region, country = origin
    specs: dict[str, Any] = {
        "origin": country,
        "region": region,
        "organic": rng.random() < 0.5,
    }
    extra = {
        "tea": ("harvest", ["first flush", "second flush", "autumn"]),
        "spices": ("form", ["whole", "ground"]),
        "rice": ("grain", ["short", "medium", "long"]),
        "oils": ("harvest", ["early", "mid", "late"]),
    }[kind.category]
    specs[extra[0]] = rng.choice(extra[1])
    return specs


# The spec keys of each category's products (tests check the demo by them).
SPEC_KEYS: dict[str, set[str]] = {
    "pans": {"material", "induction", "oven_safe_c", "coating"},
    "pots": {"material", "induction", "oven_safe_c", "lid"},
    "knives": {"steel", "hardness_hrc", "handle"},
    "espresso-machines": {"pressure_bar", "water_tank_l", "milk_frother", "electric"},
    "grinders": {"burr", "grind_settings", "electric"},
    "laptops": {"screen", "cpu", "weight_kg", "battery_h"},
    "monitors": {"screen", "ports", "panel"},
    "headphones": {"audio", "battery_h", "noise_cancelling"},
    "speakers": {"audio", "power_w"},
    "tents": {"capacity", "weight_kg", "season"},
    "sleeping-bags": {"fill", "comfort_c", "weight_kg"},
    "helmets": {"weight_g", "mips", "vents"},
    "tea": {"origin", "region", "organic", "harvest"},
    "spices": {"origin", "region", "organic", "form"},
    "rice": {"origin", "region", "organic", "grain"},
    "oils": {"origin", "region", "organic", "harvest"},
}


def fact_tags(specs: dict[str, Any]) -> list[str]:
    """The tags that a product's specs make true (and only those)."""
    tags = []
    if specs.get("organic") is True:
        tags.append("organic")
    if specs.get("induction") is True:
        tags.append("induction")
    if specs.get("audio", {}).get("wireless") is True:
        tags.append("wireless")
    if specs.get("fill") == "down":
        tags.append("down")
    if specs.get("electric") is True:
        tags.append("electric")
    return tags


def _names(kind: Kind, rng: random.Random) -> list[tuple[str, str, Any]]:
    """``kind.count`` distinct (name, noun, origin or None): no numbers needed."""
    combos: list[tuple[str, str, Any]] = []
    for brand in kind.brands:
        for noun in kind.nouns:
            if kind.category in FOOD:
                combos += [(f"{brand} {o[0]} {noun}", noun, o) for o in ORIGINS[noun]]
            else:
                combos += [(f"{brand} {w} {noun}", noun, None) for w in kind.words]
    rng.shuffle(combos)
    return combos[: kind.count]


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
    kinds: dict[int, Kind] = {}
    for kind in KINDS:
        for name, noun, origin in _names(kind, rng):
            brand = next(b for b in kind.brands if name.startswith(b + " "))
            if origin:
                specs = _food_specs(kind, origin, rng)
                more = f"Grown in {origin[0]}, {origin[1]}, and sold by {brand}."
                attributes = {"brand": brand}
            else:
                specs = _specs(kind, noun, rng)
                warranty = rng.choice(["2 years", "3 years", "5 years"])
                more = f"Made by {brand} and guaranteed for {warranty}."
                attributes = {"brand": brand, "warranty": warranty}
            product = Product(
                slug=slugify(name),
                name=name,
                description=f"The {name} {kind.blurb}. {more}",
                category=categories[kind.category],
                tags=[*kind.tags, *fact_tags(specs)],
                specs=specs,
                attributes=attributes,
            )
            # Spread over eight months, categories mixed, so "New in" is too.
            product.created_at = now - timedelta(
                days=rng.uniform(0, 240), minutes=rng.randrange(600)
            )
            if now - product.created_at < NEW_FOR:
                product.tags.append("new")
            product.tags += rng.sample(["bestseller", "gift"], k=rng.randint(0, 1))
            kinds[id(product)] = kind
            products.append(product)
    promotions = []
    for product in rng.sample(products, k=30):
        product.tags.append("sale")
        promotions.append(
            Promotion(
                product=product,
                percent_off=Decimal(rng.choice([5, 10, 15, 20, 25, 30])),
                during=DateTimeTZRange(
                    now - timedelta(days=2), now + timedelta(days=12)
                ),
            )
        )
    on_sale = {id(p.product) for p in promotions}
    for product in rng.sample([p for p in products if id(p) not in on_sale], k=10):
        start = now + timedelta(days=20 + rng.randint(0, 10))
        promotions.append(
            Promotion(
                product=product,
                percent_off=Decimal(rng.choice([10, 20, 40])),
                during=DateTimeTZRange(start, start + timedelta(days=7)),
            )
        )
    created = {p.slug: p.created_at for p in products}
    Product.objects.bulk_create(products)
    # auto_now_add stamped every row with now; set the spread times back.
    for product in products:
        product.created_at = product.updated_at = created[product.slug]
    Product.objects.bulk_update(products, ["created_at", "updated_at"])
    variants: list[Variant] = []
    for product in products:
        kind = kinds[id(product)]
        base = Decimal(rng.randint(*kind.price)) + Decimal("0.90")
        key, values = kind.option
        chosen = sorted(
            rng.sample(range(len(values)), k=rng.randint(1, min(4, len(values))))
        )
        step = Decimal(rng.choice([5, 10, 20])) if kind.price[1] > 100 else base / 2
        for index, value in enumerate(chosen):
            variants.append(
                Variant(
                    product=product,
                    sku=f"{product.slug[:40].upper()}-{index + 1}",
                    options={key: values[value]},
                    price=(base + index * step).quantize(Decimal("0.01")),
                    currency=settings.PANTRY_CURRENCY,
                    stock=rng.choice([0, 0, 3, 5, 12, 25, 40, 100]),
                )
            )
    Variant.objects.bulk_create(variants)
    Promotion.objects.bulk_create(promotions)
    add_pictures(products, describe)
    return (
        f"{len(categories)} categories, {len(products)} products, "
        f"{len(variants)} variants, {len(promotions)} promotions"
    )
