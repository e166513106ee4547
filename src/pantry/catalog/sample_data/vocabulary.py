"""The words of the synthetic catalog: departments, brands, tags, plurals.

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
# Description sentences true of anything the shop sells, then by department.
SENTENCES = (
    "Packed in recycled cardboard with no plastic fillers.",
    "Pairs well with the rest of the collection.",
    "A favourite of customers who value quiet quality.",
    "Ships within two working days from our warehouse.",
    "Every detail was reconsidered for this edition.",
    "A sensible upgrade over cheaper alternatives.",
)
DEPARTMENT_SENTENCES = {
    "Electronics": (
        "Works straight out of the box with no setup.",
        "Comes with a two-year warranty and free returns.",
        "Firmware updates are supported for years to come.",
        "Charges over USB-C with the cable in the box.",
    ),
    "Kitchen": (
        "Easy to clean and simple to store when not in use.",
        "Tested by our team over months of daily cooking.",
        "Built to last and designed to be used every day.",
        "The finish resists scratches, stains and fading.",
    ),
    "Home": (
        "Its understated look suits both old and new interiors.",
        "A thoughtful design that fits neatly into any home.",
        "Made from carefully selected materials for a long life.",
        "Assembled by hand in a small workshop.",
    ),
    "Clothing": (
        "Cut for comfort from the first wear.",
        "Keeps its shape wash after wash.",
        "Sized true to fit; see the size guide for measurements.",
        "Made in a family-run factory we visit every year.",
    ),
    "Outdoor": (
        "Light enough to carry, strong enough to rely on.",
        "Tested in wind, rain and cold before it reached us.",
        "Replacement parts are available for years to come.",
        "Packs down small for the car or the trail.",
    ),
    "Books": (
        "Printed on paper from responsibly managed forests.",
        "A book to read slowly and come back to.",
        "Chosen by our staff for the reading table this season.",
        "Sewn binding that lies flat when open.",
    ),
}

# Department: (children: {child: noun list}, spec generator name).
DEPARTMENTS: dict[str, dict[str, list[str]]] = {
    "Electronics": {
        "Computers": ["laptop", "ultrabook", "notebook", "tablet", "all-in-one"],
        "Audio": ["headphones", "speaker", "soundbar", "earbuds", "radio"],
        "Phones": [
            "smartphone",
            "flip-phone",
            "rugged-phone",
            "mini-phone",
            "foldable",
        ],
        "Cameras": [
            "camera",
            "mirrorless-camera",
            "compact-camera",
            "action-camera",
            "camcorder",
        ],
        "Gaming": ["console", "controller", "headset", "keyboard", "mouse"],
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
            "santoku",
        ],
        "Storage": ["jar", "canister", "lunch-box", "bottle", "spice-rack"],
    },
    "Home": {
        "Furniture": ["sofa", "armchair", "table", "bookcase", "stool"],
        "Lighting": ["lamp", "pendant", "floor-lamp", "lantern", "bulb"],
        "Textiles": ["blanket", "cushion", "rug", "curtain", "throw"],
        "Bathroom": ["towel", "bath-mat", "bathrobe", "hand-towel", "shower-curtain"],
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
        "Camping": ["tent", "tarp", "shelter", "hammock", "bivvy"],
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
    "handcrafted",
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
    "allergy-friendly",
    "dishwasher-safe",
    "low-waste",
    "plastic-free",
    "made-in-europe",
]
# Tags that follow from a product's promotions or specs (seed.py sets them).
DATA_TAGS = frozenset({"sale", "organic", "vegan", "dishwasher-safe"})


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# Nouns that are already plural, and those whose plural no rule makes.
PLURAL_ONLY = frozenset(
    {
        "boots", "chinos", "earbuds", "gaiters", "gloves", "headphones", "jeans",
        "joggers", "loafers", "recipe-cards", "sandals", "shears", "shorts",
        "short-stories", "slippers", "sneakers",
    }
)  # fmt: skip
IRREGULAR_PLURALS = {"knife": "knives", "scarf": "scarves", "shelf": "shelves"}
# Words whose capitals the title rule gets wrong.
DISPLAY_WORDS = {"t-shirt": "T-Shirt", "all-in-one": "All-in-One"}


def title(word: str) -> str:
    """A noun as it reads in a name: "paring-knife" is "Paring Knife"."""
    if word in DISPLAY_WORDS:
        return DISPLAY_WORDS[word]
    return word.replace("-", " ").title()


def plural(word: str) -> str:
    """The English plural of a noun ("paring-knife" -> "paring-knives")."""
    if word in PLURAL_ONLY:
        return word
    head, _, last = word.rpartition("-")
    if last in IRREGULAR_PLURALS:
        last = IRREGULAR_PLURALS[last]
    elif last.endswith(("s", "x", "z", "ch", "sh")):
        last += "es"
    elif last.endswith("y") and last[-2:-1] not in ("a", "e", "i", "o", "u"):
        last = last[:-1] + "ies"
    else:
        last += "s"
    return f"{head}-{last}" if head else last


def plural_title(word: str) -> str:
    """A category name for the things a noun names: "Paring Knives"."""
    if word in DISPLAY_WORDS:
        return DISPLAY_WORDS[word] + "s"
    return title(plural(word))


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
                                plural_title(noun),
                                leaf.id,
                                f"{leaf.path}.{sub_slug}",
                                department,
                                (noun,),
                            )
                        )
                leaf_index += 1
    return rows


def tag_vocabulary() -> list[str]:
    """The tags drawn at random, most common first (rank order drives Zipf).

    Tags that state a fact (sale, organic, vegan, dishwasher-safe), and a
    product's noun, department and material, are set from its data instead.
    """
    return [tag for tag in EXTRA_TAGS if tag not in DATA_TAGS]
