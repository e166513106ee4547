"""POST /api/v1/orders/{number}/refunds (staff): refunds by line."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import StrictBool, StrictInt, StrictStr

from pantry.core.auth import staff
from pantry.orders.refunds import refund_order

router = Router(tags=["orders"])


class RefundLineIn(Schema):
    sku: StrictStr = Field(max_length=64)
    quantity: StrictInt = Field(ge=1, le=1000)


class RefundIn(Schema):
    lines: list[RefundLineIn] = Field(max_length=100)
    shipping: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    restock: StrictBool = False
    reason: StrictStr = Field("", max_length=500)


class RefundLineOut(Schema):
    sku: str
    quantity: int
    amount: str


class RefundOut(Schema):
    id: int
    amount: str
    lines: list[RefundLineOut]
    restocked: bool
    order_status: str


@router.post(
    "/orders/{number}/refunds",
    response={201: RefundOut},
    auth=staff,
    summary="Refund lines of an order (staff)",
)
def create_refund(request: HttpRequest, number: str, payload: RefundIn) -> Status:
    done = refund_order(
        number=number,
        lines=[(line.sku, line.quantity) for line in payload.lines],
        shipping=payload.shipping,
        restock=payload.restock,
        reason=payload.reason,
        actor=request.auth.get_username(),  # type: ignore[attr-defined]
    )
    return Status(
        201,
        {
            "id": done.refund.pk,
            "amount": f"{done.refund.amount:.2f}",
            "lines": done.lines,
            "restocked": done.refund.restocked,
            "order_status": done.order_status,
        },
    )
