"""Per-address rate limits of API.md "Operations", with real requests."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import F
from django.urls import resolve

from pantry.catalog.models import Variant
from pantry.core.models import RateCount
from pantry.core.ratelimit import ROUTES, client_key
from pantry.orders.models import Order
from tests.factories import VariantFactory
from tests.helpers import assert_error

ORDER = {
    "customer": {"name": "Ada Lovelace", "email": "ada@example.com"},
    "lines": [{"sku": "MUG-1", "quantity": 1}],
}


@pytest.fixture
def mug(db):
    return VariantFactory(sku="MUG-1", price=Decimal("9.00"), stock=5)


@pytest.fixture
def limits(settings):
    """Every limit at two requests a minute."""
    settings.PANTRY_RATE_LIMITS = dict.fromkeys(
        ("orders", "signup", "login", "password_reset"), (2, 60)
    )
    return settings.PANTRY_RATE_LIMITS


def test_orders_past_the_limit_are_429_with_retry_after_and_write_nothing(
    api, mug, limits, django_assert_num_queries
):
    placed = [api.post("orders", ORDER).status for _ in range(2)]

    with django_assert_num_queries(1):
        refused = api.post("orders", ORDER)

    assert placed == [201, 201]
    body = assert_error(refused, 429, "rate_limited")
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert body["detail"].startswith("Too many requests from this address")
    assert Order.objects.count() == 2
    assert Variant.objects.get(sku="MUG-1").stock == 3


def test_failed_requests_count_too_and_their_count_is_not_rolled_back(api, mug, limits):
    too_many = {**ORDER, "lines": [{"sku": "MUG-1", "quantity": 99}]}
    failed = [api.post("orders", too_many).status for _ in range(2)]

    refused = api.post("orders", ORDER)

    assert failed == [409, 409]
    assert_error(refused, 429, "rate_limited")
    assert RateCount.objects.get().count == 3
    assert not Order.objects.exists()


def test_another_address_is_not_limited(api, client, mug, limits):
    for _ in range(3):
        api.post("orders", ORDER)

    other = client.post(
        "/api/v1/orders", ORDER, content_type="application/json",
        REMOTE_ADDR="10.0.0.2",
    )  # fmt: skip

    assert other.status_code == 201


def test_a_new_window_lets_the_address_in_again(api, mug, limits):
    for _ in range(3):
        api.post("orders", ORDER)
    # The minute passes.
    RateCount.objects.update(window_start=F("window_start") - timedelta(minutes=1))

    response = api.post("orders", ORDER)

    assert response.status == 201


def test_a_limit_of_off_counts_nothing(api, mug, settings):
    settings.PANTRY_RATE_LIMITS = {"orders": None}

    statuses = [api.post("orders", ORDER).status for _ in range(3)]

    assert statuses == [201, 201, 201]
    assert not RateCount.objects.exists()


@pytest.mark.parametrize(("method", "path"), sorted(ROUTES))
def test_every_limited_route_answers_429_past_its_limit(
    client, db, limits, method, path
):
    # Bodies need not be valid: every attempt counts.
    if path.startswith("/api/"):
        for _ in range(2):
            client.post(path, "{}", content_type="application/json")
        response = client.post(path, "{}", content_type="application/json")
        assert response.json()["error"] == "rate_limited"
    else:
        for _ in range(2):
            client.post(path, {})
        response = client.post(path, {})
        assert "Too many requests" in response.text

    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1


def test_reads_of_limited_paths_are_not_counted(client, db, limits):
    for _ in range(3):
        client.get("/account/signup/")

    assert client.get("/account/signup/").status_code == 200
    assert not RateCount.objects.exists()


def test_the_defaults_outside_production_allow_600_requests_a_minute(settings):
    for name, limit in settings.PANTRY_RATE_LIMITS.items():
        assert limit is not None, name
        requests, seconds = limit
        assert requests / seconds >= 10, name


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("", "unknown"),
    ],
)
def test_clients_are_counted_by_address_and_ipv6_hosts_by_their_64(rf, address, key):
    request = rf.post("/api/v1/orders", REMOTE_ADDR=address)

    assert client_key(request) == key


def test_purge_deletes_only_ended_windows(api, mug, limits, capsys):
    api.post("orders", ORDER)
    api.post("orders", ORDER)
    RateCount.objects.create(
        key="orders:old", window_start="2020-01-01T00:00:00Z", count=1
    )

    call_command("purge_rate_limits")

    assert list(RateCount.objects.values_list("key", "count")) == [
        ("orders:127.0.0.1", 2)
    ]
    assert capsys.readouterr().out == "purged 1 rate-limit counters\n"


@pytest.mark.parametrize(
    "path",
    ["/orders", "/customers", "/auth/login", "/auth/password-reset"],
)
def test_the_openapi_document_lists_429_for_every_limited_operation(client, path):
    schema = client.get("/api/v1/openapi.json").json()

    responses = schema["paths"]["/api/v1" + path]["post"]["responses"]

    assert "429" in responses


@pytest.mark.parametrize(("method", "path"), sorted(ROUTES))
def test_every_limited_path_is_a_route_of_the_site(method, path):
    # A renamed URL would silently lose its limit.
    assert resolve(path)
