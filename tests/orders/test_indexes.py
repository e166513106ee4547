"""The order queries that must stay fast use their indexes (EXPLAIN)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from psycopg import ClientCursor

from pantry.core.pagination import _after
from pantry.orders.models import Order
from pantry.orders.queries import _SALES, OrderFilters, report_bounds
from tests.helpers import assert_uses_index


@pytest.fixture(autouse=True)
def orders(db):
    """Some thousands of orders, most delivered, with fresh statistics.

    Plans are chosen from statistics: with an empty table any index may
    look as cheap as another.
    """
    start = datetime(2025, 1, 1, tzinfo=UTC)
    statuses = ["delivered"] * 17 + ["paid", "placed", "cancelled"]
    Order.objects.bulk_create(
        Order(
            number=f"PA-X{i:09d}",
            customer_name="C",
            email=f"customer{i % 1500}@example.com",
            status=statuses[i % len(statuses)],
            currency="EUR",
            total=Decimal(i % 300),
            subtotal=Decimal(i % 300),
            placed_at=start + timedelta(minutes=7 * i),
        )
        for i in range(6000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE orders_order")


def list_query(filters: OrderFilters):
    return filters.apply(Order.objects.all()).order_by("-placed_at", "-id")[:21]


def test_the_staff_list_by_status_uses_the_status_index(db):
    plan = assert_uses_index(
        list_query(OrderFilters(status="paid")), "orders_order_status_placed"
    )

    assert "Sort" not in plan


def test_the_unfiltered_staff_list_reads_the_newest_index_in_order(db):
    plan = assert_uses_index(list_query(OrderFilters()), "orders_order_placed")

    assert "Sort" not in plan


def test_the_date_range_filter_uses_the_placed_at_index(db):
    filters = OrderFilters(
        placed_after=datetime(2025, 1, 10, tzinfo=UTC),
        placed_before=datetime(2025, 1, 12, tzinfo=UTC),
    )

    assert_uses_index(list_query(filters), "orders_order_placed")


def test_the_email_lookup_uses_the_lower_email_index(db):
    plan = assert_uses_index(
        list_query(OrderFilters(email="Ada@Example.com")),
        "orders_order_email_placed",
    )

    assert "lower" in plan.lower()


def test_the_sales_report_reads_the_days_of_the_rollup(db):
    start, end = report_bounds(date(2025, 1, 1), date(2025, 1, 3))
    params = {
        "bucket": "day",
        "start": start,
        "end": end,
        "first": date(2025, 1, 1),
        "last": date(2025, 1, 3),
        "currency": "EUR",
    }
    # Bound by the client: the plan helper takes one finished statement.
    connection.ensure_connection()
    sql = ClientCursor(connection.connection).mogrify(_SALES, params)

    plan = assert_uses_index(sql, "orders_salesday_cur_day")

    assert "orders_order" not in plan


def test_a_later_page_by_status_starts_inside_the_status_index(db):
    after = _after(
        ["placed_at", "id"], [True, True], [datetime(2025, 1, 20, tzinfo=UTC), 500]
    )
    query = (
        OrderFilters(status="paid")
        .apply(Order.objects.all())
        .filter(after)
        .order_by("-placed_at", "-id")[:21]
    )

    plan = assert_uses_index(query, "orders_order_status_placed")

    assert "Index Cond" in plan
    assert "ROW(placed_at, id) <" in plan.replace('"', "")
