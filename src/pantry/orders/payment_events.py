"""What a payment change does to its order (registered in OrdersConfig.ready)."""

from __future__ import annotations

from django.utils import timezone

from pantry.events.outbox import emit
from pantry.orders.models import Order, OrderEvent
from pantry.payments.services import PaymentChange


def order_paid(change: PaymentChange) -> None:
    """A captured payment makes its ``placed`` order ``paid``.

    Runs in the webhook's transaction. The order row is locked first, so a
    concurrent expiry and this payment run one after the other: a payment
    for an order that already expired (or was cancelled) leaves it as it is
    and stays on record for staff to refund.
    """
    if change.status != "captured":
        return
    order = Order.objects.select_for_update().filter(number=change.order_ref).first()
    if order is None or order.status != Order.Status.PLACED:
        return
    OrderEvent.objects.create(
        order=order,
        from_status=order.status,
        to_status=Order.Status.PAID,
        at=timezone.now(),
        actor=f"payment:{change.provider}",
    )
    order.status = Order.Status.PAID
    order.save(update_fields=["status"])
    emit(
        "order.paid",
        {
            "number": order.number,
            "status": "paid",
            "actor": f"payment:{change.provider}",
        },
    )
