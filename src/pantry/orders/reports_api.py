"""Staff sales, tax and top-product reports (API.md): GET /api/v1/reports/..."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any, Literal

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from pantry.core.auth import staff
from pantry.core.errors import BadRequest
from pantry.core.pagination import Limit, check_limit
from pantry.core.times import Day
from pantry.orders import queries

router = Router(tags=["orders"])

MAX_REPORT_DAYS = 3660
TOP_PRODUCTS_DEFAULT = 10


def _report_range(start: date | None, end: date | None) -> tuple[date, date]:
    end = end or timezone.now().date()
    start = start or end - timedelta(days=29)
    if start > end:
        raise BadRequest("from must not be after to.", fields={"from": "after to"})
    if (end - start).days >= MAX_REPORT_DAYS:
        raise BadRequest(
            f"A report spans at most {MAX_REPORT_DAYS} days.",
            fields={"to": "range too long"},
        )
    return start, end


class SalesPeriodOut(Schema):
    period: date
    orders: int
    revenue: str


class SalesOut(Schema):
    currency: str
    bucket: str
    items: list[SalesPeriodOut]


@router.get(
    "/reports/sales",
    response=SalesOut,
    auth=staff,
    summary="Paid revenue per day, week or month, empty periods included (staff)",
)
def sales(
    request: HttpRequest,
    start: Annotated[Day | None, Query(alias="from")] = None,
    end: Annotated[Day | None, Query(alias="to")] = None,
    bucket: Literal["day", "week", "month"] = "day",
    currency: Annotated[str | None, Query(pattern="^[A-Z]{3}$")] = None,
) -> dict[str, Any]:
    start, end = _report_range(start, end)
    currency = currency or settings.PANTRY_CURRENCY
    rows = queries.sales_report(start=start, end=end, bucket=bucket, currency=currency)
    return {
        "currency": currency,
        "bucket": bucket,
        "items": [
            {
                "period": row.period,
                "orders": row.orders,
                "revenue": queries.money(row.revenue),
            }
            for row in rows
        ],
    }


class TaxItemOut(Schema):
    period: date
    country: str | None = Field(description="ISO 3166-1 alpha-2, of the destination")
    tax_class: str | None
    rate: str | None = Field(description="Percent", examples=["19"])
    net: str
    tax: str


class TaxReportOut(Schema):
    currency: str
    bucket: str
    items: list[TaxItemOut]


@router.get(
    "/reports/tax",
    response=TaxReportOut,
    auth=staff,
    summary="Net and tax of paid sales per period and rate, zero-filled (staff)",
)
def tax(
    request: HttpRequest,
    start: Annotated[Day | None, Query(alias="from")] = None,
    end: Annotated[Day | None, Query(alias="to")] = None,
    bucket: Literal["day", "week", "month"] = "day",
    currency: Annotated[str | None, Query(pattern="^[A-Z]{3}$")] = None,
) -> dict[str, Any]:
    start, end = _report_range(start, end)
    currency = currency or settings.PANTRY_CURRENCY
    rows = queries.tax_report(start=start, end=end, bucket=bucket, currency=currency)
    return {
        "currency": currency,
        "bucket": bucket,
        "items": [
            {
                "period": row.period,
                "country": row.country,
                "tax_class": row.tax_class,
                "rate": None if row.rate is None else queries.rate(row.rate),
                "net": queries.money(row.net),
                "tax": queries.money(row.tax),
            }
            for row in rows
        ],
    }


class TopProductOut(Schema):
    sku: str
    name: str
    units: int
    orders: int
    revenue: str


class TopProductsOut(Schema):
    currency: str
    items: list[TopProductOut]


@router.get(
    "/reports/top-products",
    response=TopProductsOut,
    auth=staff,
    summary="SKUs with the most paid revenue in a date range (staff)",
)
def top_products(
    request: HttpRequest,
    start: Annotated[Day | None, Query(alias="from")] = None,
    end: Annotated[Day | None, Query(alias="to")] = None,
    limit: Limit = None,
    currency: Annotated[str | None, Query(pattern="^[A-Z]{3}$")] = None,
) -> dict[str, Any]:
    start, end = _report_range(start, end)
    currency = currency or settings.PANTRY_CURRENCY
    rows = queries.top_products(
        start=start,
        end=end,
        limit=check_limit(limit if limit is not None else TOP_PRODUCTS_DEFAULT),
        currency=currency,
    )
    return {
        "currency": currency,
        "items": [
            {
                "sku": row.sku,
                "name": row.name,
                "units": row.units,
                "orders": row.orders,
                "revenue": queries.money(row.revenue),
            }
            for row in rows
        ],
    }
