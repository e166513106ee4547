"""GET /api/v1/reports/tax: net and tax per period and rate, zero-filled."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from pantry.orders.models import Order
from pantry.orders.queries import tax_report
from pantry.orders.services import place_order, transition_order
from tests.helpers import assert_error, count_queries
from tests.orders.test_checkout_money import ADDRESS, shop  # noqa: F401  fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("standard_tax_class")]


def paid_order(lines, at: datetime, **extra) -> None:
    placed = place_order(
        name="Ada",
        email="ada@example.com",
        lines=lines,
        shipping_address=ADDRESS,
        **extra,
    )
    Order.objects.filter(number=placed.number).update(placed_at=at)
    transition_order(number=placed.number, to="paid", actor="staff")


@pytest.fixture
def sales(shop):  # noqa: F811
    # 1 Jan: 2 mugs (24.00 at 19%: tax 3.83) + standard shipping 4.90
    # (tax 0.78) and 1 tea (5.35 at 7%: tax 0.35).
    paid_order([("MUG-1", 2), ("TEA-1", 1)], datetime(2026, 1, 1, 10, tzinfo=UTC))
    # 3 Jan: 1 mug (12.00: tax 1.92) + shipping 4.90 (tax 0.78).
    paid_order([("MUG-1", 1)], datetime(2026, 1, 3, 23, 59, tzinfo=UTC))
    # Not paid: not in the report.
    place_order(
        name="Bo",
        email="bo@example.com",
        lines=[("MUG-1", 1)],
        shipping_address=ADDRESS,
    )


def test_the_report_sums_each_rate_per_day_with_empty_days_zero(sales):
    rows = tax_report(
        start=date(2026, 1, 1), end=date(2026, 1, 3), bucket="day", currency="EUR"
    )

    got = [
        (
            r.period.day,
            r.country,
            r.tax_class,
            str(r.rate.normalize()),
            str(r.net),
            str(r.tax),
        )
        for r in rows
    ]
    assert got == [
        # Lines and shipping of the standard class meet in one row.
        (1, "DE", "reduced", "7", "5.00", "0.35"),
        (1, "DE", "standard", "19", "24.29", "4.61"),
        (2, "DE", "reduced", "7", "0", "0"),
        (2, "DE", "standard", "19", "0", "0"),
        (3, "DE", "reduced", "7", "0", "0"),
        (3, "DE", "standard", "19", "14.20", "2.70"),
    ]


def test_the_report_is_one_statement(sales):
    queries = count_queries(
        lambda: tax_report(
            start=date(2026, 1, 1),
            end=date(2026, 3, 1),
            bucket="week",
            currency="EUR",
        )
    )

    assert queries == 1


def test_the_endpoint_is_for_staff_and_lists_empty_months(api, staff_token, db):
    assert_error(api.get("reports/tax"), 401, "unauthorized")

    response = api.get(
        "reports/tax",
        {"from": "2026-01-01", "to": "2026-03-31", "bucket": "month"},
        token=staff_token,
    )

    assert response.status == 200
    assert response.body == {
        "currency": "EUR",
        "bucket": "month",
        "items": [
            {
                "period": f"2026-0{m}-01",
                "country": None,
                "tax_class": None,
                "rate": None,
                "net": "0.00",
                "tax": "0.00",
            }
            for m in (1, 2, 3)
        ],
    }


def test_the_endpoint_shapes_rates_as_percent_strings(api, staff_token, sales):
    response = api.get(
        "reports/tax", {"from": "2026-01-03", "to": "2026-01-03"}, token=staff_token
    )

    # Only the rates sold within the range are listed.
    assert response.body["items"] == [
        {
            "period": "2026-01-03",
            "country": "DE",
            "tax_class": "standard",
            "rate": "19",
            "net": "14.20",
            "tax": "2.70",
        },
    ]


def test_a_reversed_range_is_400(api, staff_token, db):
    assert_error(
        api.get(
            "reports/tax",
            {"from": "2026-02-01", "to": "2026-01-01"},
            token=staff_token,
        ),
        400,
        "bad_request",
    )
