"""What a payment change does to its order (registered in OrdersConfig.ready)."""

from __future__ import annotations

from django.db import connection

from pantry.payments.services import PaymentChange

# One statement: the UPDATE locks the order row, so a concurrent expiry and
# this payment run one after the other, and its re-checked condition leaves
# an order that already expired (or was cancelled) as it is.
_PAID = """
WITH paid AS (
    UPDATE orders_order SET status = 'paid'
    WHERE number = %(number)s AND status = 'placed'
    RETURNING id, number
), history AS (
    INSERT INTO orders_orderevent (order_id, from_status, to_status, at, actor)
    SELECT id, 'placed', 'paid', now(), %(actor)s FROM paid
)
SELECT events_emit('order.paid', jsonb_build_array(jsonb_build_object(
    'number', number, 'status', 'paid', 'actor', %(actor)s::text)))
FROM paid
"""


def order_paid(change: PaymentChange) -> None:
    """A captured payment makes its ``placed`` order ``paid``.

    Runs in the webhook's transaction. A payment for an order that is no
    longer ``placed`` stays on record for staff to refund.
    """
    if change.status != "captured":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            _PAID,
            {"number": change.order_ref, "actor": f"payment:{change.provider}"},
        )
