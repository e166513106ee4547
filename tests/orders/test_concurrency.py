"""Races: many checkouts of one SKU, retries of one key, transitions at once."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction
from django.db.models import F

from pantry.catalog.models import Variant
from pantry.orders.errors import (
    IdempotencyKeyReused,
    InsufficientStock,
    InvalidTransition,
)
from pantry.orders.models import IdempotencyKey, Order, OrderEvent
from pantry.orders.services import place_order, transition_order
from tests.factories import VariantFactory
from tests.orders.conftest import race


def test_fifty_buyers_of_the_last_ten_units_make_exactly_ten_orders(wide_pool):
    VariantFactory(sku="HOT-1", stock=10)

    outcomes = race(
        lambda i: place_order(
            name=f"Buyer {i}", email=f"buyer{i}@example.com", lines=[("HOT-1", 1)]
        ),
        50,
    )

    placed = [o for o in outcomes if not isinstance(o, Exception)]
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(placed) == 10
    assert len(refused) == 40
    assert all(isinstance(exc, InsufficientStock) for exc in refused), refused
    assert {exc.extra["available"] for exc in refused} == {0}
    assert Variant.objects.get(sku="HOT-1").stock == 0
    assert Order.objects.count() == 10


def test_buyers_of_overlapping_skus_in_any_order_never_deadlock(wide_pool):
    VariantFactory(sku="A-1", stock=100)
    VariantFactory(sku="B-1", stock=100)
    VariantFactory(sku="C-1", stock=100)
    baskets = [
        [("A-1", 1), ("B-1", 1), ("C-1", 1)],
        [("C-1", 1), ("B-1", 1), ("A-1", 1)],
        [("B-1", 1), ("A-1", 1)],
        [("C-1", 1), ("A-1", 1)],
    ]

    outcomes = race(
        lambda i: place_order(
            name="Buyer", email="b@example.com", lines=baskets[i % len(baskets)]
        ),
        40,
    )

    assert [o for o in outcomes if isinstance(o, Exception)] == []
    stock = dict(Variant.objects.values_list("sku", "stock"))
    assert stock == {"A-1": 100 - 40, "B-1": 100 - 30, "C-1": 100 - 30}


def test_concurrent_retries_with_one_idempotency_key_make_one_order(wide_pool):
    VariantFactory(sku="MUG-1", stock=100)

    outcomes = race(
        lambda i: place_order(
            name="Ada",
            email="ada@example.com",
            lines=[("MUG-1", 2)],
            idempotency_key="retry-me",
        ),
        20,
    )

    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert len({o.number for o in outcomes}) == 1
    assert sum(not o.replayed for o in outcomes) == 1
    assert all(o.receipt == outcomes[0].receipt for o in outcomes)
    assert Order.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1
    assert Variant.objects.get(sku="MUG-1").stock == 98


def test_concurrent_requests_with_one_key_and_different_bodies_make_one_order(
    wide_pool,
):
    VariantFactory(sku="MUG-1", stock=100)

    outcomes = race(
        lambda i: place_order(
            name="Ada",
            email="ada@example.com",
            lines=[("MUG-1", 1 + i % 2)],
            idempotency_key="shared",
        ),
        10,
    )

    assert Order.objects.count() == 1
    winner = Order.objects.get()
    quantity = winner.lines.get().quantity
    for i, outcome in enumerate(outcomes):
        if 1 + i % 2 == quantity:
            assert outcome.number == winner.number
        else:
            assert isinstance(outcome, IdempotencyKeyReused)
    assert Variant.objects.get(sku="MUG-1").stock == 100 - quantity


@pytest.mark.parametrize("target", ["paid", "cancelled"])
def test_concurrent_transitions_of_one_order_serialise(wide_pool, target):
    VariantFactory(sku="MUG-1", stock=5)
    number = place_order(
        name="Ada", email="ada@example.com", lines=[("MUG-1", 2)]
    ).number

    outcomes = race(
        lambda i: transition_order(number=number, to=target, actor=f"staff{i}"), 10
    )

    won = [o for o in outcomes if not isinstance(o, Exception)]
    lost = [o for o in outcomes if isinstance(o, Exception)]
    assert len(won) == 1
    assert len(lost) == 9
    assert all(isinstance(exc, InvalidTransition) for exc in lost)
    assert {exc.extra["status"] for exc in lost} == {target}
    assert (
        OrderEvent.objects.filter(order__number=number, to_status=target).count() == 1
    )
    # A cancellation returned the stock exactly once.
    expected = 5 if target == "cancelled" else 3
    assert Variant.objects.get(sku="MUG-1").stock == expected


def deadlocks_detected() -> int:
    """The database's count of deadlocks PostgreSQL broke, flushed first."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"
        )
        return int(cursor.fetchone()[0])


def deadlocks_after(before: int, *, timeout: float = 10.0) -> int:
    """Wait for the statistics to count past ``before`` (they lag a little)."""
    deadline = time.monotonic() + timeout
    while (found := deadlocks_detected()) <= before and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


def test_a_checkout_aborted_by_a_deadlock_is_retried_and_succeeds(wide_pool):
    before = deadlocks_detected()
    VariantFactory(sku="A-1", stock=5)
    VariantFactory(sku="B-1", stock=5)
    holding = threading.Event()

    def other_writer() -> None:
        # Locks B-1 then A-1: the opposite of checkout's SKU order.
        try:
            with transaction.atomic():
                Variant.objects.select_for_update().get(sku="B-1")
                holding.set()
                time.sleep(0.3)
                Variant.objects.select_for_update().get(sku="A-1")
                Variant.objects.filter(sku="A-1").update(stock=F("stock") + 10)
        finally:
            connection.close()

    writer = threading.Thread(target=other_writer)
    writer.start()
    holding.wait(timeout=10)

    try:
        placement = place_order(
            name="Ada", email="ada@example.com", lines=[("A-1", 1), ("B-1", 1)]
        )
    finally:
        writer.join(timeout=30)

    # PostgreSQL broke exactly one deadlock; the other writer's +10 is in,
    # so the checkout was the transaction aborted, and its retry placed it.
    assert deadlocks_after(before) == before + 1
    assert placement.replayed is False
    assert dict(Variant.objects.values_list("sku", "stock")) == {"A-1": 14, "B-1": 4}
    assert Order.objects.count() == 1
