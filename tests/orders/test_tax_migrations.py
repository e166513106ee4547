"""Orders placed before tax and shipping migrate to rows that add up."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def orders_at_0009() -> Iterator[None]:
    call_command("migrate", "orders", "0009", verbosity=0)
    try:
        yield
    finally:
        call_command("migrate", verbosity=0)


def test_existing_orders_get_their_subtotal_and_untaxed_lines(orders_at_0009):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO orders_order (number, customer_name, email, status, "
            "currency, total, placed_at, discount) VALUES ('PA-OLD0000001', 'C', "
            "'c@example.com', 'paid', 'EUR', 22.50, now(), 2.50) RETURNING id"
        )
        order_id = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO orders_orderline (order_id, sku, product_name, "
            "unit_price, quantity, line_total) VALUES (%s, 'MUG-1', 'Mug', "
            "12.50, 2, 25.00)",
            [order_id],
        )

    call_command("migrate", "orders", verbosity=0)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT subtotal, shipping, tax, prices_include_tax, shipping_address "
            "FROM orders_order"
        )
        assert cursor.fetchone() == (
            Decimal("25.00"),
            Decimal("0.00"),
            Decimal("0.00"),
            True,
            None,
        )
        cursor.execute(
            "SELECT discount, net, tax_rate, tax, gross FROM orders_orderline"
        )
        assert cursor.fetchone() == (
            Decimal("0.00"),
            Decimal("25.00"),
            Decimal("0.0000"),
            Decimal("0.00"),
            Decimal("25.00"),
        )

    call_command("migrate", "orders", "0009", verbosity=0)

    with connection.cursor() as cursor:
        cursor.execute("SELECT total, discount FROM orders_order")
        assert cursor.fetchone() == (Decimal("22.50"), Decimal("2.50"))
