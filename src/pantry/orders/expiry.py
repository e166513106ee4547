"""Expiring unpaid orders: bounded batches, safe on several workers at once.

Each batch takes due orders with ``FOR UPDATE SKIP LOCKED`` (so concurrent
sweepers and a payment arriving for one of them never wait on each other),
marks them expired with their history, returns their stock and gives back
their voucher uses, all in one transaction. A payment that commits first
makes the order ``paid`` and the sweeper's re-checked condition skips it;
one that comes after finds the order ``expired`` (docs/checkout.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction

from pantry.catalog.stock import return_stock
from pantry.events.outbox import emit_many
from pantry.vouchers.services import release_vouchers_of

BATCH = 500

_EXPIRE = """
WITH due AS (
    SELECT id FROM orders_order
    WHERE status = 'placed' AND expires_at <= now()
    ORDER BY expires_at
    LIMIT %(batch)s
    FOR UPDATE SKIP LOCKED
), expired AS (
    UPDATE orders_order o SET status = 'expired'
    FROM due WHERE o.id = due.id
    RETURNING o.id, o.number
), history AS (
    INSERT INTO orders_orderevent (order_id, from_status, to_status, at, actor)
    SELECT id, 'placed', 'expired', now(), 'system' FROM expired
)
SELECT id, number FROM expired
"""
_QUANTITIES = """
SELECT sku, sum(quantity)::integer FROM orders_orderline
WHERE order_id = ANY(%s) GROUP BY sku
"""


@dataclass(frozen=True)
class Swept:
    orders: int
    batches: int


def expire_batch(*, batch: int = BATCH) -> list[str]:
    """Expire up to ``batch`` due orders; return their numbers."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_EXPIRE, {"batch": batch})
        rows = cursor.fetchall()
        if not rows:
            return []
        cursor.execute(_QUANTITIES, [[order_id for order_id, _ in rows]])
        return_stock(dict(cursor.fetchall()))
        release_vouchers_of(order_refs=[number for _, number in rows])
        emit_many(
            "order.expired",
            [
                {"number": number, "status": "expired", "actor": "system"}
                for _, number in rows
            ],
        )
    return [number for _, number in rows]


def expire_orders(*, batch: int = BATCH, max_batches: int | None = None) -> Swept:
    """Expire every due order, batch by batch; memory stays one batch."""
    total = batches = 0
    while max_batches is None or batches < max_batches:
        numbers = expire_batch(batch=batch)
        if not numbers:
            break
        total += len(numbers)
        batches += 1
    return Swept(orders=total, batches=batches)
