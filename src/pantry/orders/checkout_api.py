"""POST /api/v1/checkout/quote: an order's totals before it is placed."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import StrictInt, StrictStr

from pantry.customers.api import PostalAddressIn
from pantry.orders import checkout

router = Router(tags=["checkout"])


class QuoteCustomerIn(Schema):
    name: StrictStr = ""
    email: StrictStr = ""


class QuoteLineIn(Schema):
    sku: StrictStr
    quantity: StrictInt


class QuoteIn(Schema):
    customer: QuoteCustomerIn | None = None
    lines: list[QuoteLineIn]
    shipping_address: PostalAddressIn | None = None
    billing_address: PostalAddressIn | None = None
    shipping_method: StrictStr | None = None
    voucher: StrictStr | None = None
    payment_provider: StrictStr | None = None


class QuoteLineOut(Schema):
    sku: str
    name: str
    quantity: int
    unit_price: str
    line_total: str
    discount: str
    tax_rate: str
    tax: str


class MethodOut(Schema):
    code: str
    name: str
    price: str


class QuoteOut(Schema):
    currency: str
    subtotal: str
    discount: str
    shipping: str
    tax: str
    total: str
    lines: list[QuoteLineOut]
    shipping_methods: list[MethodOut]
    shipping_method: str | None
    voucher: str | None
    prices_include_tax: bool


def quote_json(quote: checkout.Quote) -> dict[str, Any]:
    def money(value: Any) -> str:
        return f"{value:.2f}"

    return {
        "currency": quote.currency,
        "subtotal": money(quote.subtotal),
        "discount": money(quote.discount),
        "shipping": money(quote.shipping),
        "tax": money(quote.tax),
        "total": money(quote.total),
        "lines": [
            {
                "sku": line.sku,
                "name": line.name,
                "quantity": line.quantity,
                "unit_price": money(line.unit_price),
                "line_total": money(line.line_total),
                "discount": money(line.discount),
                "tax_rate": f"{line.tax_rate.normalize():f}",
                "tax": money(line.tax),
            }
            for line in quote.lines
        ],
        "shipping_methods": [
            {"code": m.code, "name": m.name, "price": money(m.price)}
            for m in quote.shipping_methods
        ],
        "shipping_method": quote.shipping_method,
        "voucher": quote.voucher,
        "prices_include_tax": quote.prices_include_tax,
    }


@router.post(
    "/checkout/quote",
    response=QuoteOut,
    summary="Totals, shipping methods and tax of an order, without placing it",
)
def quote(request: HttpRequest, payload: QuoteIn) -> dict[str, Any]:
    result = checkout.quote_checkout(
        lines=[(line.sku, line.quantity) for line in payload.lines],
        shipping_address=payload.shipping_address.dict()
        if payload.shipping_address
        else None,
        billing_address=payload.billing_address.dict()
        if payload.billing_address
        else None,
        shipping_method=payload.shipping_method,
        voucher=payload.voucher,
        email=payload.customer.email if payload.customer else None,
        payment_provider=payload.payment_provider,
    )
    return quote_json(result)
