"""Product cards are rendered once per distinct card, and never shown stale."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone

from pantry.catalog.models import Product, Promotion, Variant
from pantry.catalog.templatetags import catalog_cards
from tests.factories import CategoryFactory, product_with_prices


@pytest.fixture(autouse=True)
def fresh():
    cache.clear()
    catalog_cards._memo.clear()
    yield
    cache.clear()
    catalog_cards._memo.clear()


@pytest.fixture
def kettle(db):
    kitchen = CategoryFactory(slug="kitchen", name="Kitchen")
    return product_with_prices("steel-kettle", in_category=kitchen, prices=("40.00",))


def card(html: str) -> str:
    found = re.search(r'<article class="product-card">.*?</article>', html, re.S)
    assert found, html
    return found.group(0)


def test_a_card_is_rendered_once_and_served_again(client, kettle):
    first = card(client.get("/products/").content.decode())
    assert len(catalog_cards._memo) == 1
    again = card(client.get("/products/").content.decode())
    assert again == first
    assert len(catalog_cards._memo) == 1
    assert "40.00" in first
    assert "In stock" in first


def test_a_price_stock_name_or_promotion_change_shows_at_once(client, kettle):
    client.get("/products/")
    Variant.objects.filter(product=kettle).update(price=Decimal("35.00"))
    assert "35.00" in card(client.get("/products/").content.decode())

    Variant.objects.filter(product=kettle).update(stock=0)
    assert "Out of stock" in card(client.get("/products/").content.decode())

    Product.objects.filter(pk=kettle.pk).update(name="Copper kettle")
    assert "Copper kettle" in card(client.get("/products/").content.decode())

    now = timezone.now()
    Promotion.objects.create(
        product=kettle,
        percent_off=Decimal("10"),
        during=DateTimeTZRange(now - timedelta(hours=1), now + timedelta(days=1)),
    )
    shown = card(client.get("/products/").content.decode())
    assert "\u221210%" in shown
    assert "31.50" in shown


def test_the_same_card_on_the_home_page_and_the_list_agree(client, kettle):
    listed = card(client.get("/products/").content.decode())
    home = card(client.get("/").content.decode())
    assert home == listed


def test_the_memo_is_bounded(client, kettle, monkeypatch):
    monkeypatch.setattr(catalog_cards, "MEMO_SIZE", 1)
    client.get("/products/")
    Variant.objects.filter(product=kettle).update(price=Decimal("41.00"))
    assert "41.00" in card(client.get("/products/").content.decode())
    assert len(catalog_cards._memo) == 1
