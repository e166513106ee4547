"""Database errors become 503 with Retry-After (API.md "Operations").

A second session holds a real lock and this one gives up after a short
``lock_timeout``, as a web process does after its own; the fault tests
(test_database_faults.py) do the same against stopped and paused servers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import psycopg
import pytest
from django.db import connection
from django.test import Client

from pantry.catalog.models import Variant
from pantry.orders.models import Order
from tests.factories import VariantFactory
from tests.helpers import ApiClient, assert_error

pytestmark = pytest.mark.django_db(transaction=True)

ORDER = {
    "customer": {"name": "Ada Lovelace", "email": "ada@example.com"},
    "lines": [{"sku": "MUG-1", "quantity": 1}],
}


@pytest.fixture
def short_lock_timeout() -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '200ms'")
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET lock_timeout")


@contextmanager
def locked(sql: str) -> Iterator[None]:
    """Another session holds what ``sql`` locks until the block ends."""
    params = connection.get_connection_params()
    for name in ("cursor_factory", "context"):
        params.pop(name, None)
    with psycopg.connect(**params) as other:
        other.execute(sql)
        yield


@pytest.fixture
def mug() -> Variant:
    return VariantFactory(sku="MUG-1", price=Decimal("9.00"), stock=5)


def test_an_api_write_behind_a_lock_is_503_with_retry_after_and_changes_nothing(
    api, mug, short_lock_timeout
):
    with locked("SELECT 1 FROM catalog_variant WHERE sku = 'MUG-1' FOR UPDATE"):
        response = api.post("orders", ORDER)

    body = assert_error(response, 503, "unavailable")
    assert body["detail"].startswith("The shop's database is unavailable")
    assert response.headers["Retry-After"] == "5"
    assert Variant.objects.get(sku="MUG-1").stock == 5
    assert not Order.objects.exists()


def test_an_api_read_behind_a_table_lock_is_503_in_debug_too(
    api, mug, short_lock_timeout, settings
):
    settings.DEBUG = True

    with locked("LOCK TABLE catalog_product IN ACCESS EXCLUSIVE MODE"):
        response = api.get("products")

    assert_error(response, 503, "unavailable")
    assert response.headers["Retry-After"] == "5"


def test_a_page_behind_a_table_lock_is_the_503_page(client, mug, short_lock_timeout):
    with locked("LOCK TABLE catalog_product IN ACCESS EXCLUSIVE MODE"):
        response = client.get("/products/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Back in a moment" in response.text
    assert "Error 503" in response.text


def test_a_database_error_in_a_middleware_is_503_not_500(
    mug, short_lock_timeout, settings
):
    # As a server would: the error is answered, not raised into the test.
    api = ApiClient(Client(raise_request_exception=False))
    settings.PANTRY_UNAVAILABLE_RETRY_AFTER = 7
    # The rate limiter counts in a middleware, before any view.
    with locked("LOCK TABLE core_ratecount IN ACCESS EXCLUSIVE MODE"):
        response = api.post("orders", ORDER)

    assert_error(response, 503, "unavailable")
    assert response.headers["Retry-After"] == "7"
    assert not Order.objects.exists()
