"""Refunds by line and quantity, through the order's payment provider.

Returned quantities and refunded money only grow by conditional UPDATEs
under CHECKs (``refunded_quantity <= quantity``, ``refunded_total <=
total``; payments keep ``refunded <= captured``), so no sequence of
refunds, concurrent or not, gives back more than was bought and paid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from pantry.catalog.stock import return_stock
from pantry.core.errors import Invalid, NotFound
from pantry.orders.models import (
    REVENUE_STATUSES,
    Order,
    OrderEvent,
    OrderLine,
    Refund,
    RefundLine,
)
from pantry.payments.errors import RefundExceedsOrder
from pantry.payments.models import Payment
from pantry.payments.services import refund_payment

CENT = Decimal("0.01")
REFUNDABLE = frozenset(REVENUE_STATUSES)

_TAKE_LINE = """
UPDATE orders_orderline SET refunded_quantity = refunded_quantity + %s
WHERE id = %s AND refunded_quantity + %s <= quantity
RETURNING id
"""
_TAKE_ORDER = """
UPDATE orders_order SET refunded_total = refunded_total + %s
WHERE id = %s AND refunded_total + %s <= total
RETURNING refunded_total = total
"""


def _paid_for(line: OrderLine, units: int, legacy_share: Decimal) -> Decimal:
    """What the first ``units`` units of ``line`` cost, half up to cents.

    ``legacy_share`` is the discount share of a line placed before lines
    kept theirs (0 otherwise).
    """
    paid = line.gross - legacy_share
    return (paid * units / line.quantity).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Refunded:
    refund: Refund
    lines: list[dict[str, Any]]
    order_status: str


def refund_order(
    *,
    number: str,
    lines: Sequence[tuple[str, int]],
    shipping: Decimal | None = None,
    restock: bool = False,
    reason: str = "",
    actor: str,
) -> Refunded:
    """Refund ``lines`` (SKU, quantity) of order ``number``, all or nothing.

    A line's amount is what was paid for those units: the line's gross (its
    total less its discount share, plus tax when prices exclude it) times
    the refunded share of its quantity, so that refunding every unit, in
    any steps, gives back the gross exactly: after k of Q units, round(gross
    * k / Q) has been refunded (half up to cents). ``shipping`` gives back
    up to what was paid for shipping (with its tax when prices exclude
    it), once in all; it may be refunded without lines. The money goes back
    through the order's payments; ``restock`` returns the quantities to
    stock. A refund reaching the order's total makes it ``refunded``.
    Raises NotFound, Invalid, or RefundExceedsOrder (more than bought or
    paid; also for an order not paid yet).
    """
    shipping = shipping or Decimal("0.00")
    if shipping < 0 or shipping != shipping.quantize(CENT):
        raise Invalid(
            "A shipping refund is an amount in cents of at least 0.",
            fields={"shipping": "an amount such as 4.90"},
        )
    wanted: dict[str, int] = {}
    for i, (sku, quantity) in enumerate(lines):
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise Invalid(
                "A refund quantity is a whole number of at least 1.",
                fields={f"lines.{i}.quantity": "at least 1"},
            )
        wanted[sku] = wanted.get(sku, 0) + quantity
    if not wanted and not shipping:
        raise Invalid(
            "A refund needs lines or shipping.", fields={"lines": "at least one"}
        )
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(number=number).first()
        if order is None:
            raise NotFound(f"There is no order {number}.")
        if order.status not in REFUNDABLE:
            raise RefundExceedsOrder(
                f"An order that is {order.status} has nothing paid to refund."
            )
        by_sku = {line.sku: line for line in order.lines.all()}
        if unknown := sorted(set(wanted) - set(by_sku)):
            raise RefundExceedsOrder(
                "These SKUs are not on the order: " + ", ".join(unknown) + ".",
                skus=unknown,
            )
        if shipping:
            # The order row is locked: earlier shipping refunds are settled.
            paid = order.shipping + (
                Decimal(0) if order.prices_include_tax else order.shipping_tax
            )
            given = sum(
                order.refunds.values_list("shipping", flat=True), Decimal("0.00")
            )
            if shipping > paid - given:
                raise RefundExceedsOrder(
                    f"Only {paid - given:.2f} of shipping can still be refunded."
                )
        # Orders placed before lines kept their discount share spread the
        # discount here, in proportion to the line totals.
        legacy = order.discount > 0 and not any(
            line.discount for line in by_sku.values()
        )
        subtotal = sum((line.line_total for line in by_sku.values()), Decimal(0))
        amounts: dict[str, Decimal] = {}
        with connection.cursor() as cursor:
            for sku in sorted(wanted):
                line, quantity = by_sku[sku], wanted[sku]
                cursor.execute(_TAKE_LINE, [quantity, line.pk, quantity])
                if cursor.fetchone() is None:
                    raise RefundExceedsOrder(
                        f"Only {line.quantity - line.refunded_quantity} of {sku} "
                        "can still be refunded.",
                        sku=sku,
                        available=line.quantity - line.refunded_quantity,
                    )
                share = (
                    (order.discount * line.line_total / subtotal).quantize(
                        CENT, rounding=ROUND_HALF_UP
                    )
                    if legacy and subtotal
                    else Decimal(0)
                )
                before = line.refunded_quantity
                amounts[sku] = _paid_for(line, before + quantity, share) - _paid_for(
                    line, before, share
                )
            amount = sum(amounts.values(), Decimal("0.00")) + shipping
            cursor.execute(_TAKE_ORDER, [amount, order.pk, amount])
            row = cursor.fetchone()
            if row is None:
                raise RefundExceedsOrder(
                    f"Only {order.total - order.refunded_total:.2f} of order "
                    f"{number} can still be refunded."
                )
            full = bool(row[0])
        refs: list[str] = []
        if Payment.objects.filter(order_ref=number).exists():
            refs = refund_payment(order_ref=number, amount=amount)
        if restock:
            return_stock(wanted)
        now = timezone.now()
        refund = Refund.objects.create(
            order=order,
            amount=amount,
            shipping=shipping,
            restocked=restock,
            reason=reason[:500],
            provider_refs=refs,
            created_at=now,
            actor=actor,
        )
        RefundLine.objects.bulk_create(
            RefundLine(refund=refund, line=by_sku[sku], quantity=wanted[sku], amount=a)
            for sku, a in amounts.items()
        )
        if full:
            OrderEvent.objects.create(
                order=order,
                from_status=order.status,
                to_status=Order.Status.REFUNDED,
                at=now,
                actor=actor,
            )
            order.status = Order.Status.REFUNDED
            order.save(update_fields=["status"])
    return Refunded(
        refund=refund,
        lines=[
            {"sku": sku, "quantity": wanted[sku], "amount": f"{a:.2f}"}
            for sku, a in amounts.items()
        ],
        order_status=order.status,
    )
