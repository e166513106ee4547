"""The payments admin: read-only lists with constant queries."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pantry.payments.models import Payment
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db


def pay(i: int) -> None:
    Payment.objects.create(
        order_ref=f"PA-{i:010d}",
        provider="fake",
        provider_ref=f"fake_{i}",
        currency="EUR",
        amount=Decimal("10.00"),
    )


@pytest.mark.parametrize(
    "url", ["/admin/payments/payment/", "/admin/payments/providerevent/"]
)
def test_the_lists_cost_the_same_queries_for_1_and_30(admin_client, url):
    pay(0)
    admin_client.get(url)
    one = count_queries(lambda: admin_client.get(url))
    for i in range(1, 30):
        pay(i)

    assert count_queries(lambda: admin_client.get(url)) == one
    assert admin_client.get("/admin/payments/payment/add/").status_code == 403
