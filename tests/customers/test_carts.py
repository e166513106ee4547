"""Saved carts of signed-in customers: upserts, merge, limits, purge."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from threading import Barrier

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pantry.customers import carts
from pantry.customers.models import Cart, CartLine
from tests.factories import make_customer
from tests.helpers import assert_uses_index

LIMITS = {"max_quantity": 1000, "max_lines": 3}


def test_adding_twice_adds_up_and_clamps_to_the_limit(ada):
    carts.add_to_cart(customer_id=ada.pk, sku="MUG-1", quantity=600, **LIMITS)
    carts.add_to_cart(customer_id=ada.pk, sku="MUG-1", quantity=600, **LIMITS)

    assert carts.cart_quantities(customer_id=ada.pk) == {"MUG-1": 1000}


def test_setting_zero_removes_the_line(ada):
    carts.add_to_cart(customer_id=ada.pk, sku="MUG-1", quantity=2, **LIMITS)

    carts.set_cart_quantity(customer_id=ada.pk, sku="MUG-1", quantity=0, **LIMITS)

    assert carts.cart_quantities(customer_id=ada.pk) == {}


def test_merging_adds_quantities_clamps_and_keeps_the_line_limit(ada):
    carts.add_to_cart(customer_id=ada.pk, sku="A", quantity=900, **LIMITS)
    carts.add_to_cart(customer_id=ada.pk, sku="B", quantity=1, **LIMITS)

    carts.merge_cart(
        customer_id=ada.pk,
        quantities={"A": 200, "B": 2, "C": 3, "D": 4},
        **LIMITS,
    )

    assert carts.cart_quantities(customer_id=ada.pk) == {"A": 1000, "B": 3, "C": 3}


def test_merging_is_one_statement_after_the_touch(ada):
    with CaptureQueriesContext(connection) as queries:
        carts.merge_cart(
            customer_id=ada.pk, quantities={f"S{n}": 1 for n in range(3)}, **LIMITS
        )

    writes = [
        q["sql"] for q in queries.captured_queries if "customers_cartline" in q["sql"]
    ]
    assert len(writes) == 1
    assert "ON CONFLICT (cart_id, sku) DO UPDATE" in writes[0]


@pytest.mark.django_db(transaction=True)
def test_two_devices_adding_at_once_lose_no_line():
    customer = make_customer()
    devices = 8
    barrier = Barrier(devices)

    def device(n: int) -> None:
        barrier.wait()
        try:
            carts.add_to_cart(
                customer_id=customer.pk,
                sku=f"SKU-{n % 4}",
                quantity=1,
                max_quantity=1000,
                max_lines=100,
            )
        finally:
            connection.close()

    with ThreadPoolExecutor(devices) as pool:
        list(pool.map(device, range(devices)))

    assert carts.cart_quantities(customer_id=customer.pk) == {
        "SKU-0": 2,
        "SKU-1": 2,
        "SKU-2": 2,
        "SKU-3": 2,
    }


def test_purging_deletes_only_stale_carts_in_batches(db):
    old, fresh = make_customer("old@example.com"), make_customer("new@example.com")
    others = [make_customer(f"c{n}@example.com") for n in range(3)]
    for customer in [old, fresh, *others]:
        carts.add_to_cart(customer_id=customer.pk, sku="MUG-1", quantity=1, **LIMITS)
    Cart.objects.exclude(customer=fresh).update(
        touched_at=timezone.now() - timedelta(days=100)
    )

    purged = carts.purge_stale_carts(older_than=timedelta(days=90), batch_size=2)

    assert purged == 4
    assert list(Cart.objects.values_list("customer_id", flat=True)) == [fresh.pk]
    assert list(CartLine.objects.values_list("cart_id", flat=True)) == [fresh.pk]


def test_purging_finds_stale_carts_through_the_touched_index(db):
    assert_uses_index(
        "SELECT customer_id FROM customers_cart WHERE touched_at < now() "
        "ORDER BY touched_at LIMIT 1000",
        "customers_cart_touched",
    )
