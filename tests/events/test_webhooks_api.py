"""Staff register, list, change and delete webhook endpoints (API.md)."""

import pytest
from django.utils import timezone

from pantry.events.endpoints import register_endpoint
from pantry.events.errors import UrlNotAllowed
from pantry.events.models import Attempt, Delivery, Endpoint
from pantry.events.outbox import emit
from pantry.events.urls_check import resolve_allowed
from tests.helpers import assert_constant_queries, assert_error

pytestmark = pytest.mark.django_db


def test_registering_shows_the_secret_once_and_lists_without_it(api, staff_token):
    created = api.post(
        "webhooks",
        {"url": "http://127.0.0.1:9000/hook", "events": ["order.paid"]},
        token=staff_token,
    )

    assert created.status == 201
    assert created.body["secret"].startswith("whsec_")
    assert created.body["events"] == ["order.paid"]
    listed = api.get("webhooks", token=staff_token)
    assert listed.status == 200
    [item] = listed.body["items"]
    assert item["id"] == created.body["id"]
    assert "secret" not in item


def test_each_endpoint_gets_its_own_secret():
    first = register_endpoint(url="http://127.0.0.1/a", events=["*"])
    second = register_endpoint(url="http://127.0.0.1/b", events=["*"])

    assert first.secret != second.secret


@pytest.mark.parametrize(
    ("url", "detail"),
    [
        ("ftp://example.com/hook", "Only http and https URLs can receive webhooks."),
        ("javascript:alert(1)", "Only http and https URLs can receive webhooks."),
        ("http:///nohost", "The URL has no host."),
        (
            "http://user:pw@example.com/",
            "The URL may not carry a user name or password.",
        ),
    ],
)
def test_urls_that_are_not_plain_http_are_refused(api, staff_token, url, detail):
    response = api.post("webhooks", {"url": url, "events": ["*"]}, token=staff_token)

    body = assert_error(response, 422, "url_not_allowed")
    assert body["detail"] == detail
    assert not Endpoint.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://localhost:8000/hook",
        "http://[::1]/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/hook",
        "http://192.168.1.1/hook",
        "http://0.0.0.0/hook",
        "http://[::ffff:127.0.0.1]/hook",
    ],
)
def test_private_targets_are_refused_when_private_addresses_are_not_allowed(
    api, staff_token, settings, url
):
    settings.PANTRY_WEBHOOK_ALLOW_PRIVATE = False

    response = api.post("webhooks", {"url": url, "events": ["*"]}, token=staff_token)

    body = assert_error(response, 422, "url_not_allowed")
    assert "is not a public address" in body["detail"]
    assert not Endpoint.objects.exists()


def test_a_public_address_is_pinned_for_delivery(settings):
    settings.PANTRY_WEBHOOK_ALLOW_PRIVATE = False

    assert resolve_allowed("https://93.184.215.14/hook") == "93.184.215.14"


def test_development_allows_loopback(settings):
    settings.PANTRY_WEBHOOK_ALLOW_PRIVATE = True

    assert resolve_allowed("http://127.0.0.1:9000/hook") is None


def test_an_unresolvable_host_is_refused_when_private_addresses_are_not_allowed(
    settings,
):
    settings.PANTRY_WEBHOOK_ALLOW_PRIVATE = False

    with pytest.raises(UrlNotAllowed, match="cannot be resolved"):
        resolve_allowed("http://no-such-host.invalid/hook")


def test_unknown_event_types_are_refused(api, staff_token):
    response = api.post(
        "webhooks",
        {"url": "http://127.0.0.1/hook", "events": ["order.lost"]},
        token=staff_token,
    )

    body = assert_error(response, 422, "unknown_event_type")
    assert body["detail"] == "Unknown event types: order.lost."


def test_patch_changes_the_given_fields_and_refuses_nulls(api, staff_token):
    endpoint = register_endpoint(url="http://127.0.0.1/a", events=["order.paid"])

    changed = api.patch(
        f"webhooks/{endpoint.pk}",
        {"events": ["order.placed", "order.paid"], "is_active": False},
        token=staff_token,
    )
    refused = api.patch(f"webhooks/{endpoint.pk}", {"url": None}, token=staff_token)

    assert changed.status == 200
    assert changed.body["events"] == ["order.paid", "order.placed"]
    assert changed.body["is_active"] is False
    assert changed.body["url"] == "http://127.0.0.1/a"
    assert_error(refused, 422, "validation_error")


def test_delete_hides_the_endpoint_and_a_second_delete_is_404(api, staff_token):
    endpoint = register_endpoint(url="http://127.0.0.1/a", events=["order.paid"])

    first = api.delete(f"webhooks/{endpoint.pk}", token=staff_token)
    second = api.delete(f"webhooks/{endpoint.pk}", token=staff_token)

    assert first.status == 204
    assert_error(second, 404, "not_found")
    assert api.get("webhooks", token=staff_token).body["items"] == []
    assert_error(
        api.get(f"webhooks/{endpoint.pk}/deliveries", token=staff_token),
        404,
        "not_found",
    )


def test_webhook_endpoints_need_a_staff_token(api):
    assert_error(api.get("webhooks"), 401, "unauthorized")
    assert_error(
        api.post("webhooks", {"url": "http://127.0.0.1/", "events": ["*"]}),
        401,
        "unauthorized",
    )


def test_listing_deliveries_costs_the_same_queries_for_any_page_size(api, staff_token):
    endpoint = register_endpoint(url="http://127.0.0.1/a", events=["order.paid"])
    for i in range(3):
        emit("order.paid", {"number": f"PA-{i}"})
    for delivery in Delivery.objects.all():
        Attempt.objects.create(
            delivery=delivery,
            number=1,
            at=timezone.now(),
            status_code=500,
            latency_ms=3,
        )

    def fetch(size: int) -> None:
        response = api.get(
            f"webhooks/{endpoint.pk}/deliveries", {"limit": size}, token=staff_token
        )
        assert response.status == 200
        assert len(response.body["items"]) == min(size, 3)

    assert_constant_queries(fetch)
