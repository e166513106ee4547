"""Orders API: place orders, read and move them (API.md); reports: reports_api."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Header, Query, Router, Schema, Status
from pydantic import StrictInt, StrictStr

from pantry.core.auth import staff, staff_user
from pantry.core.errors import NotFound, PantryError
from pantry.core.openapi import Email
from pantry.core.pagination import Limit, check_limit
from pantry.core.times import Moment
from pantry.customers.api import PostalAddressIn
from pantry.customers.auth import bearer_token, customer_for_token
from pantry.orders import accounts, queries, services
from pantry.orders.models import Order
from pantry.orders.tokens import token_for, token_matches

router = Router(tags=["orders"])


class Unauthorized(PantryError):
    status = 401
    code = "unauthorized"
    default_detail = "Staff token or the order's ?token= is required."


class CustomerIn(Schema):
    name: StrictStr
    email: Email


class LineIn(Schema):
    sku: StrictStr
    quantity: StrictInt


class OrderIn(Schema):
    customer: CustomerIn
    lines: list[LineIn]
    shipping_address: PostalAddressIn | None = None
    billing_address: PostalAddressIn | None = Field(
        None, description="The shipping address when left out."
    )
    shipping_method: StrictStr | None = Field(
        None,
        max_length=50,
        description="A method serving the address; the cheapest when left out.",
    )
    voucher: StrictStr | None = Field(None, max_length=64)
    payment_provider: StrictStr | None = Field(None, max_length=20)


class OrderCustomerOut(Schema):
    name: str
    email: str


class LineOut(Schema):
    sku: str
    name: str
    quantity: int
    unit_price: str = Field(examples=["19.90"])
    line_total: str
    # Defaults only for receipts kept under an Idempotency-Key before orders
    # had tax (a replay answers the receipt as first given).
    discount: str | None = Field(
        None, description="The line's share of the order's discount."
    )
    net: str | None = None
    tax_rate: str | None = Field(None, description="Percent", examples=["19", "5.5"])
    tax: str | None = None
    gross: str | None = Field(None, description="net + tax")


class OrderAddressOut(Schema):
    name: str
    line1: str
    line2: str
    city: str
    postal_code: str
    region: str
    country: str
    phone: str


class OrderEventOut(Schema):
    from_status: str | None
    to_status: str
    at: datetime
    actor: str


class PaymentOut(Schema):
    provider: str
    status: str
    action: dict[str, Any] | None = Field(
        description='What the client does next, e.g. {"type": "redirect", "url": ...}'
    )


class ReceiptOut(Schema):
    number: str
    status: str
    token: str = Field(
        description="Opens GET /orders/{number}?token= for the customer."
    )
    customer: OrderCustomerOut
    currency: str
    # Defaults as LineOut's: receipts replayed from before orders had tax.
    subtotal: str | None = None
    discount: str = "0.00"
    shipping: str | None = None
    tax: str | None = None
    total: str
    prices_include_tax: bool | None = None
    lines: list[LineOut]
    placed_at: datetime
    voucher: str | None = None
    shipping_method: str | None = None
    shipping_method_name: str | None = None
    shipping_tax: str | None = None
    shipping_address: OrderAddressOut | None = None
    billing_address: OrderAddressOut | None = None
    payment_provider: str | None = None
    payment: PaymentOut | None = None


class OrderOut(Schema):
    number: str
    status: str
    customer: OrderCustomerOut
    currency: str
    subtotal: str
    discount: str
    shipping: str
    tax: str
    total: str
    prices_include_tax: bool
    lines: list[LineOut]
    placed_at: datetime
    voucher: str | None = None
    shipping_method: str | None
    shipping_method_name: str | None
    shipping_tax: str
    shipping_address: OrderAddressOut | None
    billing_address: OrderAddressOut | None
    payment_provider: str | None = None
    payment: PaymentOut | None = None
    refunded_total: str = "0.00"
    events: list[OrderEventOut]


class OrderItemOut(Schema):
    number: str
    status: str
    customer: OrderCustomerOut
    currency: str
    subtotal: str
    discount: str
    shipping: str
    tax: str
    total: str
    placed_at: datetime


class OrderListOut(Schema):
    items: list[OrderItemOut]
    next: str | None


class TransitionIn(Schema):
    to: Order.Status


class ErrorOut(Schema):
    error: str
    detail: str


@router.post(
    "/orders",
    response={
        201: ReceiptOut,
        200: ReceiptOut,
        401: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
        429: ErrorOut,
    },
    summary="Place an order (anonymous, or a customer's with their token); "
    "Idempotency-Key makes retries safe",
)
def create_order(
    request: HttpRequest,
    payload: OrderIn,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> Status:
    customer_id = None
    if (token := bearer_token(request)) is not None:
        customer = customer_for_token(token)
        if customer is None and staff_user(request) is None:
            raise Unauthorized("This bearer token is not valid.")
        customer_id = customer.pk if customer is not None else None
    placement = services.place_order(
        customer_id=customer_id,
        name=payload.customer.name,
        email=payload.customer.email,
        lines=[(line.sku, line.quantity) for line in payload.lines],
        idempotency_key=idempotency_key,
        voucher=payload.voucher,
        payment_provider=payload.payment_provider,
        shipping_address=_address(payload.shipping_address),
        billing_address=_address(payload.billing_address),
        shipping_method=payload.shipping_method,
    )
    body = {**placement.receipt, "token": token_for(placement.number)}
    return Status(200 if placement.replayed else 201, body)


def _address(address: PostalAddressIn | None) -> dict[str, Any] | None:
    return None if address is None else address.dict()


@router.get(
    "/orders/{number}",
    response={200: OrderOut, 401: ErrorOut, 404: ErrorOut},
    summary="One order (staff or ?token=)",
)
def get_order(
    request: HttpRequest, number: str, token: str | None = None
) -> dict[str, Any]:
    if token is None:
        customer = None
        if (bearer := bearer_token(request)) is not None:
            customer = customer_for_token(bearer)
        if customer is not None:
            # The owner needs no order token; anyone else's order is 404.
            mine = accounts.customer_order_detail(
                customer_id=customer.pk, number=number
            )
            if mine is None:
                raise NotFound(f"There is no order {number}.")
            return queries.detail_json(mine)
        if staff_user(request) is None:
            raise Unauthorized()
    elif not token_matches(number, token):
        # The same answer as an unknown number: a token reveals nothing.
        raise NotFound("No order with this number and token.")
    order = queries.order_detail(number)
    if order is None:
        raise NotFound(f"There is no order {number}.")
    return queries.detail_json(order)


@router.get("/orders", response=OrderListOut, auth=staff, summary="Orders (staff)")
def list_orders(
    request: HttpRequest,
    status: Order.Status | None = None,
    placed_after: Moment | None = None,
    placed_before: Moment | None = None,
    email: Annotated[str | None, Query(max_length=254)] = None,
    limit: Limit = None,
    cursor: str | None = None,
) -> dict[str, Any]:
    page = queries.order_list(
        filters=queries.OrderFilters(
            status=status,
            placed_after=placed_after,
            placed_before=placed_before,
            email=email,
        ),
        limit=check_limit(limit),
        cursor=cursor,
    )
    return {
        "items": [queries.list_item_json(order) for order in page.rows],
        "next": page.next,
    }


@router.post(
    "/orders/{number}/transitions",
    response={200: OrderOut, 404: ErrorOut, 409: ErrorOut},
    auth=staff,
    summary="Move an order to another status (staff)",
)
def transition(
    request: HttpRequest, number: str, payload: TransitionIn
) -> dict[str, Any]:
    services.transition_order(
        number=number,
        to=payload.to,
        actor=request.auth.get_username(),  # type: ignore[attr-defined]
    )
    order = queries.order_detail(number)
    assert order is not None
    return queries.detail_json(order)
