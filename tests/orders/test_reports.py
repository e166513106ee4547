"""Sales reports agree with a brute-force computation on random orders."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from pantry.orders.models import REVENUE_STATUSES, Order, OrderLine
from pantry.orders.queries import sales_report, top_products
from tests.helpers import assert_error

STATUSES = [s.value for s in Order.Status]
START = datetime(2025, 12, 1, tzinfo=UTC)


def random_orders(seed: int, count: int = 400) -> list[tuple[Order, list[OrderLine]]]:
    rng = random.Random(seed)
    made = []
    for i in range(count):
        order = Order(
            number=f"PA-{seed:03d}{i:07d}",
            customer_name="C",
            email="c@example.com",
            status=rng.choice(STATUSES),
            currency=rng.choice(["EUR"] * 9 + ["USD"]),
            total=Decimal(0),
            placed_at=START + timedelta(seconds=rng.randrange(120 * 86400)),
        )
        lines = []
        for sku in rng.sample([f"SKU-{n}" for n in range(12)], rng.randint(1, 4)):
            price = Decimal(rng.randrange(100, 10000)) / 100
            quantity = rng.randint(1, 5)
            lines.append(
                OrderLine(
                    sku=sku,
                    product_name=f"Name of {sku}",
                    unit_price=price,
                    quantity=quantity,
                    line_total=price * quantity,
                    discount=Decimal(0),
                    tax_class="standard",
                    net=price * quantity,
                    tax_rate=Decimal(0),
                    tax=Decimal(0),
                    gross=price * quantity,
                )
            )
        order.total = order.subtotal = sum(line.line_total for line in lines)
        made.append((order, lines))
    Order.objects.bulk_create([order for order, _ in made])
    for order, lines in made:
        for line in lines:
            line.order = order
    OrderLine.objects.bulk_create([line for _, lines in made for line in lines])
    return made


def period_of(day: date, bucket: str) -> date:
    if bucket == "week":
        return day - timedelta(days=day.weekday())
    if bucket == "month":
        return day.replace(day=1)
    return day


def periods(start: date, end: date, bucket: str) -> list[date]:
    out, day = [], start
    while day <= end:
        if period_of(day, bucket) not in out:
            out.append(period_of(day, bucket))
        day += timedelta(days=1)
    return out


def in_range(order: Order, start: date, end: date) -> bool:
    return (
        order.status in REVENUE_STATUSES
        and order.currency == "EUR"
        and start <= order.placed_at.astimezone(UTC).date() <= end
    )


@pytest.mark.parametrize(
    ("seed", "bucket", "start", "end"),
    [
        (1, "day", date(2025, 12, 20), date(2026, 1, 18)),
        (2, "week", date(2025, 12, 3), date(2026, 2, 26)),
        (3, "month", date(2025, 11, 15), date(2026, 4, 2)),
        (4, "day", date(2026, 3, 1), date(2026, 3, 1)),
        (5, "week", date(2026, 6, 1), date(2026, 6, 30)),
    ],
)
def test_sales_report_matches_brute_force(db, seed, bucket, start, end):
    made = random_orders(seed)
    expected: dict[date, list] = {
        p: [0, Decimal("0.00")] for p in periods(start, end, bucket)
    }
    for order, _ in made:
        if in_range(order, start, end):
            slot = expected[period_of(order.placed_at.astimezone(UTC).date(), bucket)]
            slot[0] += 1
            slot[1] += order.total

    rows = sales_report(start=start, end=end, bucket=bucket, currency="EUR")

    assert [(r.period, r.orders, r.revenue) for r in rows] == [
        (p, n, total) for p, (n, total) in expected.items()
    ]


@pytest.mark.parametrize("seed", [7, 8, 9])
def test_top_products_match_brute_force(db, seed):
    made = random_orders(seed)
    start, end = date(2025, 12, 10), date(2026, 2, 20)
    units: dict[str, int] = defaultdict(int)
    revenue: dict[str, Decimal] = defaultdict(Decimal)
    orders: dict[str, int] = defaultdict(int)
    for order, lines in made:
        if in_range(order, start, end):
            for line in lines:
                units[line.sku] += line.quantity
                revenue[line.sku] += line.line_total
                orders[line.sku] += 1
    expected = sorted(revenue, key=lambda sku: (-revenue[sku], sku))[:5]

    rows = top_products(start=start, end=end, limit=5, currency="EUR")

    assert [(r.sku, r.units, r.revenue, r.orders, r.name) for r in rows] == [
        (sku, units[sku], revenue[sku], orders[sku], f"Name of {sku}")
        for sku in expected
    ]


def test_the_sales_endpoint_lists_empty_days_with_zeros(api, staff_token):
    random_orders(11, count=0)

    response = api.get(
        "reports/sales",
        {"from": "2026-02-27", "to": "2026-03-02", "bucket": "day"},
        token=staff_token,
    )

    assert response.status == 200
    assert response.body == {
        "currency": "EUR",
        "bucket": "day",
        "items": [
            {"period": d, "orders": 0, "revenue": "0.00"}
            for d in ["2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02"]
        ],
    }


def test_the_sales_endpoint_sums_revenue_orders(api, staff_token):
    made = random_orders(12)
    day = date(2026, 1, 5)
    expected = [o for o, _ in made if in_range(o, day, day)]

    response = api.get(
        "reports/sales", {"from": "2026-01-05", "to": "2026-01-05"}, token=staff_token
    )

    assert response.body["items"] == [
        {
            "period": "2026-01-05",
            "orders": len(expected),
            "revenue": f"{sum(o.total for o in expected):.2f}",
        }
    ]


def test_the_top_products_endpoint_shapes_its_items(api, staff_token):
    random_orders(13)

    response = api.get(
        "reports/top-products",
        {"from": "2025-12-01", "to": "2026-03-31", "limit": 3},
        token=staff_token,
    )

    assert response.status == 200
    assert len(response.body["items"]) == 3
    assert set(response.body["items"][0]) == {
        "sku",
        "name",
        "units",
        "orders",
        "revenue",
    }


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("reports/sales", {"bucket": "year"}),
        ("reports/sales", {"from": "2026-02-30"}),
        ("reports/sales", {"from": "2026-03-02", "to": "2026-03-01"}),
        ("reports/sales", {"from": "1900-01-01", "to": "2026-03-01"}),
        ("reports/sales", {"currency": "euro"}),
        ("reports/top-products", {"limit": 0}),
        ("reports/top-products", {"limit": 1000}),
        ("reports/top-products", {"to": "soon"}),
    ],
)
def test_bad_report_parameters_are_bad_requests(api, staff_token, path, params):
    assert_error(api.get(path, params, token=staff_token), 400, "bad_request")


@pytest.mark.parametrize("path", ["reports/sales", "reports/top-products"])
def test_reports_need_staff(api, db, path):
    assert_error(api.get(path), 401, "unauthorized")
