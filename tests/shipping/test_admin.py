"""The shipping admin: constant queries per page, refusals as messages."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pantry.shipping.models import Method, Rate, Zone
from pantry.shipping.services import add_method, add_rate, create_zone
from tests.helpers import assert_constant_queries, count_queries

pytestmark = pytest.mark.django_db


def make_methods(count: int, prefix: str) -> Zone:
    zone = create_zone(name=f"Zone {prefix}", countries=["DE", "FR"])
    for i in range(count):
        add_method(zone=zone, code=f"{prefix}-{i}", name=f"Method {i}")
        add_rate(method_code=f"{prefix}-{i}", currency="EUR", price=Decimal("4.90"))
    return zone


@pytest.mark.parametrize(
    "url", ["/admin/shipping/zone/", "/admin/shipping/method/", "/admin/shipping/rate/"]
)
def test_each_list_costs_the_same_queries_for_1_and_30_rows(admin_client, url):
    counts = {}
    make_methods(1, "a")
    admin_client.get(url)
    counts[1] = count_queries(lambda: admin_client.get(url))
    for i in range(29):
        make_methods(1, f"b{i}")

    counts[30] = count_queries(lambda: admin_client.get(url))

    assert Zone.objects.count() == Method.objects.count() == 30
    assert counts[1] == counts[30], counts


def test_a_zone_page_costs_the_same_queries_for_1_and_30_methods(admin_client):
    zones = {1: make_methods(1, "a"), 30: make_methods(30, "b")}
    admin_client.get(f"/admin/shipping/zone/{zones[1].pk}/change/")

    assert_constant_queries(
        lambda size: admin_client.get(f"/admin/shipping/zone/{zones[size].pk}/change/"),
        sizes=(1, 30),
    )


def test_an_overlapping_rate_is_refused_with_a_message(admin_client):
    make_methods(1, "a")
    method = Method.objects.get()

    response = admin_client.post(
        "/admin/shipping/rate/add/",
        {
            "method": method.pk,
            "currency": "EUR",
            "weight_g_0": "0",
            "weight_g_1": "1000",
            "subtotal_0": "0",
            "subtotal_1": "",
            "price": "3.00",
        },
    )

    assert response.status_code == 200
    assert "overlaps another rate" in response.text
    assert Rate.objects.count() == 1


def test_a_zone_with_an_unknown_country_is_refused(admin_client):
    response = admin_client.post(
        "/admin/shipping/zone/add/",
        {
            "name": "Nowhere",
            "countries": "de,XX",
            "methods-TOTAL_FORMS": "0",
            "methods-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "Not ISO 3166-1 alpha-2 codes: XX" in response.text
    assert not Zone.objects.exists()
