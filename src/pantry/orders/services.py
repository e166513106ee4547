"""Moving orders through their statuses, and the names placement exports.

Placement lives in orders/placement.py (the request checks in
orders/requests.py); its public names stay importable from here.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from pantry.catalog.stock import return_stock
from pantry.core.errors import Invalid, NotFound
from pantry.events.outbox import emit
from pantry.orders.errors import InvalidTransition
from pantry.orders.models import IdempotencyKey, Order, OrderEvent
from pantry.orders.placement import Placement, place_order
from pantry.orders.requests import (
    EMAIL_MAX,
    MAX_LINES,
    MAX_QUANTITY,
    NAME_MAX,
    NUMBER_ALPHABET,
    NUMBER_LENGTH,
    SKU_MAX,
    OrderRequest,
    clean_order_request,
    new_order_number,
)
from pantry.vouchers.services import release_vouchers

__all__ = [
    "EMAIL_MAX",
    "IDEMPOTENCY_TTL",
    "MAX_LINES",
    "MAX_QUANTITY",
    "NAME_MAX",
    "NUMBER_ALPHABET",
    "NUMBER_LENGTH",
    "RESTOCKING",
    "SKU_MAX",
    "TRANSITIONS",
    "OrderRequest",
    "Placement",
    "clean_order_request",
    "new_order_number",
    "place_order",
    "purge_idempotency_keys",
    "transition_order",
]

Status = Order.Status

IDEMPOTENCY_TTL = timedelta(hours=24)

# The state machine of API.md, in one place.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.PLACED: frozenset({Status.PAID, Status.CANCELLED}),
    Status.PAID: frozenset({Status.SHIPPED, Status.CANCELLED, Status.REFUNDED}),
    Status.SHIPPED: frozenset({Status.DELIVERED, Status.REFUNDED}),
    Status.DELIVERED: frozenset({Status.REFUNDED}),
    Status.CANCELLED: frozenset(),
    Status.REFUNDED: frozenset(),
    Status.EXPIRED: frozenset(),
}
# Expiry is the sweeper's (orders/expiry.py), never a staff transition.
RESTOCKING = frozenset({Status.CANCELLED})


def transition_order(*, number: str, to: str, actor: str) -> Order:
    """Move order ``number`` to status ``to``, recording who and when.

    The order row is locked first, so concurrent transitions of one order
    run one after the other and the second sees the first's result.
    Cancelling or expiring returns the order's stock and voucher uses in
    the same transaction. Raises
    NotFound, Invalid (not a status) or InvalidTransition.
    """
    if to not in Status.values:
        raise Invalid(
            f"{to!r} is not an order status.",
            fields={"to": "one of " + ", ".join(Status.values)},
        )
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(number=number).first()
        if order is None:
            raise NotFound(f"There is no order {number}.")
        if to not in TRANSITIONS[order.status]:
            raise InvalidTransition(
                f"An order that is {order.status} cannot become {to}.",
                status=order.status,
                to=to,
                allowed=sorted(TRANSITIONS[order.status]),
            )
        if to in RESTOCKING:
            return_stock(dict(order.lines.values_list("sku", "quantity")))
            release_vouchers(order_ref=order.number)
        event = OrderEvent(
            order=order,
            from_status=order.status,
            to_status=to,
            at=timezone.now(),
            actor=actor,
        )
        order.status = to
        order.save(update_fields=["status"])
        event.save()
        emit(f"order.{to}", {"number": order.number, "status": to, "actor": actor})
    return order


def purge_idempotency_keys(*, older_than: timedelta = IDEMPOTENCY_TTL) -> int:
    """Delete idempotency records older than ``older_than``; return how many."""
    deleted, _ = IdempotencyKey.objects.filter(
        created_at__lt=timezone.now() - older_than
    ).delete()
    return deleted
