"""Writing a new order's rows: order, lines, event, receipt, in one statement."""

from __future__ import annotations

from typing import Any

from django.db import connection
from psycopg.types.json import Jsonb

from pantry.orders.models import Order, OrderLine
from pantry.orders.queries import receipt
from pantry.orders.requests import new_order_number

NUMBER_ATTEMPTS = 5


# The order, its lines, its placement event, the receipt kept under the
# idempotency key (if any) and the order.placed event in one round trip. A
# taken number inserts nothing (ON CONFLICT) and the caller draws another.
_INSERT_ORDER = """
WITH placed AS (
    INSERT INTO orders_order
        (number, customer_name, email, status, currency, total, placed_at,
         customer_id, discount, voucher_code, payment_provider, expires_at,
         subtotal, shipping, shipping_tax, shipping_tax_rate, tax,
         prices_include_tax,
         shipping_method, shipping_method_name, shipping_address,
         billing_address)
    VALUES (%(number)s, %(name)s, %(email)s, 'placed', %(currency)s, %(total)s,
            %(at)s, %(customer_id)s, %(discount)s, %(voucher_code)s,
            %(payment_provider)s, %(expires_at)s, %(subtotal)s, %(shipping)s,
            %(shipping_tax)s, %(shipping_tax_rate)s, %(tax)s,
            %(prices_include_tax)s,
            %(shipping_method)s, %(shipping_method_name)s,
            %(shipping_address)s, %(billing_address)s)
    ON CONFLICT (number) DO NOTHING
    RETURNING id
), lines AS (
    INSERT INTO orders_orderline
        (order_id, sku, product_name, variant_name, unit_price, quantity,
         line_total, discount, tax_class, net, tax_rate, tax, gross)
    SELECT placed.id, line.sku, line.product_name, line.variant_name,
           line.unit_price, line.quantity, line.unit_price * line.quantity,
           line.discount, line.tax_class, line.net, line.tax_rate, line.tax,
           line.gross
    FROM placed, unnest(%(skus)s::varchar[], %(names)s::varchar[],
                        %(variant_names)s::varchar[], %(prices)s::numeric[],
                        %(quantities)s::integer[], %(discounts)s::numeric[],
                        %(classes)s::varchar[], %(nets)s::numeric[],
                        %(rates)s::numeric[], %(taxes)s::numeric[],
                        %(grosses)s::numeric[])
         AS line(sku, product_name, variant_name, unit_price, quantity,
                 discount, tax_class, net, tax_rate, tax, gross)
), event AS (
    INSERT INTO orders_orderevent (order_id, from_status, to_status, at, actor)
    SELECT placed.id, '', 'placed', %(at)s, 'customer' FROM placed
), receipt AS (
    UPDATE orders_idempotencykey
    SET order_id = placed.id, response_status = 201, response_body = %(receipt)s
    FROM placed
    WHERE orders_idempotencykey.id = %(key_id)s
), emitted AS (
    SELECT events_emit('order.placed', jsonb_build_array(%(receipt)s::jsonb))
    FROM placed WHERE %(announce)s
)
SELECT placed.id FROM placed LEFT JOIN emitted ON true
"""


def insert_order(
    order: Order, lines: list[OrderLine], *, key_id: int | None, announce: bool
) -> dict[str, Any]:
    """Insert ``order`` under a new random number, with its lines and event.

    Returns the receipt, also stored with idempotency key ``key_id`` and,
    when ``announce``, emitted as order.placed.
    """
    params: dict[str, Any] = {
        "name": order.customer_name,
        "email": order.email,
        "currency": order.currency,
        "total": order.total,
        "at": order.placed_at,
        "customer_id": order.customer_id,
        "discount": order.discount,
        "voucher_code": order.voucher_code,
        "payment_provider": order.payment_provider,
        "expires_at": order.expires_at,
        "subtotal": order.subtotal,
        "shipping": order.shipping,
        "shipping_tax": order.shipping_tax,
        "shipping_tax_rate": order.shipping_tax_rate,
        "tax": order.tax,
        "prices_include_tax": order.prices_include_tax,
        "shipping_method": order.shipping_method,
        "shipping_method_name": order.shipping_method_name,
        "shipping_address": jsonb(order.shipping_address),
        "billing_address": jsonb(order.billing_address),
        "skus": [line.sku for line in lines],
        "names": [line.product_name for line in lines],
        "variant_names": [line.variant_name for line in lines],
        "prices": [line.unit_price for line in lines],
        "quantities": [line.quantity for line in lines],
        "discounts": [line.discount for line in lines],
        "classes": [line.tax_class for line in lines],
        "nets": [line.net for line in lines],
        "rates": [line.tax_rate for line in lines],
        "taxes": [line.tax for line in lines],
        "grosses": [line.gross for line in lines],
        "key_id": key_id,
        "announce": announce,
    }
    with connection.cursor() as cursor:
        for _ in range(NUMBER_ATTEMPTS):
            order.number = new_order_number()
            body = receipt(order, lines)
            values: dict[str, Any] = {
                **params,
                "number": order.number,
                "receipt": Jsonb(body),
            }
            cursor.execute(_INSERT_ORDER, values)
            row = cursor.fetchone()
            if row is not None:
                order.pk = row[0]
                order._state.adding = False
                for line in lines:
                    line.order = order
                return body
    raise RuntimeError(f"no free order number in {NUMBER_ATTEMPTS} draws")


def jsonb(value: dict[str, Any] | None) -> Jsonb | None:
    return None if value is None else Jsonb(value)
