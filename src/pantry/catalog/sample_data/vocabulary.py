"""The words of the synthetic catalog: departments, brands, tags, specs.

Fixed lists, so the same seed always gives the same catalog.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

BRANDS = [
    "Aurora",
    "Borealis",
    "Cobalt",
    "Dune",
    "Ember",
    "Fjord",
    "Granite",
    "Harbor",
    "Indigo",
    "Juniper",
    "Kestrel",
    "Lumen",
    "Meridian",
    "Nimbus",
    "Orchard",
    "Pinnacle",
    "Quartz",
    "Riverstone",
    "Summit",
    "Tundra",
    "Umbra",
    "Vantage",
    "Willow",
    "Xenon",
    "Yarrow",
    "Zephyr",
    "Alder",
    "Beacon",
    "Cedar",
    "Delta",
    "Evergreen",
    "Falcon",
    "Glacier",
    "Hearth",
    "Ironwood",
    "Jasper",
    "Kinfolk",
    "Larkspur",
    "Mistral",
    "Northwind",
    "Oakhaven",
    "Pebble",
    "Quill",
    "Redwood",
    "Solstice",
    "Tidewater",
    "Upland",
    "Velvet",
    "Wren",
    "Atlas",
    "Brightline",
    "Copperleaf",
    "Driftwood",
    "Elmstead",
    "Foxglove",
    "Greyhound",
]
ADJECTIVES = [
    "compact",
    "classic",
    "deluxe",
    "ultra",
    "slim",
    "rugged",
    "smart",
    "wireless",
    "portable",
    "premium",
    "essential",
    "modern",
    "vintage",
    "lightweight",
    "heavy-duty",
    "silent",
    "rapid",
    "ergonomic",
    "foldable",
    "waterproof",
    "insulated",
    "eco",
    "organic",
    "handmade",
    "minimalist",
    "quilted",
    "cordless",
    "digital",
    "adjustable",
    "stackable",
    "nordic",
    "urban",
    "coastal",
    "alpine",
    "travel",
    "everyday",
    "professional",
    "studio",
    "outdoor",
    "indoor",
    "soft",
    "sturdy",
    "bright",
    "matte",
    "glossy",
    "thermal",
    "breathable",
    "stretch",
    "cosy",
]
MATERIALS = [
    "cotton",
    "wool",
    "linen",
    "leather",
    "steel",
    "aluminium",
    "oak",
    "walnut",
    "bamboo",
    "glass",
    "ceramic",
    "stoneware",
    "silicone",
    "polyester",
    "nylon",
    "copper",
    "brass",
    "marble",
    "cork",
    "hemp",
]
COLOURS = [
    "black",
    "white",
    "grey",
    "navy",
    "red",
    "green",
    "olive",
    "sand",
    "blue",
    "teal",
    "mustard",
    "coral",
    "charcoal",
    "ivory",
    "plum",
    "rust",
    "sage",
]
SENTENCES = (
    "Built to last and designed to be used every day.",
    "A thoughtful design that fits neatly into any home.",
    "Made from carefully selected materials for a long life.",
    "Easy to clean and simple to store when not in use.",
    "Tested by our team over months of daily use.",
    "The finish resists scratches, stains and fading.",
    "Packed in recycled cardboard with no plastic fillers.",
    "Comes with a two-year warranty and free returns.",
    "Pairs well with the rest of the collection.",
    "A favourite of customers who value quiet quality.",
    "Light enough to carry, strong enough to rely on.",
    "Every detail was reconsidered for this edition.",
    "Assembled by hand in a small workshop.",
    "The shape follows the hand rather than the trend.",
    "Works straight out of the box with no setup.",
    "Replacement parts are available for years to come.",
    "Its understated look suits both old and new interiors.",
    "Gentle on surfaces and kind to the environment.",
    "A sensible upgrade over cheaper alternatives.",
    "Ships within two working days from our warehouse.",
)

# Department: (children: {child: noun list}, spec generator name).
DEPARTMENTS: dict[str, dict[str, list[str]]] = {
    "Electronics": {
        "Computers": ["laptop", "desktop", "monitor", "keyboard", "mouse"],
        "Audio": ["headphones", "speaker", "soundbar", "earbuds", "amplifier"],
        "Phones": ["smartphone", "charger", "phone-case", "power-bank", "cable"],
        "Cameras": ["camera", "lens", "tripod", "flash", "camera-bag"],
        "Gaming": ["console", "controller", "headset", "gaming-chair", "mousepad"],
    },
    "Kitchen": {
        "Cookware": ["frying-pan", "saucepan", "wok", "casserole", "stockpot"],
        "Appliances": ["kettle", "toaster", "blender", "coffee-maker", "mixer"],
        "Tableware": ["plate", "bowl", "mug", "glass", "platter"],
        "Knives": [
            "chef-knife",
            "paring-knife",
            "bread-knife",
            "cleaver",
            "knife-block",
        ],
        "Storage": ["jar", "canister", "lunch-box", "bottle", "spice-rack"],
    },
    "Home": {
        "Furniture": ["sofa", "armchair", "table", "bookcase", "stool"],
        "Lighting": ["lamp", "pendant", "floor-lamp", "lantern", "bulb"],
        "Textiles": ["blanket", "cushion", "rug", "curtain", "throw"],
        "Bathroom": ["towel", "bath-mat", "soap-dish", "mirror", "shower-caddy"],
        "Decor": ["vase", "frame", "clock", "candle", "planter"],
    },
    "Clothing": {
        "Tops": ["t-shirt", "shirt", "sweater", "hoodie", "blouse"],
        "Bottoms": ["jeans", "chinos", "shorts", "skirt", "joggers"],
        "Outerwear": ["jacket", "coat", "parka", "raincoat", "vest"],
        "Footwear": ["sneakers", "boots", "sandals", "loafers", "slippers"],
        "Accessories": ["scarf", "hat", "belt", "gloves", "backpack"],
    },
    "Outdoor": {
        "Camping": ["tent", "sleeping-bag", "camp-stove", "headlamp", "cooler"],
        "Cycling": ["bicycle", "helmet", "bike-light", "bike-lock", "saddle"],
        "Garden": ["hose", "shears", "wheelbarrow", "trowel", "watering-can"],
        "Hiking": ["trekking-pole", "daypack", "water-filter", "compass", "gaiters"],
        "Fitness": ["yoga-mat", "dumbbell", "kettlebell", "jump-rope", "foam-roller"],
    },
    "Books": {
        "Fiction": ["novel", "short-stories", "thriller", "anthology", "fable"],
        "Cooking": [
            "cookbook",
            "baking-book",
            "recipe-cards",
            "food-atlas",
            "menu-book",
        ],
        "Travel": ["guidebook", "atlas", "phrasebook", "travel-journal", "road-map"],
        "Science": [
            "field-guide",
            "textbook",
            "encyclopedia",
            "star-chart",
            "workbook",
        ],
        "Kids": ["picture-book", "activity-book", "board-book", "comic", "puzzle-book"],
    },
}
LEAF_KINDS = ("Essentials", "Premium", "Accessories", "Sets", "Classics")
# Leaves whose index is a multiple of this get two children (depth 4).
DEEP_EVERY = 5
EXTRA_TAGS = [
    "gift",
    "sale",
    "new",
    "bestseller",
    "limited",
    "eco",
    "recycled",
    "vegan",
    "fair-trade",
    "local",
    "bundle",
    "clearance",
    "award-winning",
    "staff-pick",
    "exclusive",
    "refurbished",
    "handcrafted",
    "kids",
    "family",
    "pro",
    "beginner",
    "budget",
    "luxury",
    "seasonal",
    "summer",
    "winter",
    "spring",
    "autumn",
    "holiday",
    "festive",
    "compact-living",
    "small-space",
    "pet-friendly",
    "allergy-friendly",
    "dishwasher-safe",
    "machine-washable",
    "energy-saving",
    "low-waste",
    "plastic-free",
    "made-in-europe",
]
RESOLUTIONS = ("1366x768", "1920x1080", "2560x1440", "3840x2160")
SIZES = ("XS", "S", "M", "L", "XL", "XXL")


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def title(word: str) -> str:
    return word.replace("-", " ").title()


@dataclass(frozen=True)
class CategoryRow:
    id: int
    slug: str
    name: str
    parent_id: int | None
    path: str
    department: str
    nouns: tuple[str, ...]


def category_tree() -> list[CategoryRow]:
    """The fixed category tree: departments, sections, leaves, some sub-leaves."""
    rows: list[CategoryRow] = []
    ids = itertools.count(1)
    leaf_index = 0
    for department, sections in DEPARTMENTS.items():
        dept_slug = slugify(department)
        all_nouns = tuple(noun for nouns in sections.values() for noun in nouns)
        dept = CategoryRow(
            next(ids), dept_slug, department, None, dept_slug, department, all_nouns
        )
        rows.append(dept)
        for section, nouns in sections.items():
            sec_slug = f"{dept_slug}-{slugify(section)}"
            sec = CategoryRow(
                next(ids),
                sec_slug,
                section,
                dept.id,
                f"{dept.path}.{sec_slug}",
                department,
                tuple(nouns),
            )
            rows.append(sec)
            for kind in LEAF_KINDS:
                leaf_slug = f"{sec_slug}-{slugify(kind)}"
                leaf = CategoryRow(
                    next(ids),
                    leaf_slug,
                    f"{section} {kind}",
                    sec.id,
                    f"{sec.path}.{leaf_slug}",
                    department,
                    tuple(nouns),
                )
                rows.append(leaf)
                if leaf_index % DEEP_EVERY == 0:
                    for noun in nouns[:2]:
                        sub_slug = f"{leaf_slug}-{slugify(noun)}"
                        rows.append(
                            CategoryRow(
                                next(ids),
                                sub_slug,
                                f"{title(noun)}s",
                                leaf.id,
                                f"{leaf.path}.{sub_slug}",
                                department,
                                (noun,),
                            )
                        )
                leaf_index += 1
    return rows


def tag_vocabulary() -> list[str]:
    """A few hundred tags, most common first (rank order drives the Zipf law)."""
    nouns = [
        n for sections in DEPARTMENTS.values() for ns in sections.values() for n in ns
    ]
    seen: dict[str, None] = {}
    for tag in itertools.chain(
        EXTRA_TAGS[:10],
        (slugify(d) for d in DEPARTMENTS),
        ADJECTIVES,
        COLOURS,
        MATERIALS,
        EXTRA_TAGS[10:],
        nouns,
    ):
        seen.setdefault(tag, None)
    return list(seen)
