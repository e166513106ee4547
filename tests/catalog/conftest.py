from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone

from pantry.catalog.models import Category, Product
from tests.factories import (
    CategoryFactory,
    ProductFactory,
    PromotionFactory,
    VariantFactory,
)


@dataclass
class Shop:
    electronics: Category
    laptops: Category
    audio: Category
    kitchen: Category
    aurora: Product
    nimbus: Product
    echo: Product
    pan: Product
    bare: Product


@pytest.fixture
def shop(db: None) -> Shop:
    """Five products in a small tree; created in this order (newest last)."""
    electronics = CategoryFactory(slug="electronics", name="Electronics")
    computers = CategoryFactory(slug="computers", name="Computers", parent=electronics)
    laptops = CategoryFactory(slug="laptops", name="Laptops", parent=computers)
    audio = CategoryFactory(slug="audio", name="Audio", parent=electronics)
    kitchen = CategoryFactory(slug="kitchen", name="Kitchen")
    now = timezone.now()

    aurora = ProductFactory(
        slug="aurora-15-laptop",
        name="Aurora 15 Laptop",
        description="A light laptop for travel.",
        category=laptops,
        tags=["electronics", "laptop"],
        specs={"screen": {"resolution": "1920x1080", "size_in": 15.6}},
        attributes={"brand": "Aurora"},
    )
    VariantFactory(
        product=aurora,
        sku="AUR15-8-256",
        price=Decimal("899.00"),
        stock=12,
        options={"ram": "8GB", "disk": "256GB"},
    )
    VariantFactory(
        product=aurora,
        sku="AUR15-16-512",
        price=Decimal("1099.00"),
        stock=0,
        options={"ram": "16GB", "disk": "512GB"},
    )
    PromotionFactory(
        product=aurora,
        percent_off=Decimal("10"),
        during=DateTimeTZRange(now - timedelta(days=1), now + timedelta(days=1)),
    )
    nimbus = ProductFactory(
        slug="nimbus-pro-ultrabook",
        name="Nimbus Pro Ultrabook",
        description="Workstation power.",
        category=laptops,
        tags=["electronics", "laptop", "sale"],
        specs={"screen": {"resolution": "2560x1600", "size_in": 14}},
        attributes={"brand": "Nimbus"},
    )
    VariantFactory(product=nimbus, sku="NIM-1", price=Decimal("1299.00"), stock=0)
    echo = ProductFactory(
        slug="echo-headphones",
        name="Echo Headphones",
        description="Wireless sound.",
        category=audio,
        tags=["electronics", "audio"],
        specs={"audio": {"wireless": True}},
        attributes={"brand": "Sonora", "colour": "black"},
    )
    VariantFactory(product=echo, sku="ECHO-1", price=Decimal("99.00"), stock=3)
    pan = ProductFactory(
        slug="iron-pan",
        name="Iron Pan",
        description="Cast iron frying pan.",
        category=kitchen,
        tags=["kitchen"],
        specs={"material": "iron"},
        attributes={"brand": "Ferro"},
    )
    VariantFactory(product=pan, sku="PAN-1", price=Decimal("30.00"), stock=1)
    # A promotion that has not started must not change any price yet.
    PromotionFactory(
        product=pan,
        percent_off=Decimal("50"),
        during=DateTimeTZRange(now + timedelta(days=5), now + timedelta(days=6)),
    )
    bare = ProductFactory(
        slug="bare-spoon", name="Bare Spoon", category=kitchen, tags=["kitchen"]
    )
    return Shop(electronics, laptops, audio, kitchen, aurora, nimbus, echo, pan, bare)
