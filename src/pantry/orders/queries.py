"""Reads of orders shaped for the API, the pages and the reports."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Prefetch, QuerySet
from django.db.models.functions import Lower
from django.db.models.lookups import Exact

from pantry.catalog.models import DEFAULT_TAX_CLASS
from pantry.core.pagination import Page, keyset_page
from pantry.orders.models import REVENUE_STATUSES, Order, OrderEvent, OrderLine
from pantry.payments.models import Payment

# The revenue statuses as an SQL list, for the reports' fixed statements.
REVENUE_IN = ", ".join(f"'{status}'" for status in REVENUE_STATUSES)

BUCKETS = ("day", "week", "month")
LIST_ORDER = ["-placed_at", "-id"]


def money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def rate(value: Decimal) -> str:
    """A tax rate in percent without trailing zeros: "19", "5.5"."""
    return f"{value.normalize():f}"


def receipt(
    order: Order,
    lines: Iterable[OrderLine],
    payment: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Return the JSON of an order as placed: customer, lines and totals.

    ``total = subtotal - discount + shipping`` (+ ``tax`` when
    ``prices_include_tax`` is false); each line's ``tax`` is in its
    ``gross`` (docs/checkout.md).
    """
    return {
        "number": order.number,
        "status": order.status,
        "customer": {"name": order.customer_name, "email": order.email},
        "currency": order.currency,
        "subtotal": money(order.subtotal),
        "discount": money(order.discount),
        "shipping": money(order.shipping),
        "tax": money(order.tax),
        "total": money(order.total),
        "prices_include_tax": order.prices_include_tax,
        "lines": [
            {
                "sku": line.sku,
                "name": line.display_name,
                "quantity": line.quantity,
                "unit_price": money(line.unit_price),
                "line_total": money(line.line_total),
                "discount": money(line.discount),
                "net": money(line.net),
                "tax_rate": rate(line.tax_rate),
                "tax": money(line.tax),
                "gross": money(line.gross),
            }
            for line in lines
        ],
        "placed_at": timestamp(order.placed_at),
        "voucher": order.voucher_code or None,
        "shipping_method": order.shipping_method or None,
        "shipping_method_name": order.shipping_method_name or None,
        "shipping_tax": money(order.shipping_tax),
        "shipping_address": order.shipping_address,
        "billing_address": order.billing_address,
        "payment_provider": order.payment_provider or None,
        "payment": payment,
        "refunded_total": money(order.refunded_total),
    }


def order_detail(number: str) -> Order | None:
    """Return the order with its lines and history prefetched, or None."""
    return (
        Order.objects.filter(number=number)
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.order_by("sku")),
            Prefetch("events", queryset=OrderEvent.objects.order_by("at", "id")),
        )
        .first()
    )


def latest_payment(number: str) -> dict[str, Any] | None:
    """The order's latest payment attempt as the receipt shows it, or None.

    ``action`` is only known when the payment is opened (the POST answer):
    here it is null.
    """
    found = (
        Payment.objects.filter(order_ref=number)
        .order_by("-created_at", "-id")
        .values("provider", "status")
        .first()
    )
    return None if found is None else {**found, "action": None}


def detail_json(order: Order) -> dict[str, Any]:
    """The JSON of an order with its status history (from order_detail)."""
    body = receipt(order, order.lines.all(), latest_payment(order.number))
    body["events"] = [
        {
            "from_status": event.from_status or None,
            "to_status": event.to_status,
            "at": timestamp(event.at),
            "actor": event.actor,
        }
        for event in order.events.all()
    ]
    return body


LIST_FIELDS = (
    "number",
    "status",
    "customer_name",
    "email",
    "currency",
    "subtotal",
    "discount",
    "shipping",
    "tax",
    "total",
    "placed_at",
)


def list_item_json(order: Order) -> dict[str, Any]:
    return {
        "number": order.number,
        "status": order.status,
        "customer": {"name": order.customer_name, "email": order.email},
        "currency": order.currency,
        "subtotal": money(order.subtotal),
        "discount": money(order.discount),
        "shipping": money(order.shipping),
        "tax": money(order.tax),
        "total": money(order.total),
        "placed_at": timestamp(order.placed_at),
    }


@dataclass(frozen=True)
class OrderFilters:
    status: str | None = None
    placed_after: datetime | None = None
    placed_before: datetime | None = None
    email: str | None = None

    def apply(self, orders: QuerySet[Order]) -> QuerySet[Order]:
        if self.status:
            orders = orders.filter(status=self.status)
        if self.placed_after:
            orders = orders.filter(placed_at__gte=self.placed_after)
        if self.placed_before:
            orders = orders.filter(placed_at__lt=self.placed_before)
        if self.email:
            # lower(email): the expression of orders_order_email_placed.
            orders = orders.filter(Exact(Lower("email"), self.email.strip().lower()))
        return orders


def order_list(*, filters: OrderFilters, limit: int, cursor: str | None) -> Page:
    """Return one page of orders, newest first, matching ``filters``."""
    orders = filters.apply(Order.objects.only(*LIST_FIELDS))
    return keyset_page(
        orders, order=LIST_ORDER, limit=limit, cursor=cursor, scope="orders:placed"
    )


def report_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The UTC instants of ``start`` 00:00 and the day after ``end`` 00:00."""
    return (
        datetime.combine(start, time.min, tzinfo=UTC),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC),
    )


@dataclass(frozen=True)
class SalesPeriod:
    period: date
    orders: int
    revenue: Decimal


# The sales rollup (orders/rollups.py): signed deltas per UTC day that the
# orders' triggers append, folded now and then; summing them is exact.
_SALES = """
WITH totals AS (
    SELECT date_trunc(%(bucket)s, day::timestamp) AS period,
           sum(orders) AS orders, sum(revenue) AS revenue
    FROM orders_salesday
    WHERE currency = %(currency)s AND day BETWEEN %(first)s AND %(last)s
    GROUP BY 1
)
SELECT periods.period::date, coalesce(totals.orders, 0),
       coalesce(totals.revenue, 0)
FROM generate_series(
    date_trunc(%(bucket)s, %(first)s::timestamp),
    date_trunc(%(bucket)s, %(last)s::timestamp),
    ('1 ' || %(bucket)s)::interval
) AS periods(period)
LEFT JOIN totals ON totals.period = periods.period
ORDER BY periods.period
"""


def _period_params(
    start: date, end: date, bucket: str, currency: str
) -> dict[str, Any]:
    """The parameters of a report by period: its bounds and its buckets."""
    assert bucket in BUCKETS
    first, after = report_bounds(start, end)
    return {
        "bucket": bucket,
        "start": first,
        "end": after,
        "first": start,
        "last": end,
        "currency": currency,
    }


def sales_report(
    *, start: date, end: date, bucket: str, currency: str
) -> list[SalesPeriod]:
    """Return revenue orders and revenue per period from ``start`` to ``end``.

    Days are UTC days, both ends included; weeks start on Monday. Every
    period is listed, empty ones with zeros. Only REVENUE_STATUSES count.
    Read from the sales rollup, so the cost follows the days asked for,
    not the orders placed in them.
    """
    with connection.cursor() as cursor:
        cursor.execute(_SALES, _period_params(start, end, bucket, currency))
        return [
            SalesPeriod(period=row[0], orders=row[1], revenue=Decimal(row[2]))
            for row in cursor.fetchall()
        ]


@dataclass(frozen=True)
class TopProduct:
    sku: str
    name: str
    units: int
    revenue: Decimal
    orders: int


_TOP = f"""
SELECT line.sku, max(coalesce(nullif(line.variant_name, ''), line.product_name)),
       sum(line.quantity),
       sum(line.line_total), count(*)
FROM orders_order o
JOIN orders_orderline line ON line.order_id = o.id
WHERE o.status IN ({REVENUE_IN})
  AND o.placed_at >= %(start)s AND o.placed_at < %(end)s
  AND o.currency = %(currency)s
GROUP BY line.sku
ORDER BY sum(line.line_total) DESC, line.sku
LIMIT %(limit)s
"""  # noqa: S608  constants of this module only; values are parameters


def top_products(
    *, start: date, end: date, limit: int, currency: str
) -> list[TopProduct]:
    """Return the SKUs with the most revenue from ``start`` to ``end``."""
    first, after = report_bounds(start, end)
    with connection.cursor() as cursor:
        cursor.execute(
            _TOP,
            {
                "start": first,
                "end": after,
                "currency": currency,
                "limit": limit,
            },
        )
        return [
            TopProduct(
                sku=row[0],
                name=row[1],
                units=int(row[2]),
                revenue=Decimal(row[3]),
                orders=row[4],
            )
            for row in cursor.fetchall()
        ]


@dataclass(frozen=True)
class TaxPeriod:
    period: date
    country: str | None
    tax_class: str | None
    rate: Decimal | None
    net: Decimal
    tax: Decimal


# Lines and shipping (taxed as the default class) of revenue orders, summed
# per period, destination country, class and rate; every period is listed
# with every rate of the range, zeros where nothing was sold. With no taxed
# sale at all each period appears once, with nulls for the rate.
_TAX = f"""
WITH sold AS (
    SELECT o.id, date_trunc(%(bucket)s, o.placed_at AT TIME ZONE 'UTC') AS period,
           coalesce(o.shipping_address ->> 'country',
                    o.billing_address ->> 'country', '') AS country,
           o.shipping, o.shipping_tax, o.shipping_tax_rate, o.prices_include_tax
    FROM orders_order o
    WHERE o.status IN ({REVENUE_IN})
      AND o.placed_at >= %(start)s AND o.placed_at < %(end)s
      AND o.currency = %(currency)s
), taxed AS (
    SELECT sold.period, sold.country, line.tax_class, line.tax_rate AS rate,
           line.net, line.tax
    FROM sold JOIN orders_orderline line ON line.order_id = sold.id
    UNION ALL
    SELECT period, country, %(shipping_class)s, shipping_tax_rate,
           CASE WHEN prices_include_tax THEN shipping - shipping_tax
                ELSE shipping END,
           shipping_tax
    FROM sold WHERE shipping > 0
), sums AS (
    SELECT period, country, tax_class, rate, sum(net) AS net, sum(tax) AS tax
    FROM taxed GROUP BY 1, 2, 3, 4
), rates AS (
    SELECT DISTINCT country, tax_class, rate FROM sums
)
SELECT periods.period::date, rates.country, rates.tax_class, rates.rate,
       coalesce(sums.net, 0), coalesce(sums.tax, 0)
FROM generate_series(
    date_trunc(%(bucket)s, %(first)s::timestamp),
    date_trunc(%(bucket)s, %(last)s::timestamp),
    ('1 ' || %(bucket)s)::interval
) AS periods(period)
LEFT JOIN rates ON true
LEFT JOIN sums ON sums.period = periods.period AND sums.country = rates.country
    AND sums.tax_class = rates.tax_class AND sums.rate = rates.rate
ORDER BY periods.period, rates.country, rates.tax_class, rates.rate
"""  # noqa: S608  constants of this module only; values are parameters


def tax_report(
    *, start: date, end: date, bucket: str, currency: str
) -> list[TaxPeriod]:
    """Net and tax per period and rate (country, tax class, rate), one statement.

    Periods as in sales_report (UTC days, both ends included, weeks from
    Monday), only REVENUE_STATUSES. The country is the shipping address's
    (else the billing address's, else ''); shipping counts under the
    default tax class, at the rate it was taxed.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            _TAX,
            {
                **_period_params(start, end, bucket, currency),
                "shipping_class": DEFAULT_TAX_CLASS,
            },
        )
        return [
            TaxPeriod(
                period=row[0],
                country=row[1],
                tax_class=row[2],
                rate=row[3],
                net=Decimal(row[4]),
                tax=Decimal(row[5]),
            )
            for row in cursor.fetchall()
        ]
