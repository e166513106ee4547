"""The vouchers admin: usage shown, constant queries, redemptions read-only."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pantry.vouchers.services import create_voucher, redeem_voucher
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db


def test_the_voucher_list_shows_usage_with_constant_queries(admin_client):
    create_voucher(code="V-0", percent_off="10", usage_limit=5)
    redeem_voucher(
        code="V-0",
        order_ref="PA-1",
        email="a@example.com",
        subtotal=Decimal(10),
        currency="EUR",
    )
    admin_client.get("/admin/vouchers/voucher/")
    one = count_queries(lambda: admin_client.get("/admin/vouchers/voucher/"))
    for i in range(1, 30):
        create_voucher(code=f"V-{i}", percent_off="10")

    response = admin_client.get("/admin/vouchers/voucher/")
    thirty = count_queries(lambda: admin_client.get("/admin/vouchers/voucher/"))

    assert one == thirty
    assert "1 / 5" in response.text


def test_the_redemption_list_costs_the_same_queries_for_1_and_30(admin_client):
    create_voucher(code="MANY", percent_off="10")
    url = "/admin/vouchers/redemption/"

    def redeem(i):
        redeem_voucher(
            code="MANY",
            order_ref=f"PA-{i}",
            email=f"c{i}@example.com",
            subtotal=Decimal(10),
            currency="EUR",
        )

    redeem(0)
    admin_client.get(url)
    one = count_queries(lambda: admin_client.get(url))
    for i in range(1, 30):
        redeem(i)

    assert count_queries(lambda: admin_client.get(url)) == one
    assert admin_client.get(f"{url}add/").status_code == 403
