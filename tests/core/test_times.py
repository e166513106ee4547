"""Times and days outside what Python and PostgreSQL hold: refused, naming the field."""

from __future__ import annotations

import pytest

from pantry.catalog.models import Promotion
from pantry.journal.models import Post
from pantry.orders.models import Order
from tests.catalog.conftest import shop  # noqa: F401
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

OUT_OF_RANGE = [
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:00:00-01:00",
    "2026-01-01T00:00:00+20:00",
    "2026-01-01T00:00:00+21:04",
    "2026-01-01T00:00:00-16:00",
]


@pytest.mark.parametrize("moment", OUT_OF_RANGE)
def test_a_post_published_out_of_range_is_422_and_not_stored(api, staff_token, moment):
    body = {"title": "T", "body": "B", "status": "published", "published_at": moment}

    error = assert_error(
        api.post("posts", body, token=staff_token), 422, "validation_error"
    )

    assert list(error["fields"]) == ["published_at"]
    assert not Post.objects.exists()


@pytest.mark.parametrize("moment", OUT_OF_RANGE)
def test_promotion_times_out_of_range_are_422(api, shop, staff_token, moment):  # noqa: F811
    body = {"percent_off": "5", "starts_at": moment, "ends_at": "2100-01-01T00:00:00Z"}

    before = Promotion.objects.count()

    response = api.post("products/aurora-15-laptop/promotions", body, token=staff_token)

    assert list(assert_error(response, 422, "validation_error")["fields"]) == [
        "starts_at"
    ]
    assert Promotion.objects.count() == before


@pytest.mark.parametrize("name", ["placed_after", "placed_before"])
@pytest.mark.parametrize("moment", OUT_OF_RANGE)
def test_order_list_times_out_of_range_are_400_naming_them(
    api, staff_token, name, moment
):
    error = assert_error(
        api.get("orders", {name: moment}, token=staff_token), 400, "bad_request"
    )

    assert list(error["fields"]) == [name]


def test_extreme_times_within_range_are_accepted(api, staff_token):
    for moment in [
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59+00:00",
        "2026-01-01T00:00:00+15:59",
    ]:
        response = api.get("orders", {"placed_after": moment}, token=staff_token)

        assert response.status == 200, response.body
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    "report", ["reports/sales", "reports/tax", "reports/top-products"]
)
@pytest.mark.parametrize(
    ("name", "day"), [("to", "9999-12-31"), ("from", "9999-12-31")]
)
def test_report_days_at_the_end_of_time_are_400_naming_them(
    api, staff_token, report, name, day
):
    error = assert_error(
        api.get(report, {name: day}, token=staff_token), 400, "bad_request"
    )

    assert list(error["fields"]) == [name]


@pytest.mark.parametrize(
    "report", ["reports/sales", "reports/tax", "reports/top-products"]
)
def test_reports_reach_the_last_day_python_can_follow(api, staff_token, report):
    params = {"from": "9999-12-01", "to": "9999-12-30", "bucket": "month"}

    response = api.get(report, params, token=staff_token)

    assert response.status == 200, response.body
