"""The sales rollups: every figure equals a count of the orders, at any
moment, whatever was folded and whenever the window moved."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.db.models import Count, Min, Sum

from pantry.orders.models import Order, OrderLine
from pantry.orders.queries import sales_report, top_products
from pantry.orders.rollup_models import (
    RollupWindow,
    SalesDay,
    SkuSale,
    SkuWindow,
    StatusCount,
)
from pantry.orders.rollups import (
    WINDOW_DAYS,
    fold,
    rebuild,
    waiting_for_payment,
    window_top,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)
STATUSES = ("placed", "paid", "shipped", "delivered", "cancelled", "refunded")
CURRENCIES = ("EUR", "USD")


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def place(n: int, day: date, status: str, lines: dict[str, int], currency="EUR"):
    order = Order.objects.create(
        number=f"R-{n}", customer_name="Ada", email="ada@example.com",
        status=status, currency=currency, total=0, subtotal=0, placed_at=at(day),
    )  # fmt: skip
    total = Decimal(0)
    for sku, quantity in lines.items():
        price = Decimal(len(sku)) + Decimal("0.25")
        OrderLine.objects.create(
            order=order, sku=sku, product_name=f"Product {sku}",
            variant_name=f"Product {sku}, 5 g", unit_price=price, quantity=quantity,
            line_total=price * quantity, net=price * quantity,
            gross=price * quantity, discount=0, tax_class="standard",
            tax_rate=0, tax=0,
        )  # fmt: skip
        total += price * quantity
    Order.objects.filter(pk=order.pk).update(total=total, subtotal=total)
    return order


def raw_sales(start: date, end: date, currency: str) -> list[tuple[date, int, Decimal]]:
    """The oracle: sales per day counted from the orders."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT d::date, count(o.id), coalesce(sum(o.total), 0)
            FROM generate_series(%s::date, %s::date, '1 day') d
            LEFT JOIN orders_order o
              ON (o.placed_at AT TIME ZONE 'UTC')::date = d::date
             AND o.status IN ('paid', 'shipped', 'delivered') AND o.currency = %s
            GROUP BY 1 ORDER BY 1
            """,
            [start, end, currency],
        )
        return [(row[0], row[1], Decimal(row[2])) for row in cursor.fetchall()]


def assert_exact(today: date, limit: int = 7) -> None:
    statuses = dict(
        Order.objects.values_list("status").annotate(n=Count("id")).order_by()
    )
    counted = dict(
        StatusCount.objects.values_list("status").annotate(n=Sum("orders")).order_by()
    )
    assert {k: v for k, v in counted.items() if v} == statuses
    oldest = Order.objects.filter(status="placed").aggregate(m=Min("placed_at"))["m"]
    assert waiting_for_payment() == (statuses.get("placed", 0), oldest)
    first = today - timedelta(days=WINDOW_DAYS - 1)
    for currency in CURRENCIES:
        got = sales_report(start=first - timedelta(days=10), end=today,
                           bucket="day", currency=currency)  # fmt: skip
        assert [(p.period, p.orders, p.revenue) for p in got] == raw_sales(
            first - timedelta(days=10), today, currency
        )
        expected = top_products(start=first, end=today, limit=limit, currency=currency)
        got = window_top(today=today, currency=currency, limit=limit)
        if RollupWindow.objects.filter(first_day=first, last_day=today).exists():
            assert got == expected
        else:  # not folded today: the caller counts the orders instead
            assert got is None


def test_reports_count_placements_payments_and_cancellations_as_they_happen():
    order = place(1, TODAY, "placed", {"AA": 2})
    assert_exact(TODAY)
    assert (
        sales_report(start=TODAY, end=TODAY, bucket="day", currency="EUR")[0].orders
        == 0
    )

    Order.objects.filter(pk=order.pk).update(status="paid")
    [day] = sales_report(start=TODAY, end=TODAY, bucket="day", currency="EUR")
    assert (day.orders, day.revenue) == (1, Decimal("4.50"))
    fold(today=TODAY)
    assert_exact(TODAY)
    [top] = window_top(today=TODAY, currency="EUR", limit=5)
    assert (top.sku, top.units, top.revenue, top.orders) == (
        "AA", 2, Decimal("4.50"), 1
    )  # fmt: skip

    Order.objects.filter(pk=order.pk).update(status="cancelled")
    assert window_top(today=TODAY, currency="EUR", limit=5) == []
    assert_exact(TODAY)
    fold(today=TODAY)
    assert not SkuWindow.objects.exists()  # a SKU with nothing left is dropped
    assert_exact(TODAY)


def test_folding_merges_deltas_into_one_row_per_day():
    for n in range(5):
        place(n, TODAY, "paid", {"AA": 1})
    # One delta per statement that changed a figure (the order, its total).
    assert SalesDay.objects.filter(day=TODAY).count() == 10
    assert SkuSale.objects.count() == 5

    assert StatusCount.objects.count() == 5
    fold(today=TODAY)

    assert StatusCount.objects.get().orders == 5
    assert SalesDay.objects.filter(day=TODAY).count() == 1
    assert not SkuSale.objects.exists()
    assert_exact(TODAY)


def test_the_window_stays_exact_through_random_writes_folds_and_days():
    rng = random.Random(7)
    skus = [f"S{i}" * (1 + i % 3) for i in range(12)]
    orders: list[Order] = []
    today = TODAY - timedelta(days=40)
    checked = moved = rebuilt = 0
    for step in range(240):
        roll = rng.random()
        if roll < 0.55 or not orders:
            day = today - timedelta(days=rng.choice([0, 0, 0, 1, 5, 29, 30, 45]))
            basket = {sku: rng.randint(1, 3) for sku in rng.sample(skus, 2)}
            orders.append(
                place(step, day, rng.choice(STATUSES), basket, rng.choice(CURRENCIES))
            )
        elif roll < 0.8:
            order = rng.choice(orders)
            Order.objects.filter(pk=order.pk).update(status=rng.choice(STATUSES))
        elif roll < 0.85:
            order = orders.pop(rng.randrange(len(orders)))
            order.delete()  # lines first, as Django deletes
        elif roll < 0.93:
            folded = fold(today=today)
            rebuilt += folded.rebuilt
            moved += not folded.rebuilt
        else:
            today += timedelta(days=rng.choice([1, 1, 1, 2, 31]))
        # The window's own answer, not the orders' (that is, folded today).
        fresh = RollupWindow.objects.filter(last_day=today).exists()
        checked += fresh
        assert_exact(today, limit=3)
    assert checked > 30, checked  # times the window itself answered
    assert moved > 5, moved
    assert rebuilt >= 1, rebuilt
    fold(today=today)
    assert_exact(today)
    assert RollupWindow.objects.get().last_day == today
    rebuild(today=today)
    assert_exact(today)


def test_a_window_that_no_longer_overlaps_or_runs_ahead_is_counted_afresh():
    place(1, TODAY, "paid", {"AA": 1})
    assert fold(today=TODAY).rebuilt  # no window yet
    assert not fold(today=TODAY + timedelta(days=1)).rebuilt
    assert fold(today=TODAY + timedelta(days=WINDOW_DAYS + 1)).rebuilt
    assert fold(today=TODAY).rebuilt  # the window ended after today
    assert_exact(TODAY)


@pytest.mark.django_db(transaction=True)
def test_a_fold_beside_an_uncommitted_payment_counts_it_once_it_commits():
    order = place(1, TODAY, "placed", {"AA": 1})
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute(
                "UPDATE orders_order SET status = 'paid' WHERE id = %s", [order.pk]
            )
            fold(today=TODAY)  # does not see the payment, nor wait for it
            assert_exact(TODAY)
            cursor.execute("COMMIT")
    finally:
        other.close()
    assert window_top(today=TODAY, currency="EUR", limit=3)[0].units == 1
    assert_exact(TODAY)
    fold(today=TODAY)
    assert_exact(TODAY)


def test_without_a_fold_since_midnight_the_window_does_not_answer():
    place(1, TODAY - timedelta(days=1), "paid", {"AA": 1})
    fold(today=TODAY - timedelta(days=1))
    assert window_top(today=TODAY, currency="EUR", limit=5) is None
    assert window_top(today=TODAY - timedelta(days=1), currency="EUR", limit=5)


@pytest.mark.django_db(transaction=True)
def test_truncating_orders_empties_the_rollups():
    place(1, TODAY, "paid", {"AA": 1})
    fold(today=TODAY)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE orders_order CASCADE")
    for model in (SalesDay, SkuSale, SkuWindow, RollupWindow, StatusCount):
        assert not model.objects.exists()


def test_the_top_products_read_the_head_of_the_leaders_index(django_assert_num_queries):
    for n in range(30):
        place(n, TODAY, "paid", {f"S{n}": 1 + n % 4})
    fold(today=TODAY)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("ANALYZE orders_skuwindow")
        from pantry.orders import rollups

        first = TODAY - timedelta(days=WINDOW_DAYS - 1)
        cursor.execute(
            "EXPLAIN " + rollups._TOP,
            {"first": first, "last": TODAY, "currency": "EUR", "limit": 5},
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "orders_skuwindow_leaders" in plan, plan
    with django_assert_num_queries(1):
        window_top(today=TODAY, currency="EUR", limit=5)


def test_upkeep_folds_and_expires_once_or_rebuilds(capsys):
    place(1, TODAY, "paid", {"AA": 1})
    call_command("orders_upkeep")
    assert "sales rollups folded" in capsys.readouterr().out
    assert RollupWindow.objects.exists()
    call_command("orders_upkeep", "--rebuild")
    assert "rebuilt the sales rollups" in capsys.readouterr().out
    with pytest.raises(CommandError, match="--every"):
        call_command("orders_upkeep", "--every", "0")


@pytest.mark.django_db(transaction=True)
def test_upkeep_every_n_seconds_folds_each_round_and_stops_on_sigterm():
    import os
    import signal
    import subprocess
    import sys
    import time as clock

    from tests.events.conftest import database_url
    from tests.helpers import ROOT

    today = datetime.now(UTC).date()
    RollupWindow.objects.all().delete()
    place(1, today, "paid", {"AA": 1})
    env = {**os.environ, "DATABASE_URL": database_url(), "PANTRY_ENV": "test"}
    process = subprocess.Popen(
        [sys.executable, "-m", "pantry.platform.cli", "orders_upkeep", "--every", "1"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = clock.monotonic() + 60
        while not RollupWindow.objects.exists() and clock.monotonic() < deadline:
            clock.sleep(0.2)
        assert RollupWindow.objects.exists()  # the first round folded
        place(2, today, "paid", {"AA": 1})
        while SkuSale.objects.exists() and clock.monotonic() < deadline:
            clock.sleep(0.2)
        assert not SkuSale.objects.exists()  # a later round folded again
        process.send_signal(signal.SIGTERM)
        _, errors = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, errors
