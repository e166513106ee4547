"""`pantry seed orders`: deterministic, consistent, and clear without a catalog."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from pantry.orders.models import Order, OrderEvent, OrderLine
from pantry.orders.queries import sales_report, top_products
from pantry.orders.rollup_models import SalesDay, SkuSale
from pantry.orders.rollups import WINDOW_DAYS, window_top
from pantry.orders.seed import order_number, run
from tests.factories import VariantFactory
from tests.orders.test_rollups import raw_sales


def seed(count: int, seed: int = 1) -> str:
    out = StringIO()
    run(stdout=out, orders=count, seed=seed, until=date(2026, 6, 30))
    return out.getvalue()


@pytest.fixture
def catalog(transactional_db):
    for i in range(30):
        VariantFactory(sku=f"S-{i:02d}", price=f"{i + 1}.50")


def snapshot() -> list[tuple]:
    return list(
        Order.objects.order_by("id").values_list(
            "number", "email", "status", "total", "placed_at"
        )
    )


def test_seeding_is_deterministic(catalog):
    seed(300)
    first = snapshot()
    first_lines = list(OrderLine.objects.order_by("id").values_list("sku", "quantity"))
    Order.objects.all().delete()

    seed(300)

    assert [row[1:] for row in snapshot()] == [row[1:] for row in first]
    assert (
        list(OrderLine.objects.order_by("id").values_list("sku", "quantity"))
        == first_lines
    )


def test_seeded_orders_span_two_years_and_are_consistent(catalog):
    output = seed(500)

    assert "seeded 500 orders from 2024-07-01 to 2026-06-30" in output
    assert Order.objects.count() == 500
    first, last = Order.objects.order_by("placed_at").values_list(
        "placed_at", flat=True
    )[::499]
    assert first >= datetime(2024, 7, 1, tzinfo=UTC)
    assert last < datetime(2026, 7, 1, tzinfo=UTC)
    assert (last - first).days > 700
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM orders_order o WHERE o.total <> "
            "(SELECT sum(line_total) FROM orders_orderline l WHERE l.order_id = o.id)"
        )
        assert cursor.fetchone()[0] == 0
        # The last event of every order is its status.
        cursor.execute(
            "SELECT count(*) FROM orders_order o WHERE o.status <> ("
            "SELECT e.to_status FROM orders_orderevent e WHERE e.order_id = o.id "
            "ORDER BY e.at DESC, e.id DESC LIMIT 1)"
        )
        assert cursor.fetchone()[0] == 0
    sizes = OrderLine.objects.values("order").distinct().count()
    assert sizes == 500
    assert 1 < OrderLine.objects.count() / 500 < 3
    assert OrderEvent.objects.filter(from_status="").count() == 500


def test_seeded_numbers_are_unique_and_look_like_real_ones(catalog):
    seed(200)

    numbers = list(Order.objects.values_list("number", flat=True))
    assert len(set(numbers)) == 200
    assert len({order_number(i) for i in range(1, 100_001)}) == 100_000


def test_seeding_twice_adds_more_orders(catalog):
    seed(100)

    seed(100, seed=2)

    assert Order.objects.count() == 200


def test_seeding_without_a_catalog_fails_with_one_clear_line(transactional_db):
    with pytest.raises(CommandError, match="there is no catalog to order from"):
        seed(10)

    assert not Order.objects.exists()


def test_seeding_zero_orders_is_refused(catalog):
    with pytest.raises(CommandError, match="--orders must be at least 1"):
        seed(0)


def test_demo_orders_load_into_an_empty_database(catalog):
    from pantry.orders import demo

    assert demo.is_empty()

    assert demo.load() == "500 orders over two years"

    assert not demo.is_empty()
    assert Order.objects.count() == 500


def test_the_purge_command_drops_old_idempotency_keys(catalog):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from pantry.orders.models import IdempotencyKey
    from pantry.orders.services import place_order

    place_order(name="A", email="a@b.co", lines=[("S-01", 1)], idempotency_key="old")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=30))
    out = StringIO()

    call_command("purge_idempotency_keys", stdout=out)

    assert out.getvalue() == "purged 1 idempotency key(s)\n"
    assert not IdempotencyKey.objects.exists()


def test_the_purge_command_refuses_a_nonpositive_age(transactional_db):
    from django.core.management import call_command

    with pytest.raises(CommandError, match="--hours must be at least 1"):
        call_command("purge_idempotency_keys", "--hours", "0")


def test_pantry_seed_orders_dispatches_to_the_orders_seed(catalog):
    from django.core.management import call_command

    out = StringIO()

    call_command(
        "seed", "orders", "--orders", "50", "--until", "2026-06-30", stdout=out
    )

    assert "seeded 50 orders from 2024-07-01 to 2026-06-30" in out.getvalue()
    assert Order.objects.count() == 50


def test_seeding_counts_the_sales_rollups_once_and_exactly(catalog):
    seed(500)

    days = SalesDay.objects.values_list("day", flat=True)
    assert len(days) == len(set(days))  # one row a day, no deltas
    assert not SkuSale.objects.exists()
    got = sales_report(
        start=date(2024, 7, 1), end=date(2026, 6, 30), bucket="day", currency="EUR"
    )
    assert [(p.period, p.orders, p.revenue) for p in got] == raw_sales(
        date(2024, 7, 1), date(2026, 6, 30), "EUR"
    )
    today = timezone.now().date()
    start = today - timedelta(days=WINDOW_DAYS - 1)
    assert window_top(today=today, currency="EUR", limit=5) == top_products(
        start=start, end=today, limit=5, currency="EUR"
    )
