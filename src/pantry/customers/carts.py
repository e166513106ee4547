"""Signed-in customers' carts, kept in PostgreSQL so they follow the customer.

Every change is one upsert, so two devices adding at once both count, and
the merge at sign-in is a single ``INSERT ... ON CONFLICT DO UPDATE``.
Quantity and line limits are the caller's (orders owns them).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from pantry.customers.models import CartLine

_TOUCH = (
    "INSERT INTO customers_cart (customer_id, touched_at) VALUES (%s, now()) "
    "ON CONFLICT (customer_id) DO UPDATE SET touched_at = now()"
)


def cart_quantities(*, customer_id: int) -> dict[str, int]:
    """Return the customer's quantities per SKU (one query)."""
    return dict(
        CartLine.objects.filter(cart_id=customer_id).values_list("sku", "quantity")
    )


@transaction.atomic
def add_to_cart(
    *, customer_id: int, sku: str, quantity: int, max_quantity: int, max_lines: int
) -> None:
    """Add ``quantity`` of ``sku``, clamped to ``max_quantity``.

    A new SKU beyond ``max_lines`` lines is left out.
    """
    _upsert(
        customer_id,
        {sku: quantity},
        max_quantity=max_quantity,
        max_lines=max_lines,
        replace=False,
    )


@transaction.atomic
def set_cart_quantity(
    *, customer_id: int, sku: str, quantity: int, max_quantity: int, max_lines: int
) -> None:
    """Set one SKU's quantity; 0 removes it."""
    if quantity <= 0:
        with connection.cursor() as cursor:
            cursor.execute(_TOUCH, [customer_id])
        CartLine.objects.filter(cart_id=customer_id, sku=sku).delete()
        return
    _upsert(
        customer_id,
        {sku: quantity},
        max_quantity=max_quantity,
        max_lines=max_lines,
        replace=True,
    )


@transaction.atomic
def merge_cart(
    *,
    customer_id: int,
    quantities: Mapping[str, int],
    max_quantity: int,
    max_lines: int,
) -> None:
    """Add a visitor's cart to the customer's saved one, in one statement."""
    if quantities:
        _upsert(
            customer_id,
            quantities,
            max_quantity=max_quantity,
            max_lines=max_lines,
            replace=False,
        )


def clear_cart(*, customer_id: int) -> None:
    CartLine.objects.filter(cart_id=customer_id).delete()


def _upsert(
    customer_id: int,
    quantities: Mapping[str, int],
    *,
    max_quantity: int,
    max_lines: int,
    replace: bool,
) -> None:
    # The cart row is locked by the touch, so concurrent upserts of one
    # customer run one after the other and the line limit holds; a SKU
    # already in the cart is always accepted.
    new = "EXCLUDED.quantity" if replace else "line.quantity + EXCLUDED.quantity"
    skus = sorted(quantities)
    with connection.cursor() as cursor:
        cursor.execute(_TOUCH, [customer_id])
        cursor.execute(
            f"""
            WITH incoming AS (
                SELECT sku, quantity
                FROM unnest(%(skus)s::text[], %(quantities)s::int[])
                    AS t(sku, quantity)
                WHERE quantity > 0
            ), marked AS (
                SELECT incoming.sku, incoming.quantity,
                       existing.id IS NOT NULL AS present,
                       row_number() OVER (
                           PARTITION BY existing.id IS NULL ORDER BY incoming.sku
                       ) AS n
                FROM incoming
                LEFT JOIN customers_cartline existing
                    ON existing.cart_id = %(cart)s AND existing.sku = incoming.sku
            ), accepted AS (
                SELECT sku, quantity FROM marked
                WHERE present OR n <= (
                    SELECT %(max_lines)s - count(*) FROM customers_cartline
                    WHERE cart_id = %(cart)s
                )
            )
            INSERT INTO customers_cartline AS line (cart_id, sku, quantity)
            SELECT %(cart)s, sku, LEAST(quantity, %(max)s) FROM accepted
            ON CONFLICT (cart_id, sku) DO UPDATE
                SET quantity = LEAST({new}, %(max)s)
            """,  # noqa: RUF100, S608 - {new} is one of two fixed expressions
            {
                "skus": skus,
                "quantities": [int(quantities[sku]) for sku in skus],
                "cart": customer_id,
                "max": max_quantity,
                "max_lines": max_lines,
            },
        )


def purge_stale_carts(*, older_than: timedelta, batch_size: int = 1000) -> int:
    """Delete carts untouched for ``older_than``, in batches; return how many.

    Each batch is its own short transaction that takes the oldest carts from
    the touched_at index, so purging never scans or locks the whole table.
    """
    cutoff = timezone.now() - older_than
    total = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                """
                WITH stale AS (
                    SELECT customer_id FROM customers_cart
                    WHERE touched_at < %s ORDER BY touched_at
                    LIMIT %s FOR UPDATE SKIP LOCKED
                ), lines AS (
                    DELETE FROM customers_cartline
                    WHERE cart_id IN (SELECT customer_id FROM stale)
                )
                DELETE FROM customers_cart
                WHERE customer_id IN (SELECT customer_id FROM stale)
                """,
                [cutoff, batch_size],
            )
            deleted = cursor.rowcount
        total += deleted
        if deleted < batch_size:
            return total
