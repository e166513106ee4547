"""Stock-taking for checkout: prices at this moment, take stock, give it back.

Every change of stock here is one SQL statement that locks the variants it
touches in SKU order, so two checkouts (or a checkout and a cancellation)
sharing SKUs can never deadlock, and a shortage of any line changes nothing.
The same statement writes a stock.changed event per SKU (events_emit).
The catalog's CHECK (stock >= 0) stays the last line of defence.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from pantry.catalog.errors import InsufficientStock, UnknownSku
from pantry.catalog.models import discounted, variant_name


@dataclass(frozen=True)
class Priced:
    """A SKU's sale facts at one moment: what to snapshot on an order line."""

    sku: str
    product_name: str
    unit_price: Decimal
    currency: str
    # The product name and options ("Saffron, 5 g"): what shoppers read.
    variant_name: str = ""


# One short statement per checkout: the ORM would spend more time building
# this query than PostgreSQL spends running it.
_PRICES = """
SELECT v.sku, p.name, v.options, v.price, v.currency,
       (SELECT pr.percent_off FROM catalog_promotion pr
        WHERE pr.product_id = v.product_id AND pr.during @> %s::timestamptz
        LIMIT 1)
FROM catalog_variant v
JOIN catalog_product p ON p.id = v.product_id
WHERE v.sku = ANY(%s::varchar[]) AND p.is_active
"""


def prices_now(skus: list[str]) -> dict[str, Priced]:
    """Return the effective price now of each SKU that is for sale.

    SKUs that do not exist, or whose product is inactive, are left out.
    """
    with connection.cursor() as cursor:
        cursor.execute(_PRICES, [timezone.now(), list(skus)])
        rows = cursor.fetchall()
    return {
        sku: Priced(
            sku=sku,
            product_name=name,
            unit_price=discounted(price, percent_off),
            currency=currency,
            # A raw cursor hands jsonb over as text (Django's loader).
            variant_name=variant_name(name, json.loads(options)),
        )
        for sku, name, options, price, currency, percent_off in rows
    }


def current_prices(skus: list[str]) -> dict[str, Priced]:
    """Return the effective price of each SKU now (active promotion applied).

    Raises UnknownSku when a SKU does not exist or its product is inactive.
    """
    found = prices_now(skus)
    if missing := sorted(set(skus) - set(found)):
        raise UnknownSku(
            "These SKUs are not for sale: " + ", ".join(missing) + ".", skus=missing
        )
    return found


# Lock the wanted rows in SKU order, then decrease all of them only when none
# is short or missing. Under READ COMMITTED the locking CTE re-reads a row a
# concurrent checkout just changed, and the UPDATE follows that row to its
# newest version, so `stock` is never stale.
_TAKE = """
WITH wanted AS (
    SELECT * FROM unnest(%s::varchar[], %s::integer[]) AS w(sku, quantity)
), locked AS (
    SELECT v.id, v.sku, v.stock, w.quantity
    FROM catalog_variant v JOIN wanted w ON w.sku = v.sku
    ORDER BY v.sku
    FOR UPDATE OF v
), short AS (
    SELECT sku, stock FROM locked WHERE stock < quantity
), taken AS (
    UPDATE catalog_variant v SET stock = v.stock - locked.quantity
    FROM locked
    WHERE v.id = locked.id AND v.stock >= locked.quantity
      AND NOT EXISTS (SELECT 1 FROM short)
      AND (SELECT count(*) FROM locked) = (SELECT count(*) FROM wanted)
    RETURNING v.sku, v.stock
), emitted AS (
    SELECT events_emit('stock.changed', jsonb_agg(
        jsonb_build_object('sku', sku, 'stock', stock) ORDER BY sku))
    FROM taken
)
SELECT sku, stock, false FROM short
UNION ALL
SELECT sku, NULL, true FROM taken, emitted
"""

_RETURN = """
WITH returned AS (
UPDATE catalog_variant v SET stock = v.stock + locked.quantity
FROM (
    SELECT v.id, w.quantity
    FROM catalog_variant v
    JOIN unnest(%s::varchar[], %s::integer[]) AS w(sku, quantity) ON w.sku = v.sku
    ORDER BY v.sku
    FOR UPDATE OF v
) AS locked
WHERE v.id = locked.id
RETURNING v.sku, v.stock
)
SELECT events_emit('stock.changed', jsonb_agg(
    jsonb_build_object('sku', sku, 'stock', stock) ORDER BY sku))
FROM returned
"""


def take_stock(quantities: Mapping[str, int]) -> None:
    """Decrease the stock of every SKU by its quantity, or change nothing.

    Call inside a transaction: the rows stay locked until it ends, so call
    it as late as possible. Raises InsufficientStock (the first short SKU
    in SKU order, with what is available) or UnknownSku.
    """
    skus = sorted(quantities)
    with connection.cursor() as cursor:
        cursor.execute(_TAKE, [skus, [quantities[sku] for sku in skus]])
        rows = cursor.fetchall()
    short = sorted((sku, stock) for sku, stock, taken in rows if not taken)
    if short:
        sku, available = short[0]
        raise InsufficientStock(
            f"Only {available} of {sku} left.", sku=sku, available=available
        )
    if missing := sorted(set(skus) - {sku for sku, _, _ in rows}):
        raise UnknownSku(
            "These SKUs are not for sale: " + ", ".join(missing) + ".", skus=missing
        )


def return_stock(quantities: Mapping[str, int]) -> None:
    """Increase the stock of every SKU by its quantity (a cancelled order).

    Call inside the transaction that changes the order. A SKU deleted from
    the catalog since is skipped: there is nothing to return it to.
    """
    skus = sorted(quantities)
    with connection.cursor() as cursor:
        cursor.execute(_RETURN, [skus, [quantities[sku] for sku in skus]])
