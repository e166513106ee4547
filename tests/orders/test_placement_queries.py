"""Placement with address, shipping, tax and voucher: queries do not grow with lines."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pantry.orders.models import Order
from pantry.orders.services import place_order
from pantry.vouchers.models import Voucher
from pantry.vouchers.services import create_voucher
from tests.factories import VariantFactory, eu_shipping, german_tax

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("standard_tax_class")]

ADDRESS = {
    "name": "Ada Lovelace",
    "line1": "Unter den Linden 1",
    "city": "Berlin",
    "postal_code": "10117",
    "country": "DE",
}
SKUS = [f"Q-{i:02d}" for i in range(20)]


@pytest.fixture
def shop(db):
    for sku in SKUS:
        VariantFactory(
            sku=sku,
            price=Decimal("3.10"),
            weight_g=100,
            requires_shipping=True,
            stock=50,
        )
    eu_shipping()
    german_tax(reduced=False)
    create_voucher(code="FIVE", percent_off="5", usage_limit=100)


def _queries_placing(lines: int, key: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        place_order(
            name="Ada",
            email=f"{key}@example.com",
            lines=[(sku, 2) for sku in SKUS[:lines]],
            shipping_address=ADDRESS,
            shipping_method="eu-standard",
            voucher="five",
            idempotency_key=key,
        )
    return [query["sql"] for query in captured.captured_queries]


def test_placement_queries_do_not_grow_with_lines(shop):
    one = _queries_placing(1, "one")
    twenty = _queries_placing(20, "twenty")

    assert len(one) == len(twenty), twenty
    order = Order.objects.get(email="twenty@example.com")
    assert order.lines.count() == 20
    assert order.discount > 0
    assert order.tax > 0
    assert order.shipping > 0
    assert Voucher.objects.get(code="FIVE").used == 2


def test_placement_takes_at_most_eleven_queries(shop):
    # Inside the test's transaction: a savepoint pair; the key; prices,
    # shipping facts, the voucher, shipping tiers and tax rates; the order,
    # its lines and events in one statement; the voucher's use and its
    # record in one; the stock.
    queries = _queries_placing(3, "three")

    assert len(queries) <= 11, "\n".join(queries)
    assert not any(q.startswith("SAVEPOINT") for q in queries[1:-1]), queries
