# Long on purpose: data, one vocabulary table per catalog section, not logic.
"""What each section of the synthetic catalog is made of and described by.

A section (Computers, Cookware, Fiction, ...) has its own specs, options and
name words, so that a cookbook never gets a screen and a laptop never gets a
page count. Specs are templates: a tuple is the values to pick from, a dict a
nested object, so one generic walk builds every product's specs quickly.
"""

from __future__ import annotations

from typing import Any

YES_NO = (True, False)
COLOURS = ("Black", "White", "Graphite", "Navy", "Sage", "Sand", "Red", "Teal")
SIZES = ("XS", "S", "M", "L", "XL", "XXL")

# Name words by department: adjectives first, then the words that follow them
# ("series" for electronics, a theme for books; else the section materials).
ADJECTIVES: dict[str, tuple[str, ...]] = {
    "Electronics": (
        "Slim",
        "Compact",
        "Ultra",
        "Smart",
        "Portable",
        "Studio",
        "Everyday",
        "Silent",
        "Rapid",
        "Classic",
        "Premium",
        "Travel",
        "Essential",
        "Modern",
        "Rugged",
        "Nordic",
        "Urban",
        "Bright",
        "Digital",
        "Lightweight",
    ),
    "Kitchen": (
        "Classic",
        "Professional",
        "Everyday",
        "Heritage",
        "Compact",
        "Deluxe",
        "Essential",
        "Modern",
        "Nordic",
        "Rustic",
        "Studio",
        "Artisan",
        "Bistro",
        "Farmhouse",
        "Heavy-Duty",
        "Minimalist",
        "Coastal",
        "Urban",
        "Vintage",
        "Signature",
    ),
    "Home": (
        "Classic",
        "Modern",
        "Nordic",
        "Rustic",
        "Coastal",
        "Minimalist",
        "Vintage",
        "Handmade",
        "Cosy",
        "Urban",
        "Soft",
        "Sturdy",
        "Heritage",
        "Studio",
        "Quilted",
        "Woven",
        "Matte",
        "Glazed",
        "Low",
        "Tall",
    ),
    "Clothing": (
        "Classic",
        "Relaxed",
        "Slim",
        "Everyday",
        "Heritage",
        "Urban",
        "Coastal",
        "Alpine",
        "Travel",
        "Soft",
        "Stretch",
        "Breathable",
        "Lightweight",
        "Heavyweight",
        "Vintage",
        "Modern",
        "Quilted",
        "Insulated",
        "Cropped",
        "Long",
    ),
    "Outdoor": (
        "Ultralight",
        "Rugged",
        "Compact",
        "Alpine",
        "Trail",
        "Expedition",
        "Everyday",
        "Classic",
        "Foldable",
        "Waterproof",
        "Insulated",
        "Pro",
        "Summit",
        "Coastal",
        "Forest",
        "Heavy-Duty",
        "Travel",
        "Adjustable",
        "Lightweight",
        "Sturdy",
    ),
    "Books": (
        "Illustrated",
        "Pocket",
        "Collected",
        "Complete",
        "Essential",
        "Little",
        "Big",
        "Modern",
        "Classic",
        "Annotated",
        "New",
        "Practical",
        "Everyday",
        "Concise",
        "Visual",
        "First",
        "Curious",
        "Hidden",
        "Forgotten",
        "Golden",
    ),
}
SERIES = ("Pro", "Air", "Max", "Mini", "Plus", "Neo", "One", "Edge", "Flex", "Go")
THEMES: dict[str, tuple[str, ...]] = {
    "Fiction": (
        "The Sea",
        "Winter",
        "The North",
        "Small Towns",
        "The City",
        "Lost Islands",
        "Night Trains",
        "The Border",
        "Summer Rain",
        "Old Houses",
    ),
    "Cooking": (
        "Italy",
        "Baking",
        "Vegetables",
        "Spices",
        "Bread",
        "One Pot",
        "Japan",
        "Preserving",
        "The Grill",
        "Desserts",
    ),
    "Travel": (
        "Portugal",
        "Iceland",
        "The Alps",
        "Japan",
        "Scotland",
        "Andalusia",
        "The Baltic",
        "Patagonia",
        "Sicily",
        "Norway",
    ),
    "Science": (
        "Birds",
        "The Night Sky",
        "Trees",
        "Rocks",
        "The Ocean",
        "Insects",
        "Weather",
        "Fungi",
        "The Human Body",
        "Volcanoes",
    ),
    "Kids": (
        "Dinosaurs",
        "The Farm",
        "Space",
        "Pirates",
        "Trains",
        "The Jungle",
        "Colours",
        "Bedtime",
        "Dragons",
        "Counting",
    ),
}

WEIGHT_KG = (0.2, 0.35, 0.5, 0.8, 1.2, 1.6, 2.1, 3.4, 5.0)
CM = (10, 15, 20, 25, 30, 40, 50, 60, 80, 100)

# Section: (materials or None, spec template, variant options).
# Options: one key with values taken in turn per variant, so one product's
# variants always differ; clothing adds a colour fixed per product.
SECTIONS: dict[str, dict[str, Any]] = {
    "Computers": {
        "specs": {
            "screen": {
                "size_in": (13.3, 14.0, 15.6, 16.0, 24.0, 27.0),
                "resolution": ("1920x1080", "2560x1440", "2880x1800", "3840x2160"),
            },
            "cpu": {"brand": ("AMD", "Intel", "Arm"), "cores": (4, 6, 8, 12)},
            "weight_kg": WEIGHT_KG[:6],
        },
        "options": ("storage", ("256 GB", "512 GB", "1 TB", "2 TB")),
    },
    "Audio": {
        "specs": {
            "audio": {"driver_mm": (10, 40, 50, 65, 100), "wireless": YES_NO},
            "battery_h": (8, 12, 20, 30, 40),
            "noise_cancelling": YES_NO,
        },
        "options": ("colour", COLOURS),
    },
    "Phones": {
        "specs": {
            "screen": {"size_in": (5.8, 6.1, 6.4, 6.7), "refresh_hz": (60, 90, 120)},
            "battery_mah": (3000, 4000, 5000, 10000, 20000),
            "connector": ("USB-C", "Lightning", "MagSafe"),
        },
        "options": ("colour", COLOURS),
    },
    "Cameras": {
        "specs": {
            "sensor": {"format": ("full frame", "APS-C", "micro four thirds")},
            "megapixels": (20, 24, 33, 45, 61),
            "weathersealed": YES_NO,
            "weight_kg": WEIGHT_KG[:5],
        },
        "options": ("kit", ("Body only", "With 28-70 mm lens", "With 24-105 mm lens")),
    },
    "Gaming": {
        "specs": {
            "platform": ("PC", "console", "cross-platform"),
            "wireless": YES_NO,
            "rgb_lighting": YES_NO,
        },
        "options": ("colour", COLOURS),
    },
    "Cookware": {
        "materials": (
            "Cast Iron",
            "Stainless Steel",
            "Carbon Steel",
            "Copper",
            "Enamelled",
            "Aluminium",
            "Clad Steel",
            "Ceramic-Coated",
        ),
        "specs": {
            "induction": YES_NO,
            "oven_safe_c": (180, 220, 260, 300),
            "dishwasher_safe": YES_NO,
        },
        "options": ("size", ("20 cm", "24 cm", "28 cm", "32 cm")),
    },
    "Appliances": {
        "materials": (
            "Brushed Steel",
            "Stainless Steel",
            "Glass",
            "Matte",
            "Retro",
            "Copper",
            "Cream",
            "Black Steel",
        ),
        "specs": {
            "power_w": (600, 800, 1200, 1500, 2000, 2200),
            "capacity_l": (0.5, 1.0, 1.2, 1.5, 1.7, 2.0),
            "cord_m": (0.8, 1.0, 1.2),
        },
        "options": ("plug", ("EU plug", "UK plug")),
    },
    "Tableware": {
        "materials": (
            "Stoneware",
            "Porcelain",
            "Glass",
            "Ceramic",
            "Bamboo",
            "Enamel",
            "Earthenware",
            "Bone China",
        ),
        "specs": {
            "dishwasher_safe": YES_NO,
            "microwave_safe": YES_NO,
            "diameter_cm": (8, 12, 16, 20, 24, 28),
        },
        "options": ("set", ("Single", "Set of 2", "Set of 4", "Set of 6")),
    },
    "Knives": {
        "materials": (
            "Damascus",
            "Carbon Steel",
            "Stainless Steel",
            "Ceramic",
            "Forged",
            "Olive Wood",
            "Walnut",
            "Japanese Steel",
        ),
        "specs": {
            "blade": {"hardness_hrc": (56, 58, 60, 62), "edge": ("plain", "serrated")},
            "handle": ("wood", "resin", "steel", "micarta"),
            "dishwasher_safe": YES_NO,
        },
        "options": ("blade", ("12 cm", "15 cm", "20 cm", "24 cm")),
    },
    "Storage": {
        "materials": (
            "Glass",
            "Stainless Steel",
            "Bamboo",
            "Ceramic",
            "Tin",
            "Oak",
            "Borosilicate",
            "Cork",
        ),
        "specs": {
            "capacity_l": (0.25, 0.5, 0.75, 1.0, 1.5, 2.0),
            "airtight": YES_NO,
            "dishwasher_safe": YES_NO,
        },
        "options": ("set", ("Single", "Set of 3", "Set of 6")),
    },
    "Furniture": {
        "materials": (
            "Oak",
            "Walnut",
            "Ash",
            "Pine",
            "Rattan",
            "Steel",
            "Beech",
            "Teak",
        ),
        "specs": {
            "dimensions": {"height_cm": CM, "width_cm": CM, "depth_cm": CM[:6]},
            "assembly_required": YES_NO,
            "max_load_kg": (50, 100, 150, 200),
        },
        "options": ("finish", ("Natural", "Oiled", "Lacquered", "Stained")),
    },
    "Lighting": {
        "materials": (
            "Brass",
            "Glass",
            "Ceramic",
            "Paper",
            "Steel",
            "Rattan",
            "Linen",
            "Concrete",
        ),
        "specs": {
            "bulb": {"fitting": ("E27", "E14", "GU10", "integrated LED")},
            "dimmable": YES_NO,
            "height_cm": CM,
        },
        "options": ("colour", COLOURS),
    },
    "Textiles": {
        "materials": (
            "Linen",
            "Wool",
            "Cotton",
            "Velvet",
            "Jute",
            "Cashmere",
            "Mohair",
            "Bouclé",
        ),
        "specs": {
            "dimensions": {"length_cm": CM[3:], "width_cm": CM[3:]},
            "organic": YES_NO,
            "care": {"wash_c": (30, 40, 60)},
        },
        "options": ("colour", COLOURS),
    },
    "Bathroom": {
        "materials": (
            "Cotton",
            "Bamboo",
            "Linen",
            "Terry",
            "Turkish Cotton",
            "Microfibre",
            "Waffle Cotton",
            "Hemp",
        ),
        "specs": {
            "organic": YES_NO,
            "dimensions": {"length_cm": CM, "width_cm": CM},
            "quick_dry": YES_NO,
        },
        "options": ("colour", COLOURS),
    },
    "Decor": {
        "materials": (
            "Ceramic",
            "Glass",
            "Brass",
            "Oak",
            "Marble",
            "Stoneware",
            "Wicker",
            "Pewter",
        ),
        "specs": {
            "height_cm": CM,
            "handmade": YES_NO,
            "indoor_only": YES_NO,
        },
        "options": ("colour", COLOURS),
    },
    "Tops": {
        "materials": (
            "Cotton",
            "Merino",
            "Linen",
            "Jersey",
            "Flannel",
            "Silk",
            "Hemp",
            "Pique",
        ),
        "specs": {
            "fit": ("slim", "regular", "relaxed", "oversized"),
            "organic": YES_NO,
            "care": {"wash_c": (30, 40, 60), "tumble_dry": YES_NO},
        },
        "options": ("size", SIZES),
    },
    "Bottoms": {
        "materials": (
            "Denim",
            "Cotton Twill",
            "Linen",
            "Wool",
            "Corduroy",
            "Canvas",
            "Jersey",
            "Ripstop",
        ),
        "specs": {
            "fit": ("slim", "straight", "relaxed", "tapered"),
            "organic": YES_NO,
            "rise": ("low", "mid", "high"),
        },
        "options": ("size", SIZES),
    },
    "Outerwear": {
        "materials": (
            "Wool",
            "Waxed Cotton",
            "Nylon",
            "Down",
            "Softshell",
            "Tweed",
            "Gore-Tex",
            "Fleece",
        ),
        "specs": {
            "waterproof": YES_NO,
            "insulation": ("none", "synthetic", "down"),
            "hood": YES_NO,
        },
        "options": ("size", SIZES),
    },
    "Footwear": {
        "materials": (
            "Leather",
            "Suede",
            "Canvas",
            "Rubber",
            "Knit",
            "Nubuck",
            "Shearling",
            "Cork",
        ),
        "specs": {
            "sole": ("rubber", "leather", "EVA", "crepe"),
            "waterproof": YES_NO,
            "vegan": YES_NO,
        },
        "options": ("size", ("EU 38", "EU 40", "EU 42", "EU 44", "EU 46")),
    },
    "Accessories": {
        "materials": (
            "Wool",
            "Leather",
            "Cashmere",
            "Canvas",
            "Cotton",
            "Silk",
            "Felt",
            "Nylon",
        ),
        "specs": {
            "one_size": YES_NO,
            "care": {"hand_wash": YES_NO},
        },
        "options": ("colour", COLOURS),
    },
    "Camping": {
        "materials": (
            "Nylon",
            "Polyester",
            "Aluminium",
            "Steel",
            "Ripstop",
            "Canvas",
            "Titanium",
            "Cotton",
        ),
        "specs": {
            "capacity_persons": (1, 2, 3, 4, 6),
            "weight_kg": WEIGHT_KG,
            "season": ("3-season", "4-season"),
        },
        "options": ("colour", ("Forest", "Sand", "Orange", "Slate")),
    },
    "Cycling": {
        "materials": (
            "Aluminium",
            "Carbon",
            "Steel",
            "Titanium",
            "Chromoly",
            "Polymer",
            "Leather",
            "Alloy",
        ),
        "specs": {
            "weight_kg": WEIGHT_KG,
            "use": ("road", "gravel", "mountain", "city"),
            "reflective": YES_NO,
        },
        "options": ("size", ("S", "M", "L")),
    },
    "Garden": {
        "materials": (
            "Steel",
            "Ash",
            "Rubber",
            "Galvanised",
            "Copper",
            "Stainless Steel",
            "Beech",
            "Recycled Plastic",
        ),
        "specs": {
            "length_cm": CM,
            "weatherproof": YES_NO,
            "weight_kg": WEIGHT_KG,
        },
        "options": ("colour", ("Green", "Black", "Terracotta", "Grey")),
    },
    "Hiking": {
        "materials": (
            "Aluminium",
            "Carbon",
            "Nylon",
            "Ripstop",
            "Cordura",
            "Titanium",
            "Merino",
            "Polyester",
        ),
        "specs": {
            "weight_kg": WEIGHT_KG[:6],
            "waterproof": YES_NO,
            "volume_l": (0, 10, 20, 30, 40),
        },
        "options": ("colour", ("Forest", "Slate", "Rust", "Black")),
    },
    "Fitness": {
        "materials": (
            "Rubber",
            "Cork",
            "Steel",
            "Neoprene",
            "Foam",
            "Cast Iron",
            "TPE",
            "Natural Rubber",
        ),
        "specs": {
            "weight_kg": (0.5, 1.0, 2.0, 4.0, 8.0, 12.0, 16.0),
            "non_slip": YES_NO,
            "level": ("beginner", "intermediate", "advanced"),
        },
        "options": ("colour", ("Black", "Sage", "Plum", "Sand")),
    },
}
BOOK_SPECS = {
    "pages": (32, 64, 128, 192, 256, 320, 448, 640),
    "language": ("en", "de", "fr", "es", "nl"),
    "published": {"year": tuple(range(1950, 2026, 3))},
}
BOOK_OPTIONS = ("format", ("Paperback", "Hardcover", "Large print", "Audiobook"))
for _section in THEMES:
    SECTIONS[_section] = {"specs": BOOK_SPECS, "options": BOOK_OPTIONS}

# The attribute keys of a department's products (hstore): what a shopper
# filters by and the product name says. Colour is an option where it varies.
ATTRIBUTE_KEYS: dict[str, tuple[str, ...]] = {
    "Electronics": ("brand",),
    "Books": ("brand",),
}
MATERIAL_KEYS = ("brand", "material")


def attribute_keys(department: str) -> tuple[str, ...]:
    return ATTRIBUTE_KEYS.get(department, MATERIAL_KEYS)


def spec_keys(template: Any, prefix: str = "") -> set[str]:
    """Every dotted key path a spec template can produce."""
    keys: set[str] = set()
    for key, value in template.items():
        path = f"{prefix}{key}"
        keys.add(path)
        if isinstance(value, dict):
            keys |= spec_keys(value, f"{path}.")
    return keys


def make_specs(rng: Any, template: dict[str, Any]) -> dict[str, Any]:
    """Specs from a template: a value picked from each tuple."""
    return {
        key: make_specs(rng, value) if isinstance(value, dict) else rng.choice(value)
        for key, value in template.items()
    }
