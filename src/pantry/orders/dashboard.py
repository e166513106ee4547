"""The staff dashboard on the admin index: the shop at a glance.

Built on the report queries (orders.queries, which read the sales rollups
of orders.rollups) and catalog's low-stock query, four queries whatever the
data: the last 30 days of sales (today is the last day), the top products,
the unpaid orders and the low-stock variants. None of them scans orders or
variants, so the page costs the same at any size (docs/run.md); in the
minute after midnight UTC, before the rollups' window has moved, the top
products are counted from the orders (a fifth query). The
chart is SVG geometry computed here and drawn by the template: no script,
no inline style, so the admin's CSP needs nothing extra.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from urllib.parse import urlencode

from django.conf import settings
from django.urls import get_script_prefix, reverse
from django.utils import timezone

from pantry.catalog.queries import LowStock, low_stock_variants
from pantry.orders.models import REVENUE_STATUSES, Order
from pantry.orders.queries import (
    SalesPeriod,
    TopProduct,
    report_bounds,
    sales_report,
    top_products,
)
from pantry.orders.rollups import WINDOW_DAYS, waiting_for_payment, window_top

DAYS = WINDOW_DAYS
TOP = 5
LOW_STOCK_ROWS = 8
# Chart geometry in SVG user units (the image scales to its box).
WIDTH, HEIGHT, LEFT, BOTTOM, TOP_GAP = 600, 180, 8, 20, 12


@dataclass(frozen=True)
class Bar:
    """One day of the chart: its bar, its orders dot and where it links."""

    day: date
    orders: int
    revenue: Decimal
    x: float
    y: float
    width: float
    height: float
    dot_x: float
    dot_y: float
    link: str


@dataclass(frozen=True)
class Dashboard:
    currency: str
    today: SalesPeriod
    month_orders: int
    month_revenue: Decimal
    bars: list[Bar]
    peak_revenue: Decimal
    peak_orders: int
    top: list[tuple[TopProduct, str]]
    low_stock: list[tuple[LowStock, str]]
    unpaid_count: int
    unpaid_oldest: datetime | None
    links: dict[str, str]


@lru_cache(maxsize=64)
def _changelist_url(model: str, prefix: str) -> str:
    # The page links some 50 times to a few lists; reverse() costs ~75 us a
    # call with this many URL patterns. Keyed by the script prefix, which
    # reverse() depends on.
    app, name = model.split(".")
    return reverse(f"admin:{app}_{name}_changelist")


def changelist(model: str, **params: str) -> str:
    """The admin list of ``model`` ("orders.order") filtered by ``params``."""
    url = _changelist_url(model, get_script_prefix())
    return f"{url}?{urlencode(params)}" if params else url


def change_page(model: str, pk: int) -> str:
    """The admin page of one ``model`` row (the admin's ``<pk>/change/``)."""
    return f"{changelist(model)}{pk}/change/"


def _revenue_orders(start: date, end: date) -> str:
    """The admin list of the revenue orders placed from ``start`` to ``end``."""
    first, after = report_bounds(start, end)
    return changelist(
        "orders.order",
        status__in=",".join(REVENUE_STATUSES),
        placed_at__gte=first.isoformat(),
        placed_at__lt=after.isoformat(),
    )


def _bars(days: list[SalesPeriod]) -> tuple[list[Bar], Decimal, int]:
    peak = max((day.revenue for day in days), default=Decimal(0)) or Decimal(1)
    most = max((day.orders for day in days), default=0) or 1
    plot = HEIGHT - BOTTOM - TOP_GAP
    step = (WIDTH - LEFT) / max(len(days), 1)
    bars = []
    for index, day in enumerate(days):
        height = float(day.revenue / peak) * plot
        bars.append(
            Bar(
                day=day.period,
                orders=day.orders,
                revenue=day.revenue,
                x=round(LEFT + index * step + step * 0.15, 1),
                y=round(TOP_GAP + plot - height, 1),
                width=round(step * 0.7, 1),
                height=round(height, 1),
                dot_x=round(LEFT + index * step + step * 0.5, 1),
                dot_y=round(TOP_GAP + plot - day.orders / most * plot, 1),
                link=_revenue_orders(day.period, day.period),
            )
        )
    return bars, peak, most


def staff_dashboard(*, today: date | None = None) -> Dashboard:
    """The dashboard's figures for the UTC day ``today`` (default: now)."""
    today = today or timezone.now().date()
    start = today - timedelta(days=DAYS - 1)
    currency = settings.PANTRY_CURRENCY
    days = sales_report(start=start, end=today, bucket="day", currency=currency)
    top = window_top(today=today, currency=currency, limit=TOP)
    if top is None:  # no fold since midnight UTC: counted from the orders
        top = top_products(start=start, end=today, limit=TOP, currency=currency)
    unpaid_count, unpaid_oldest = waiting_for_payment()
    low = low_stock_variants(limit=LOW_STOCK_ROWS)
    bars, peak, most = _bars(days)
    product_list = changelist("catalog.product")
    return Dashboard(
        currency=currency,
        today=days[-1],
        month_orders=sum(day.orders for day in days),
        month_revenue=sum((day.revenue for day in days), Decimal("0.00")),
        bars=bars,
        peak_revenue=peak,
        peak_orders=most,
        top=[(row, changelist("catalog.product", q=row.sku)) for row in top],
        low_stock=[
            (row, change_page("catalog.product", row.product_id)) for row in low
        ],
        unpaid_count=unpaid_count,
        unpaid_oldest=unpaid_oldest,
        links={
            "today": _revenue_orders(today, today),
            "month": _revenue_orders(start, today),
            "unpaid": changelist("orders.order", status__exact=Order.Status.PLACED),
            "sold_out": f"{product_list}?in_stock=no",
        },
    )
