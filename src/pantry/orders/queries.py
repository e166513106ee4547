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

from pantry.core.pagination import Page, keyset_page
from pantry.orders.models import Order, OrderEvent, OrderLine

# Orders whose money the shop keeps: paid and not given back. Placed orders
# are not paid yet; cancelled and refunded ones returned their money.
REVENUE_STATUSES = ("paid", "shipped", "delivered")
BUCKETS = ("day", "week", "month")
LIST_ORDER = ["-placed_at", "-id"]


def money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def receipt(order: Order, lines: Iterable[OrderLine]) -> dict[str, Any]:
    """Return the JSON of an order as placed: customer, lines and totals."""
    return {
        "number": order.number,
        "status": order.status,
        "customer": {"name": order.customer_name, "email": order.email},
        "currency": order.currency,
        "total": money(order.total),
        "lines": [
            {
                "sku": line.sku,
                "name": line.display_name,
                "quantity": line.quantity,
                "unit_price": money(line.unit_price),
                "line_total": money(line.line_total),
            }
            for line in lines
        ],
        "placed_at": timestamp(order.placed_at),
        "discount": money(order.discount),
        "voucher": order.voucher_code or None,
        "payment_provider": order.payment_provider or None,
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


def detail_json(order: Order) -> dict[str, Any]:
    """The JSON of an order with its status history (from order_detail)."""
    body = receipt(order, order.lines.all())
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


def list_item_json(order: Order) -> dict[str, Any]:
    return {
        "number": order.number,
        "status": order.status,
        "customer": {"name": order.customer_name, "email": order.email},
        "currency": order.currency,
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
    orders = filters.apply(
        Order.objects.only(
            "number",
            "status",
            "customer_name",
            "email",
            "currency",
            "total",
            "placed_at",
        )
    )
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


_SALES = f"""
WITH totals AS (
    SELECT date_trunc(%(bucket)s, placed_at AT TIME ZONE 'UTC') AS period,
           count(*) AS orders, sum(total) AS revenue
    FROM orders_order
    WHERE status IN ({", ".join(f"'{s}'" for s in REVENUE_STATUSES)})
      AND placed_at >= %(start)s AND placed_at < %(end)s
      AND currency = %(currency)s
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
"""  # noqa: S608  constants of this module only; values are parameters


def sales_report(
    *, start: date, end: date, bucket: str, currency: str
) -> list[SalesPeriod]:
    """Return revenue orders and revenue per period from ``start`` to ``end``.

    Days are UTC days, both ends included; weeks start on Monday. Every
    period is listed, empty ones with zeros. Only REVENUE_STATUSES count.
    """
    assert bucket in BUCKETS
    first, after = report_bounds(start, end)
    with connection.cursor() as cursor:
        cursor.execute(
            _SALES,
            {
                "bucket": bucket,
                "start": first,
                "end": after,
                "first": start,
                "last": end,
                "currency": currency,
            },
        )
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
WHERE o.status IN ({", ".join(f"'{s}'" for s in REVENUE_STATUSES)})
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
