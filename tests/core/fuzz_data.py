"""A small shop the fuzzers' requests can reach: real slugs, SKUs, an order."""

from __future__ import annotations

from pantry.core.services import create_token
from pantry.orders.services import place_order
from tests.factories import CategoryFactory, PostFactory, ProductFactory, VariantFactory

SLUG = "kettle"
SKU = "KETTLE-1"
CATEGORY = "tea"
POST = "brewing-tea"
# Text the edge must refuse, and text it must let through to the database.
HOSTILE = [
    "a\x00b",
    "a\x07b",
    "a\x85b",
    "a\ufffeb",
    "\u202eevil\u200f",
    "x" * 10_000,
    "Ada \U0001f375",
]


def seed_shop() -> tuple[str, str]:
    """Create the shop; return a staff token and an order number."""
    tea = CategoryFactory(slug=CATEGORY, name="Tea")
    kettle = ProductFactory(slug=SLUG, name="Kettle", category=tea, tags=["tea"])
    VariantFactory(product=kettle, sku=SKU, stock=100_000)
    PostFactory(slug=POST, title="Brewing tea")
    order = place_order(name="Ada", email="ada@example.com", lines=[(SKU, 1)])
    return create_token(username="fuzzer"), order.number
