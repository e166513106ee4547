"""A small shop the fuzzers' requests can reach: real slugs, SKUs and a post."""

from __future__ import annotations

from pantry.core.services import create_token
from tests.catalog.factories import CategoryFactory, ProductFactory, VariantFactory
from tests.journal.factories import PostFactory

SLUG = "kettle"
SKU = "KETTLE-1"
CATEGORY = "tea"
POST = "brewing-tea"


def seed_shop() -> str:
    """Create the shop; return a staff token."""
    tea = CategoryFactory(slug=CATEGORY, name="Tea")
    kettle = ProductFactory(slug=SLUG, name="Kettle", category=tea, tags=["tea"])
    VariantFactory(product=kettle, sku=SKU, stock=100_000)
    PostFactory(slug=POST, title="Brewing tea")
    return create_token(username="fuzzer")
